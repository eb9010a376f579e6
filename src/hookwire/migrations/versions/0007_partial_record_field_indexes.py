"""partial record field indexes on PostgreSQL: each expression index on a document path
holds only the records that have a value there

The indexes ``crm.indexes`` makes as fields appear are shared by every object with a field of
that path and kind, so each held an entry for every record, most of them NULL (people never
have ``amount.amountMicros``): at 100k people, 25 indexes weighed 328 MB beside a 60 MB
table, and every insert paid for all of them. A filter the API generates on a path (``eq``,
``in``, ``gt``, ``like``…) is a strict comparison, which implies ``IS NOT NULL``, so
PostgreSQL's planner still answers it from the partial index. SQLite keeps full indexes (its
planner proves that implication for columns, not for expressions).

The indexes are rebuilt under the same names, each from its own second column's expression.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Inputs: whether partial indexes are wanted; answer: the name and the document expression
# (the second column) of each runtime field index on record that is not yet so.
FIELD_INDEXES = sa.text(
    """
    SELECT index_class.relname AS name, pg_get_indexdef(index_class.oid, 2, false) AS expression
    FROM pg_index
    JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
    JOIN pg_class table_class ON table_class.oid = pg_index.indrelid
    WHERE table_class.relname = 'record'
      AND index_class.relname LIKE 'ix\\_record\\_doc\\_%'
      AND (pg_index.indpred IS NOT NULL) <> :partial
    """
)


def upgrade() -> None:
    _rebuild(partial=True)


def downgrade() -> None:
    _rebuild(partial=False)


def _rebuild(*, partial: bool) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    for name, expression in connection.execute(FIELD_INDEXES, {"partial": partial}).all():
        predicate = f" WHERE {expression} IS NOT NULL" if partial else ""
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
        connection.exec_driver_sql(
            f'CREATE INDEX "{name}" ON record (object_id, {expression}, position, id){predicate}'
        )
