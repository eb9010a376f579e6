"""full-text search: a search document per record, FTS5 on SQLite, a GIN index on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from hookwire.crm.search import document_terms, search_field_names, vector_text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 2_000

# External content: the index reads search_document's (object_id, terms) by its id. Object ids
# stay one token ('-' joins), so `object_id : "<id>"` scopes a match to one object.
FTS5_TABLE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    object_id, terms,
    content='search_document', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2 tokenchars '-'",
    prefix='1 2 3'
)
"""
# An external-content FTS5 table forgets a row only when told the values it indexed.
FTS5_TRIGGERS = (
    """
    CREATE TRIGGER search_document_inserted AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts (rowid, object_id, terms)
        VALUES (new.id, new.object_id, new.terms);
    END
    """,
    """
    CREATE TRIGGER search_document_deleted AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts (search_fts, rowid, object_id, terms)
        VALUES ('delete', old.id, old.object_id, old.terms);
    END
    """,
    """
    CREATE TRIGGER search_document_updated AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts (search_fts, rowid, object_id, terms)
        VALUES ('delete', old.id, old.object_id, old.terms);
        INSERT INTO search_fts (rowid, object_id, terms)
        VALUES (new.id, new.object_id, new.terms);
    END
    """,
)
TRIGGER_NAMES = ("search_document_inserted", "search_document_deleted", "search_document_updated")

objects = sa.table(
    "object_metadata",
    sa.column("id", sa.String),
    sa.column("workspace_id", sa.String),
    sa.column("name_singular", sa.String),
    sa.column("label_identifier_field_id", sa.String),
)
fields = sa.table(
    "field_metadata",
    sa.column("id", sa.String),
    sa.column("object_id", sa.String),
    sa.column("name", sa.String),
    sa.column("type", sa.String),
)
records = sa.table(
    "record", sa.column("id", sa.String), sa.column("object_id", sa.String), sa.column("data")
)
documents = sa.table(
    "search_document",
    sa.column("record_id", sa.String),
    sa.column("workspace_id", sa.String),
    sa.column("object_id", sa.String),
    sa.column("terms"),
)


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("object_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "terms",
            sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index("ix_search_document_object", ["object_id", "record_id"], unique=False)
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute(FTS5_TABLE)
        for trigger in FTS5_TRIGGERS:
            op.execute(trigger)
    else:
        # No pending list (fastupdate): a search would scan it whole until the next vacuum,
        # 20 ms after loading 100,000 documents; writes update the index in place instead.
        op.create_index(
            "ix_search_document_terms",
            "search_document",
            ["terms"],
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        )
    _backfill(connection)
    if connection.dialect.name == "postgresql":
        # Statistics now, rather than at autovacuum's next pass: without them the planner
        # intersects the GIN index with the object index even when the object is the table.
        op.execute("ANALYZE search_document")


def _backfill(connection: sa.engine.Connection) -> None:
    """A search document for every existing record, soft-deleted ones too, from the fields
    that feed its object's documents."""
    postgres = connection.dialect.name == "postgresql"
    terms_value = sa.bindparam("terms")
    if postgres:
        terms_value = sa.cast(terms_value, postgresql.TSVECTOR)
    insert = sa.insert(documents).values(
        record_id=sa.bindparam("record_id"),
        workspace_id=sa.bindparam("workspace_id"),
        object_id=sa.bindparam("object_id"),
        terms=terms_value,
    )
    sources = _sources_by_object(connection)
    last_id = ""
    while True:
        # Inputs: the last record id done. Answer: the next BATCH records by id.
        rows = connection.execute(
            sa.select(records.c.id, records.c.object_id, records.c.data)
            .where(records.c.id > last_id)
            .order_by(records.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        batch = []
        for record_id, object_id, data in rows:
            workspace_id, fed_by = sources[object_id]
            values = json.loads(data) if isinstance(data, str) else data or {}
            terms = document_terms((kind, values.get(name)) for name, kind in fed_by)
            batch.append(
                {
                    "record_id": record_id,
                    "workspace_id": workspace_id,
                    "object_id": object_id,
                    "terms": vector_text(terms) if postgres else " ".join(terms),
                }
            )
        # Inputs: up to BATCH documents. Answer: none; a search_document row each.
        connection.execute(insert, batch)
        last_id = rows[-1][0]


def _sources_by_object(
    connection: sa.engine.Connection,
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Per object id: its workspace, and the (field name, field type) feeding its documents."""
    # Inputs: none. Answer: every field's object, name and type.
    field_rows = connection.execute(sa.select(fields)).mappings().all()
    sources = {}
    # Inputs: none. Answer: every object with its workspace and label-identifier field's id.
    for owner in connection.execute(sa.select(objects)).mappings().all():
        own = [f for f in field_rows if f["object_id"] == owner["id"]]
        identifier = next(
            (f["name"] for f in own if f["id"] == owner["label_identifier_field_id"]), None
        )
        types = {f["name"]: f["type"] for f in own}
        names = search_field_names(owner["name_singular"], identifier)
        sources[owner["id"]] = (
            owner["workspace_id"],
            [(name, types[name]) for name in names if name in types],
        )
    return sources


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE search_fts")
    else:
        op.drop_index("ix_search_document_terms", table_name="search_document")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_object")
    op.drop_table("search_document")
