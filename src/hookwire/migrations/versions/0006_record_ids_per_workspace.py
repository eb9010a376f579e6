"""record ids per workspace: the key of record is (workspace_id, id), and what points at a
record (unique-value claims, search documents) points at that pair

A client may choose a record's id. With ids global, creating a record with an id that another
workspace holds answered "already exists": an oracle telling one workspace what ids exist in
others. Scoped by workspace, the answer depends on the caller's workspace only.

Existing data keeps its ids (they were globally unique, so they are unique per workspace).
SQLite cannot change a primary key in place, and dropping a parent table there cascades to
its children: the children are set aside, ``record`` is rebuilt (with the expression indexes
fields made at runtime), then the children are rebuilt from what was set aside, the search
documents with their ids so the FTS5 index stays in step. PostgreSQL alters in place.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RECORD_COLUMNS = (
    "id", "workspace_id", "object_id", "data", "position", "created_at", "updated_at",
    "deleted_at",
)  # fmt: skip
# The FTS5 triggers of migration 0005, recreated with the table they sit on.
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
# PostgreSQL's own names for the constraints, as a fresh database names them.
PG_PRIMARY_KEY = "record_pkey"
PG_UNIQUE_KEY_FK = "record_unique_key_workspace_id_record_id_fkey"
PG_SEARCH_FK = "search_document_workspace_id_record_id_fkey"
PG_SEARCH_UNIQUE = "search_document_workspace_id_record_id_key"


def _string(length: int | None = 36) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _record_table(name: str, scoped: bool) -> None:
    """``record`` as migration 0001 made it, keyed by ``(workspace_id, id)`` when ``scoped``."""
    op.create_table(
        name,
        sa.Column("id", _string(), nullable=False),
        sa.Column("workspace_id", _string(), nullable=False),
        sa.Column("object_id", _string(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["object_id"], ["object_metadata.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint(*(("workspace_id", "id") if scoped else ("id",))),
    )


def _unique_key_table(scoped: bool) -> None:
    columns = [
        sa.Column("object_id", _string(), nullable=False),
        sa.Column("field_name", _string(63), nullable=False),
        sa.Column("value", _string(2048), nullable=False),
    ]
    if scoped:
        columns.append(sa.Column("workspace_id", _string(), nullable=False))
        columns.append(sa.Column("record_id", _string(), nullable=False))
        reference = sa.ForeignKeyConstraint(
            ["workspace_id", "record_id"],
            ["record.workspace_id", "record.id"],
            ondelete="CASCADE",
        )
    else:
        columns.append(sa.Column("record_id", sa.String(length=36), nullable=False))
        reference = sa.ForeignKeyConstraint(["record_id"], ["record.id"], ondelete="CASCADE")
    op.create_table(
        "record_unique_key",
        *columns,
        reference,
        sa.PrimaryKeyConstraint("object_id", "field_name", "value"),
    )
    if scoped:
        op.create_index(
            "ix_record_unique_key_record", "record_unique_key", ["workspace_id", "record_id"]
        )
    else:
        op.create_index("ix_record_unique_key_record_id", "record_unique_key", ["record_id"])


def _search_document_table(scoped: bool) -> None:
    keys = ["workspace_id", "record_id"] if scoped else ["record_id"]
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", _string() if scoped else sa.String(length=36), nullable=False),
        sa.Column("workspace_id", _string(), nullable=False),
        sa.Column("object_id", _string(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            keys, [f"record.{'id' if k == 'record_id' else k}" for k in keys], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*keys),
    )
    op.create_index("ix_search_document_object", "search_document", ["object_id", "record_id"])


def _rebuild_sqlite(scoped: bool) -> None:
    """Rebuild ``record`` and the two tables that point at it, keyed as ``scoped`` says."""
    connection = op.get_bind()
    # Inputs: none. Answer: the SQL of every index on record, the runtime ones included.
    indexes = connection.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'record' AND sql IS NOT NULL"
        )
    ).all()
    op.execute(
        "CREATE TABLE _m0006_unique_key AS "
        "SELECT object_id, field_name, value, record_id FROM record_unique_key"
    )
    op.execute(
        "CREATE TABLE _m0006_search_document AS "
        "SELECT id, record_id, workspace_id, object_id, terms FROM search_document"
    )
    # Children first: dropping a parent would cascade its implicit DELETE to them. Dropping
    # search_document drops its FTS5 triggers; the FTS5 index itself stays as it is.
    op.drop_table("record_unique_key")
    op.drop_table("search_document")

    _record_table("_m0006_record", scoped)
    columns = ", ".join(RECORD_COLUMNS)
    op.execute(f"INSERT INTO _m0006_record ({columns}) SELECT {columns} FROM record")
    op.drop_table("record")
    op.rename_table("_m0006_record", "record")
    for name, sql in indexes:
        if name != "ix_record_workspace_id":
            op.execute(sql)
    if not scoped:
        op.create_index("ix_record_workspace_id", "record", ["workspace_id"])

    _unique_key_table(scoped)
    # Ids are unique across workspaces on both sides of this migration's data: joining by
    # id alone finds each claim's record.
    op.execute(
        "INSERT INTO record_unique_key (object_id, field_name, value, "
        f"{'workspace_id, ' if scoped else ''}record_id) "
        f"SELECT u.object_id, u.field_name, u.value, {'r.workspace_id, ' if scoped else ''}"
        "u.record_id FROM _m0006_unique_key u JOIN record r ON r.id = u.record_id"
    )
    _search_document_table(scoped)
    # The documents keep their ids, the rowids the FTS5 index knows them by; the triggers
    # come after, so this copy is not indexed a second time.
    op.execute(
        "INSERT INTO search_document (id, record_id, workspace_id, object_id, terms) "
        "SELECT id, record_id, workspace_id, object_id, terms FROM _m0006_search_document"
    )
    for trigger in FTS5_TRIGGERS:
        op.execute(trigger)
    op.drop_table("_m0006_unique_key")
    op.drop_table("_m0006_search_document")


def _constraint_names(table: str, kind: str, referring_to: str | None = None) -> list[str]:
    inspector = sa.inspect(op.get_bind())
    if kind == "foreignkey":
        found = inspector.get_foreign_keys(table)
        return [fk["name"] for fk in found if fk["referred_table"] == referring_to]
    return [unique["name"] for unique in inspector.get_unique_constraints(table)]


def _upgrade_postgres() -> None:
    for table in ("record_unique_key", "search_document"):
        for name in _constraint_names(table, "foreignkey", "record"):
            op.drop_constraint(name, table, type_="foreignkey")
    primary = sa.inspect(op.get_bind()).get_pk_constraint("record")["name"] or PG_PRIMARY_KEY
    op.drop_constraint(primary, "record", type_="primary")
    op.create_primary_key(PG_PRIMARY_KEY, "record", ["workspace_id", "id"])
    op.drop_index("ix_record_workspace_id", table_name="record")

    op.add_column("record_unique_key", sa.Column("workspace_id", _string(), nullable=True))
    op.execute(
        "UPDATE record_unique_key AS u SET workspace_id = r.workspace_id "
        "FROM record AS r WHERE r.id = u.record_id"
    )
    op.alter_column("record_unique_key", "workspace_id", nullable=False)
    op.drop_index("ix_record_unique_key_record_id", table_name="record_unique_key")
    op.create_index(
        "ix_record_unique_key_record", "record_unique_key", ["workspace_id", "record_id"]
    )
    op.create_foreign_key(
        PG_UNIQUE_KEY_FK,
        "record_unique_key",
        "record",
        ["workspace_id", "record_id"],
        ["workspace_id", "id"],
        ondelete="CASCADE",
    )

    for name in _constraint_names("search_document", "unique"):
        op.drop_constraint(name, "search_document", type_="unique")
    op.create_unique_constraint(PG_SEARCH_UNIQUE, "search_document", ["workspace_id", "record_id"])
    op.create_foreign_key(
        PG_SEARCH_FK,
        "search_document",
        "record",
        ["workspace_id", "record_id"],
        ["workspace_id", "id"],
        ondelete="CASCADE",
    )


def _downgrade_postgres() -> None:
    """Back to global ids; fails (the primary key cannot be made) if two workspaces have
    come to hold the same id since the upgrade."""
    for table in ("record_unique_key", "search_document"):
        for name in _constraint_names(table, "foreignkey", "record"):
            op.drop_constraint(name, table, type_="foreignkey")
    op.drop_constraint(PG_SEARCH_UNIQUE, "search_document", type_="unique")
    op.drop_constraint(PG_PRIMARY_KEY, "record", type_="primary")
    op.create_primary_key(PG_PRIMARY_KEY, "record", ["id"])
    op.create_index("ix_record_workspace_id", "record", ["workspace_id"])
    op.create_unique_constraint("search_document_record_id_key", "search_document", ["record_id"])
    op.create_foreign_key(
        "search_document_record_id_fkey",
        "search_document",
        "record",
        ["record_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_index("ix_record_unique_key_record", table_name="record_unique_key")
    op.drop_column("record_unique_key", "workspace_id")
    op.create_index("ix_record_unique_key_record_id", "record_unique_key", ["record_id"])
    op.create_foreign_key(
        "record_unique_key_record_id_fkey",
        "record_unique_key",
        "record",
        ["record_id"],
        ["id"],
        ondelete="CASCADE",
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(scoped=True)
    else:
        _upgrade_postgres()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(scoped=False)
    else:
        _downgrade_postgres()
