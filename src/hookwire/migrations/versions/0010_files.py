"""Files: the uploaded files of each workspace, and the standard ``attachment`` object

The ``file`` table keeps what was uploaded and where its bytes are. Every existing workspace
gets what new ones are created with: the ``attachment`` object (name, fullPath, fileCategory,
file, and a relation to a person, company, opportunity, note or task) and, on each of those
five, its other side ``attachments``. A workspace that already has an object named
attachment(s), or a field named attachments on one of the five, keeps its own and is left
without the standard object.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

from hookwire.crm.expressions import document_expression_sql
from hookwire.crm.field_types import ValueKind
from hookwire.crm.indexes import index_name

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime

SYSTEM_ACTOR = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": {}}
TARGETS = (
    ("person", "Person"),
    ("company", "Company"),
    ("opportunity", "Opportunity"),
    ("note", "Note"),
    ("task", "Task"),
)
CATEGORIES = (
    "ARCHIVE", "AUDIO", "IMAGE", "PRESENTATION", "SPREADSHEET", "TEXT_DOCUMENT", "VIDEO", "OTHER",
)  # fmt: skip
COLORS = ("blue", "green", "orange", "purple", "red", "sky", "turquoise", "yellow")
CATEGORY_OPTIONS = [
    {
        "id": f"option-{value.lower()}",
        "value": value,
        "label": value.replace("_", " ").title(),
        "position": position,
        "color": COLORS[position % len(COLORS)],
    }
    for position, value in enumerate(CATEGORIES)
]
# The attachment object's fields as standard_objects defines them at this revision: name,
# label, type, is_system, is_nullable, default, description, options, settings.
ATTACHMENT_FIELDS = (
    ("id", "Id", "UUID", True, False, "uuid", None, None, None),
    ("createdAt", "Creation date", "DATE_TIME", True, False, "now", None, None, None),
    ("updatedAt", "Last update", "DATE_TIME", True, False, "now", None, None, None),
    ("deletedAt", "Deleted", "DATE_TIME", True, True, None, None, None, None),
    ("position", "Position", "POSITION", True, False, 0, None, None, None),
    ("searchVector", "Search vector", "TS_VECTOR", True, True, None,
     "Field used for full-text search", None, None),
    ("createdBy", "Created by", "ACTOR", False, False, SYSTEM_ACTOR,
     "The creator of the record", None, None),
    ("updatedBy", "Updated by", "ACTOR", False, False, SYSTEM_ACTOR,
     "The workspace member who last updated the record", None, None),
    ("name", "Name", "TEXT", False, True, "", "Attachment name", None, None),
    ("fullPath", "Full path", "TEXT", False, True, "", "Attachment full path", None, None),
    ("fileCategory", "File category", "SELECT", False, True, "OTHER",
     "Attachment file category", CATEGORY_OPTIONS, None),
    ("file", "File", "FILES", False, True, None, "Attachment file", None,
     {"maxNumberOfValues": 1}),
    *(
        (target, label, "RELATION", False, True, None, None, None,
         {"relationType": "MANY_TO_ONE", "targetObject": target, "targetFieldName": "attachments"})
        for target, label in TARGETS
    ),
)  # fmt: skip
# The document paths of those fields that have an expression index (see crm.indexes).
INDEXED_PATHS = ("name", "fullPath", "fileCategory", *(f"{target}Id" for target, _ in TARGETS))

objects = sa.table(
    "object_metadata",
    sa.column("id", sa.String),
    sa.column("workspace_id", sa.String),
    sa.column("name_singular", sa.String),
    sa.column("name_plural", sa.String),
    sa.column("label_singular", sa.String),
    sa.column("label_plural", sa.String),
    sa.column("description", sa.String),
    sa.column("icon", sa.String),
    sa.column("is_custom", sa.Boolean),
    sa.column("is_active", sa.Boolean),
    sa.column("is_searchable", sa.Boolean),
    sa.column("duplicate_criteria", sa.JSON),
    sa.column("label_identifier_field_id", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
fields = sa.table(
    "field_metadata",
    sa.column("id", sa.String),
    sa.column("workspace_id", sa.String),
    sa.column("object_id", sa.String),
    sa.column("name", sa.String),
    sa.column("label", sa.String),
    sa.column("type", sa.String),
    sa.column("description", sa.String),
    sa.column("icon", sa.String),
    sa.column("is_custom", sa.Boolean),
    sa.column("is_system", sa.Boolean),
    sa.column("is_active", sa.Boolean),
    sa.column("is_nullable", sa.Boolean),
    sa.column("is_unique", sa.Boolean),
    sa.column("default_value", sa.JSON),
    sa.column("options", sa.JSON),
    sa.column("settings", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
workspaces = sa.table(
    "workspace", sa.column("id", sa.String), sa.column("metadata_version", sa.Integer)
)


def upgrade() -> None:
    op.create_table(
        "file",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("name", String(length=255), nullable=False),
        sa.Column("folder", String(length=50), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", String(length=255), nullable=False),
        sa.Column("storage_key", String(length=1024), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_file_workspace_id", "file", ["workspace_id"])
    connection = op.get_bind()
    provisioned = [
        workspace_id
        for (workspace_id,) in connection.execute(sa.select(workspaces.c.id))
        if _add_attachments(connection, workspace_id)
    ]
    if provisioned:
        _index_attachment_paths(connection)
        connection.execute(
            sa.update(workspaces)
            .where(workspaces.c.id.in_(provisioned))
            .values(metadata_version=workspaces.c.metadata_version + 1)
        )


def _add_attachments(connection: sa.engine.Connection, workspace_id: str) -> bool:
    """Give one workspace the attachment object and its five other sides, unless a name it
    needs is taken; whether it did."""
    rows = connection.execute(
        sa.select(objects.c.id, objects.c.name_singular, objects.c.name_plural).where(
            objects.c.workspace_id == workspace_id
        )
    ).all()
    names = {row.name_singular for row in rows} | {row.name_plural for row in rows}
    if names & {"attachment", "attachments"}:
        return False
    targets = {row.name_singular: row.id for row in rows}
    if any(target not in targets for target, _ in TARGETS):
        return False
    taken = connection.execute(
        sa.select(fields.c.id).where(
            fields.c.object_id.in_([targets[target] for target, _ in TARGETS]),
            fields.c.name.in_(["attachments", "attachmentsId"]),
        )
    ).first()
    if taken is not None:
        return False

    now = datetime.now(UTC)
    # Fields are listed in the order they were created: one microsecond apart, in order.
    ticks = itertools.count(1)

    def field_row(object_id: str, name: str, label: str, kind: str, **values) -> dict:
        created = now + timedelta(microseconds=next(ticks))
        return {
            "id": str(uuid.uuid4()),
            "workspace_id": workspace_id,
            "object_id": object_id,
            "name": name,
            "label": label,
            "type": kind,
            "description": None,
            "icon": None,
            "is_custom": False,
            "is_system": False,
            "is_active": True,
            "is_nullable": True,
            "is_unique": False,
            "default_value": None,
            "options": None,
            "settings": None,
            "created_at": created,
            "updated_at": created,
            **values,
        }

    attachment_id = str(uuid.uuid4())
    own = [
        field_row(
            attachment_id,
            name,
            label,
            kind,
            is_system=is_system,
            is_nullable=nullable,
            default_value=default,
            description=description,
            options=options,
            settings=settings,
        )
        for name, label, kind, is_system, nullable, default, description, options, settings in (
            ATTACHMENT_FIELDS
        )
    ]
    connection.execute(
        sa.insert(objects).values(
            id=attachment_id,
            workspace_id=workspace_id,
            name_singular="attachment",
            name_plural="attachments",
            label_singular="Attachment",
            label_plural="Attachments",
            description="An attachment",
            icon=None,
            is_custom=False,
            is_active=True,
            is_searchable=True,
            duplicate_criteria=None,
            label_identifier_field_id=next(row["id"] for row in own if row["name"] == "name"),
            created_at=now,
            updated_at=now,
        )
    )
    inverses = [
        field_row(
            targets[target],
            "attachments",
            "Attachments",
            "RELATION",
            settings={
                "relationType": "ONE_TO_MANY",
                "targetObject": "attachment",
                "targetFieldName": target,
            },
        )
        for target, _ in TARGETS
    ]
    connection.execute(sa.insert(fields), own + inverses)
    return True


def _index_attachment_paths(connection: sa.engine.Connection) -> None:
    """The expression indexes a new workspace's attachment fields get (crm.indexes): shared
    by every object with the path, so most exist already."""
    dialect = connection.dialect.name
    for path in INDEXED_PATHS:
        expression = document_expression_sql(dialect, (path,), ValueKind.TEXT)
        predicate = f" WHERE {expression} IS NOT NULL" if dialect == "postgresql" else ""
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {index_name((path,), ValueKind.TEXT)} "
            f"ON record (object_id, {expression}, position, id){predicate}"
        )


def downgrade() -> None:
    connection = op.get_bind()
    attachment_objects = sa.select(objects.c.id).where(
        objects.c.name_singular == "attachment", objects.c.is_custom.is_(False)
    )
    records = sa.table("record", sa.column("object_id", sa.String))
    connection.execute(sa.delete(records).where(records.c.object_id.in_(attachment_objects)))
    connection.execute(
        sa.delete(fields).where(
            sa.or_(
                fields.c.object_id.in_(attachment_objects),
                sa.and_(
                    fields.c.name == "attachments",
                    fields.c.is_custom.is_(False),
                    fields.c.type == "RELATION",
                ),
            )
        )
    )
    connection.execute(sa.delete(objects).where(objects.c.id.in_(attachment_objects)))
    connection.execute(
        sa.update(workspaces).values(metadata_version=workspaces.c.metadata_version + 1)
    )
    op.drop_index("ix_file_workspace_id", table_name="file")
    op.drop_table("file")
