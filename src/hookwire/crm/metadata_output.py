"""Objects and fields as the metadata APIs show them (Twenty's ``Object``, ``Field`` and
``Relation`` shapes), read once per request for a whole workspace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlmodel import Session, select

from hookwire.crm.documents import iso_timestamp
from hookwire.crm.field_settings import readable_settings
from hookwire.crm.field_types import FieldType, RelationType
from hookwire.models import FieldMetadata, ObjectMetadata

# What a relation's ends show over REST: Twenty's REST metadata selects just these.
_OBJECT_SUMMARY = ("id", "nameSingular", "namePlural")
_FIELD_SUMMARY = ("id", "name")
# Values a client must change nothing to edit: the UI leaves system fields alone, and the
# server fills ACTOR fields (createdBy/updatedBy) from the caller.
_UI_READ_ONLY_TYPES = frozenset({FieldType.ACTOR})


def field_output(row: FieldMetadata | Row) -> dict[str, Any]:
    """One field (a model or a plain row) as Twenty's ``Field`` node shows it, relations
    aside: see ``WorkspaceMetadata.relation``."""
    return {
        "id": row.id,
        "objectMetadataId": row.object_id,
        "type": row.type,
        "name": row.name,
        "label": row.label,
        "description": row.description,
        "icon": row.icon,
        "standardOverrides": None,
        "isCustom": row.is_custom,
        "isActive": row.is_active,
        "isSystem": row.is_system,
        "isUIReadOnly": row.is_system or row.type in _UI_READ_ONLY_TYPES,
        "isNullable": row.is_nullable,
        "isUnique": row.is_unique,
        "defaultValue": row.default_value,
        "options": row.options,
        "settings": row.settings,
        "isLabelSyncedWithName": False,
        "applicationId": None,  # no applications yet: every field is the workspace's own
        # Twenty keeps one row per target of a morph relation, tied by ``morphId``; a morph
        # relation here is one row, so its own id ties its targets together.
        "morphId": row.id if row.type == FieldType.MORPH_RELATION else None,
        "createdAt": iso_timestamp(row.created_at),
        "updatedAt": iso_timestamp(row.updated_at),
    }


def object_output(row: ObjectMetadata, fields: Iterable[FieldMetadata | Row]) -> dict[str, Any]:
    """One object as Twenty's ``Object`` node shows it, with its fields under ``fields``."""
    return {
        "id": row.id,
        "nameSingular": row.name_singular,
        "namePlural": row.name_plural,
        "labelSingular": row.label_singular,
        "labelPlural": row.label_plural,
        "description": row.description,
        "icon": row.icon,
        "standardOverrides": None,
        "shortcut": None,
        "isCustom": row.is_custom,
        "isRemote": False,
        "isActive": row.is_active,
        "isSystem": False,
        "isUIReadOnly": False,
        "isSearchable": row.is_searchable,
        "applicationId": None,
        "labelIdentifierFieldMetadataId": row.label_identifier_field_id,
        "imageIdentifierFieldMetadataId": None,
        "isLabelSyncedWithName": False,
        "duplicateCriteria": duplicate_criteria_output(row.duplicate_criteria),
        "createdAt": iso_timestamp(row.created_at),
        "updatedAt": iso_timestamp(row.updated_at),
        "fields": [field_output(f) for f in fields],
    }


def duplicate_criteria_output(groups: list[list[str]] | None) -> list[list[str]] | None:
    """Twenty's column names for field paths: ``name.firstName`` is ``nameFirstName``."""
    if groups is None:
        return None
    return [[_column_name(path) for path in group] for group in groups]


def _column_name(path: str) -> str:
    field, _, subfield = path.partition(".")
    return field + subfield[:1].upper() + subfield[1:]


def object_fields(session: Session, object_ids: list[str]) -> dict[str, list[Row]]:
    """The fields of each object, oldest first, as plain rows of ``field_metadata``: a
    workspace has thousands, which the ORM would take most of a request to build."""
    table = FieldMetadata.__table__
    rows = session.execute(
        sa.select(table)
        .where(table.c.object_id.in_(object_ids))
        .order_by(table.c.created_at, table.c.id)
    ).all()
    grouped: dict[str, list[Row]] = {object_id: [] for object_id in object_ids}
    for row in rows:
        grouped[row.object_id].append(row)
    return grouped


class WorkspaceMetadata:
    """Every object of a workspace with its fields, as outputs, and the relations between
    them: what ``relation``, ``morphRelations`` and ``object`` on a field point to.

    :param objects: object outputs (``object_output``), oldest first.
    """

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.objects = objects
        self._objects_by_id = {o["id"]: o for o in objects}
        self._objects_by_name = {o["nameSingular"]: o for o in objects}
        self._fields_by_id = {f["id"]: f for o in objects for f in o["fields"]}

    @classmethod
    def load(cls, session: Session, workspace_id: str) -> WorkspaceMetadata:
        rows = session.exec(
            select(ObjectMetadata)
            .where(ObjectMetadata.workspace_id == workspace_id)
            .order_by(ObjectMetadata.created_at, ObjectMetadata.name_singular)
        ).all()
        fields = object_fields(session, [row.id for row in rows])
        return cls([object_output(row, fields[row.id]) for row in rows])

    def fields(self) -> list[dict[str, Any]]:
        """Every field of every object, object by object."""
        return list(self._fields_by_id.values())

    def object(self, object_id: str) -> dict[str, Any] | None:
        return self._objects_by_id.get(object_id)

    def field(self, field_id: str) -> dict[str, Any] | None:
        return self._fields_by_id.get(field_id)

    def relation(self, field: dict[str, Any]) -> dict[str, Any] | None:
        """Twenty's ``Relation`` of a RELATION field: its type, this side as the source and
        the inverse field on the target object; None for other fields."""
        if field["type"] != FieldType.RELATION:
            return None
        settings = readable_settings(field["type"], field["settings"])
        kind = RelationType(settings.get("relationType", RelationType.MANY_TO_ONE))
        return self._relation(field, kind, settings.get("targetObject"))

    def morph_relations(self, field: dict[str, Any]) -> list[dict[str, Any]] | None:
        """One many-to-one ``Relation`` per target of a MORPH_RELATION field; None for others."""
        if field["type"] != FieldType.MORPH_RELATION:
            return None
        targets = readable_settings(field["type"], field["settings"]).get("targetObjects") or ()
        relations = (self._relation(field, RelationType.MANY_TO_ONE, t) for t in targets)
        return [relation for relation in relations if relation is not None]

    def _relation(
        self, field: dict[str, Any], kind: RelationType, target_name: str | None
    ) -> dict[str, Any] | None:
        source = self._objects_by_id.get(field["objectMetadataId"])
        target = self._objects_by_name.get(target_name or "")
        inverse = self._inverse(field, source, target) if source and target else None
        if inverse is None:
            return None  # a side is gone (deleted just now): nothing to point to
        return {
            "type": kind.value,
            "sourceObjectMetadata": source,
            "targetObjectMetadata": target,
            "sourceFieldMetadata": field,
            "targetFieldMetadata": inverse,
        }

    @staticmethod
    def _inverse(
        field: dict[str, Any], source: dict[str, Any], target: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The field on ``target`` that is the other side: named by ``targetFieldName`` (a
        morph relation: ``targetFieldNames[target]``), or else the one whose settings point
        back at ``field``."""
        settings = readable_settings(field["type"], field["settings"])
        named = settings.get("targetFieldName") or (settings.get("targetFieldNames") or {}).get(
            target["nameSingular"]
        )
        for candidate in target["fields"]:
            settings = readable_settings(candidate["type"], candidate["settings"])
            if named is not None:
                if candidate["name"] == named:
                    return candidate
            elif (
                settings.get("targetObject") == source["nameSingular"]
                and settings.get("targetFieldName") == field["name"]
            ):
                return candidate
        return None


def relation_summary(relation: dict[str, Any] | None) -> dict[str, Any] | None:
    """A relation as Twenty's REST metadata shows it: ids and names of both ends."""
    if relation is None:
        return None
    return {
        "type": relation["type"],
        "sourceObjectMetadata": _pick(relation["sourceObjectMetadata"], _OBJECT_SUMMARY),
        "targetObjectMetadata": _pick(relation["targetObjectMetadata"], _OBJECT_SUMMARY),
        "sourceFieldMetadata": _pick(relation["sourceFieldMetadata"], _FIELD_SUMMARY),
        "targetFieldMetadata": _pick(relation["targetFieldMetadata"], _FIELD_SUMMARY),
    }


def _pick(node: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: node[key] for key in keys}
