"""Twenty parity: unique fields, duplicate criteria, both sides of relations, actor fields

Also label identifiers and the search-vector field on every object.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import json
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SYSTEM_ACTOR = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": {}}
SYSTEM_DEFAULTS = {"id": "uuid", "createdAt": "now", "updatedAt": "now", "position": 0}
# name, label, type, is_system, nullable, default, description
NEW_FIELDS = (
    ("searchVector", "Search vector", "TS_VECTOR", True, True, None,
     "Field used for full-text search"),
    ("createdBy", "Created by", "ACTOR", False, False, SYSTEM_ACTOR, "The creator of the record"),
    ("updatedBy", "Updated by", "ACTOR", False, False, SYSTEM_ACTOR,
     "The workspace member who last updated the record"),
)  # fmt: skip
STANDARD_INVERSES = {
    ("person", "company"): ("people", "People"),
    ("opportunity", "company"): ("opportunities", "Opportunities"),
    ("opportunity", "pointOfContact"): ("pointOfContactForOpportunities", "Linked Opportunities"),
}
STANDARD_CRITERIA = {
    "company": [["name"], ["domainName.primaryLinkUrl"]],
    "person": [["name.firstName", "name.lastName"], ["linkedinLink.primaryLinkUrl"],
               ["emails.primaryEmail"]],
}  # fmt: skip
STANDARD_UNIQUE = {
    "company": ("domainName", "primaryLinkUrl"),
    "person": ("emails", "primaryEmail"),
}

objects = sa.table(
    "object_metadata",
    sa.column("id", sa.String),
    sa.column("workspace_id", sa.String),
    sa.column("name_singular", sa.String),
    sa.column("name_plural", sa.String),
    sa.column("label_plural", sa.String),
    sa.column("is_custom", sa.Boolean),
    sa.column("duplicate_criteria", sa.JSON),
    sa.column("label_identifier_field_id", sa.String),
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
records = sa.table(
    "record",
    sa.column("id", sa.String),
    sa.column("object_id", sa.String),
    sa.column("data", sa.JSON),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
)
unique_keys = sa.table(
    "record_unique_key",
    sa.column("object_id", sa.String),
    sa.column("field_name", sa.String),
    sa.column("value", sa.String),
    sa.column("record_id", sa.String),
)
workspaces = sa.table(
    "workspace", sa.column("id", sa.String), sa.column("metadata_version", sa.Integer)
)


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite's batch mode would rebuild tables that rows reference.
    op.add_column(
        "object_metadata",
        sa.Column("is_searchable", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("object_metadata", sa.Column("duplicate_criteria", sa.JSON(), nullable=True))
    op.add_column(
        "object_metadata",
        sa.Column(
            "label_identifier_field_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True
        ),
    )
    op.add_column(
        "field_metadata",
        sa.Column("is_unique", sa.Boolean(), nullable=False, server_default=sa.false()),
    )

    op.create_table(
        "record_unique_key",
        sa.Column("object_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("field_name", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("object_id", "field_name", "value"),
    )
    with op.batch_alter_table("record_unique_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_unique_key_record_id"), ["record_id"], unique=False
        )

    _upgrade_metadata(op.get_bind())


def _upgrade_metadata(connection: sa.engine.Connection) -> None:
    """Bring every existing workspace's metadata to what new workspaces get."""
    now = datetime.now(UTC)
    object_rows = connection.execute(sa.select(objects)).mappings().all()
    field_rows = connection.execute(sa.select(fields)).mappings().all()
    by_object: dict[str, dict[str, dict]] = {}
    for row in field_rows:
        by_object.setdefault(row["object_id"], {})[row["name"]] = dict(row)
    by_name = {(o["workspace_id"], o["name_singular"]): o for o in object_rows}

    def add_field(owner: dict, **values) -> None:
        row = {
            "id": str(uuid.uuid4()),
            "workspace_id": owner["workspace_id"],
            "object_id": owner["id"],
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
            "created_at": now,
            "updated_at": now,
            **values,
        }
        connection.execute(sa.insert(fields).values(**row))
        by_object.setdefault(owner["id"], {})[row["name"]] = row

    for owner in object_rows:
        own = by_object.get(owner["id"], {})
        for name, default in SYSTEM_DEFAULTS.items():
            if name in own and own[name]["default_value"] is None:
                connection.execute(
                    sa.update(fields)
                    .where(fields.c.id == own[name]["id"])
                    .values(default_value=default)
                )
        for name, label, kind, is_system, nullable, default, description in NEW_FIELDS:
            if name not in own:
                add_field(
                    owner,
                    name=name,
                    label=label,
                    type=kind,
                    is_system=is_system,
                    is_nullable=nullable,
                    default_value=default,
                    description=description,
                )
        identifier = own.get("name") or own.get("title")
        values: dict = {}
        if identifier is not None and owner["label_identifier_field_id"] is None:
            values["label_identifier_field_id"] = identifier["id"]
        if not owner["is_custom"] and owner["name_singular"] in STANDARD_CRITERIA:
            values["duplicate_criteria"] = STANDARD_CRITERIA[owner["name_singular"]]
        if values:
            connection.execute(
                sa.update(objects).where(objects.c.id == owner["id"]).values(**values)
            )

    for owner in object_rows:
        for field in list(by_object.get(owner["id"], {}).values()):
            settings = _settings(field["settings"])
            if field["type"] != "RELATION" or settings.get("targetFieldName"):
                continue
            target = by_name.get((owner["workspace_id"], settings.get("targetObject")))
            if target is None:
                continue
            inverse, label = _inverse_name(owner, field, target, by_object)
            connection.execute(
                sa.update(fields)
                .where(fields.c.id == field["id"])
                .values(
                    settings={
                        "relationType": "MANY_TO_ONE",
                        "targetObject": target["name_singular"],
                        "targetFieldName": inverse,
                    }
                )
            )
            add_field(
                target,
                name=inverse,
                label=label,
                type="RELATION",
                is_custom=field["is_custom"],
                settings={
                    "relationType": "ONE_TO_MANY",
                    "targetObject": owner["name_singular"],
                    "targetFieldName": field["name"],
                },
            )

    for owner in object_rows:
        unique = STANDARD_UNIQUE.get(owner["name_singular"])
        field = by_object.get(owner["id"], {}).get(unique[0]) if unique else None
        if owner["is_custom"] or field is None:
            continue
        _make_unique(connection, owner, field, unique[1])

    connection.execute(
        sa.update(workspaces).values(metadata_version=workspaces.c.metadata_version + 1)
    )


def _settings(value) -> dict:
    if isinstance(value, str):
        value = json.loads(value)
    return value or {}


def _inverse_name(owner: dict, field: dict, target: dict, by_object: dict) -> tuple[str, str]:
    standard = STANDARD_INVERSES.get((owner["name_singular"], field["name"]))
    if standard is not None and not field["is_custom"]:
        return standard
    taken = set(by_object.get(target["id"], {}))
    taken |= {f"{name}Id" for name in taken}
    plural = owner["name_plural"]
    candidates = [f"{field['name']}For{plural[:1].upper()}{plural[1:]}"]
    if owner["id"] != target["id"]:
        candidates.insert(0, plural)
    for candidate in candidates:
        if candidate not in taken:
            return candidate, owner["label_plural"]
    return f"{candidates[-1]}{uuid.uuid4().hex[:6]}", owner["label_plural"]


def _make_unique(connection: sa.engine.Connection, owner: dict, field: dict, sub: str) -> None:
    """Mark a standard field unique and claim its values, unless live records share one."""
    claims: dict[str, str] = {}
    rows = connection.execute(
        sa.select(records.c.id, records.c.data).where(
            records.c.object_id == owner["id"], records.c.deleted_at.is_(None)
        )
    )
    for record_id, data in rows:
        value = (_settings(data).get(field["name"]) or {}).get(sub)
        if value in (None, ""):
            continue
        if value in claims:
            return  # shared values: the field stays as it was
        claims[value] = record_id
    connection.execute(sa.update(fields).where(fields.c.id == field["id"]).values(is_unique=True))
    if claims:
        connection.execute(
            sa.insert(unique_keys),
            [
                {
                    "object_id": owner["id"],
                    "field_name": field["name"],
                    "value": value,
                    "record_id": record_id,
                }
                for value, record_id in claims.items()
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("record_unique_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_unique_key_record_id"))
    op.drop_table("record_unique_key")
    op.drop_column("field_metadata", "is_unique")
    for column in ("label_identifier_field_id", "duplicate_criteria", "is_searchable"):
        op.drop_column("object_metadata", column)
