"""Objects and fields of a workspace: create, change, delete, each change validated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from jsonschema import Draft202012Validator
from sqlmodel import Session, select

from hookwire.crm.catalog import OPTION_VALUE_PATTERN, field_spec, is_name, load_catalog
from hookwire.crm.expressions import document_expression
from hookwire.crm.field_settings import check_settings, readable_settings
from hookwire.crm.field_types import (
    OPTION_TYPES,
    SCALAR_KINDS,
    FieldType,
    ValueKind,
    relation_column,
    value_schema,
)
from hookwire.crm.indexes import ensure_field_indexes
from hookwire.crm.relation_fields import RelationPlan, counterparts_of, plan_relation, taken_names
from hookwire.crm.search import reindex_object, search_field_names
from hookwire.crm.standard_objects import (
    ACTOR_FIELDS,
    SYSTEM_FIELDS,
    FieldDefinition,
    ObjectDefinition,
)
from hookwire.crm.unique_keys import UniqueScope, claim, release_field
from hookwire.crm.validation import FORMAT_CHECKER
from hookwire.errors import BadRequest, NotFound
from hookwire.models import FieldMetadata, ObjectMetadata, Record, Workspace, utcnow

# Object names that would collide with API routes, GraphQL root fields or shared types.
RESERVED_OBJECT_NAMES = frozenset(
    {
        "object", "objects", "field", "fields", "metadata", "batch", "restore", "core",
        "webhook", "webhooks", "apiKey", "apiKeys", "workspace", "workspaces",
        "currentWorkspace", "graphql", "openApi", "event", "events", "relation", "relations",
        "query", "mutation", "subscription", "node", "edge", "edges", "pageInfo",
        "totalCount", "cursor", "search", "duplicates", "string", "int", "float", "boolean",
        "uuid", "date", "dateTime", "bigFloat", "json", "fullName", "emails", "phones",
        "links", "currency", "address", "filterIs", "orderByDirection", "ratingEnum",
        "cursorPaging", "fieldMetadataType", "actor", "fileObject", "tSVector",
        "searchRecord", "searchResult", "searchResultPageInfo", "objectRecord", "relationType",
        "workspaceMember", "upload", "fileFolder", "signedFile", "fileWithSignedUrl", "file",
        "files",
    }
)  # fmt: skip
# Suffixes of the GraphQL types generated per object (PersonEdge, PersonFilterInput, ...).
RESERVED_OBJECT_SUFFIXES = (
    "Edge", "Connection", "Input", "Enum", "Filter", "OrderBy", "Duplicates", "GroupBy",
)  # fmt: skip
# Field names taken by system fields and by the filter and mutation vocabulary.
RESERVED_FIELD_NAMES = frozenset(
    {
        "id", "createdAt", "updatedAt", "deletedAt", "position", "searchVector", "createdBy",
        "updatedBy", "and", "or", "not",
    }
)  # fmt: skip


def bump_version(session: Session, workspace_id: str) -> None:
    session.execute(
        sa.update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(metadata_version=Workspace.metadata_version + 1)
    )


def _check_object_name(name: Any, what: str) -> str:
    _check_name(name, what)
    if name in RESERVED_OBJECT_NAMES or name.endswith(RESERVED_OBJECT_SUFFIXES):
        raise BadRequest(f"{what}: '{name}' is reserved; choose another name")
    return name


def _check_field_name(name: Any) -> str:
    _check_name(name, "name")
    if name in RESERVED_FIELD_NAMES:
        raise BadRequest(f"name: '{name}' is reserved for a system field; choose another name")
    return name


def _check_name(name: Any, what: str) -> str:
    if not is_name(name):  # fullmatch: "widget\n" is no name
        raise BadRequest(
            f"{what}: expected a camelCase name (a lowercase letter, then letters or digits, "
            f"63 characters at most), got {name!r}"
        )
    return name


def _check_label(label: Any, what: str) -> str:
    if not isinstance(label, str) or not label.strip() or len(label) > 200:
        raise BadRequest(f"{what}: expected a non-empty string of at most 200 characters")
    return label.strip()


def _check_text(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{what}: expected a string or null")
    return value


def _check_bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise BadRequest(f"{what}: expected true or false, got {value!r}")
    return value


Checker = Callable[[Any, str], Any]


def _apply_checked(
    row: Any, body: dict[str, Any], attributes: dict[str, tuple[str, Checker]]
) -> None:
    """Set each attribute whose camelCase key ``body`` carries, once its check passes."""
    for key, (attribute, check) in attributes.items():
        if key in body:
            setattr(row, attribute, check(body[key], key))


def _unknown_keys(body: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequest(
            f"{what}: unknown propert{'ies' if len(unknown) > 1 else 'y'} "
            f"{', '.join(unknown)}; expected some of {', '.join(sorted(allowed))}"
        )


def _require_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest(f"{what}: expected a JSON object")
    return body


# objects

OBJECT_CREATE_KEYS = {
    "nameSingular", "namePlural", "labelSingular", "labelPlural", "description", "icon",
    "isActive",
}  # fmt: skip
OBJECT_UPDATE_KEYS = OBJECT_CREATE_KEYS
_OBJECT_ATTRIBUTES: dict[str, tuple[str, Checker]] = {
    "labelSingular": ("label_singular", _check_label),
    "labelPlural": ("label_plural", _check_label),
    "description": ("description", _check_text),
    "icon": ("icon", _check_text),
    "isActive": ("is_active", _check_bool),
}


def get_object(session: Session, workspace_id: str, object_id: str) -> ObjectMetadata:
    row = session.get(ObjectMetadata, object_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"object with id {object_id} not found")
    return row


def _check_object_names(
    session: Session, workspace_id: str, singular: str, plural: str, exclude_id: str | None
) -> None:
    if singular == plural:
        raise BadRequest("nameSingular and namePlural must be different")
    taken = session.exec(
        select(ObjectMetadata).where(
            ObjectMetadata.workspace_id == workspace_id,
            sa.or_(
                ObjectMetadata.name_singular.in_([singular, plural]),
                ObjectMetadata.name_plural.in_([singular, plural]),
            ),
        )
    ).all()
    clash = next((o for o in taken if o.id != exclude_id), None)
    if clash is not None:
        raise BadRequest(
            f"an object named '{clash.name_singular}'/'{clash.name_plural}' already exists; "
            "choose other names"
        )


def create_object(session: Session, workspace_id: str, body: Any) -> ObjectMetadata:
    body = _require_object(body, "object")
    _unknown_keys(body, OBJECT_CREATE_KEYS, "object")
    for key in ("nameSingular", "namePlural", "labelSingular", "labelPlural"):
        if key not in body:
            raise BadRequest(f"{key}: required")
    singular = _check_object_name(body["nameSingular"], "nameSingular")
    plural = _check_object_name(body["namePlural"], "namePlural")
    _check_object_names(session, workspace_id, singular, plural, exclude_id=None)
    definition = ObjectDefinition(
        singular,
        plural,
        _check_label(body["labelSingular"], "labelSingular"),
        _check_label(body["labelPlural"], "labelPlural"),
        # A custom object starts with a text `name` field that names its records, as in Twenty.
        fields=(FieldDefinition("name", "Name", FieldType.TEXT, default_value=""),),
        description=_check_text(body.get("description"), "description"),
    )
    row = add_object(session, workspace_id, definition, is_custom=True)
    row.icon = _check_text(body.get("icon"), "icon")
    row.is_active = _check_bool(body.get("isActive", True), "isActive")
    bump_version(session, workspace_id)
    return row


def add_object(
    session: Session, workspace_id: str, definition: ObjectDefinition, *, is_custom: bool
) -> ObjectMetadata:
    """Insert an object with its system fields and ``definition``'s fields (no checks)."""
    criteria = definition.duplicate_criteria
    row = ObjectMetadata(
        workspace_id=workspace_id,
        name_singular=definition.name_singular,
        name_plural=definition.name_plural,
        label_singular=definition.label_singular,
        label_plural=definition.label_plural,
        description=definition.description,
        is_custom=is_custom,
        duplicate_criteria=[list(group) for group in criteria] if criteria else None,
    )
    session.add(row)
    session.flush()
    for system_field in SYSTEM_FIELDS:
        add_field(session, row, system_field, is_custom=False, is_system=True)
    for actor_field in ACTOR_FIELDS:
        add_field(session, row, actor_field, is_custom=False)
    for standard_field in definition.fields:
        added = add_field(session, row, standard_field, is_custom=is_custom)
        if standard_field.name == definition.label_identifier:
            row.label_identifier_field_id = added.id
    session.add(row)
    return row


def update_object(session: Session, workspace_id: str, object_id: str, body: Any) -> ObjectMetadata:
    body = _require_object(body, "object")
    _unknown_keys(body, OBJECT_UPDATE_KEYS, "object")
    row = get_object(session, workspace_id, object_id)
    if "nameSingular" in body or "namePlural" in body:
        if not row.is_custom:
            raise BadRequest("the names of a standard object cannot change")
        singular = _check_object_name(body.get("nameSingular", row.name_singular), "nameSingular")
        plural = _check_object_name(body.get("namePlural", row.name_plural), "namePlural")
        _check_object_names(session, workspace_id, singular, plural, exclude_id=row.id)
        if singular != row.name_singular:
            _retarget_relations(session, workspace_id, row.name_singular, singular)
        row.name_singular, row.name_plural = singular, plural
    _apply_checked(row, body, _OBJECT_ATTRIBUTES)
    row.updated_at = utcnow()
    session.add(row)
    bump_version(session, workspace_id)
    return row


def _relation_fields(session: Session, workspace_id: str) -> list[FieldMetadata]:
    return list(
        session.exec(
            select(FieldMetadata).where(
                FieldMetadata.workspace_id == workspace_id,
                FieldMetadata.type.in_([FieldType.RELATION, FieldType.MORPH_RELATION]),
            )
        ).all()
    )


def _retarget_relations(session: Session, workspace_id: str, old: str, new: str) -> None:
    """Relation fields name their target by ``nameSingular``: follow the object's rename."""
    for field in _relation_fields(session, workspace_id):
        settings = readable_settings(field.type, field.settings)
        if old in (settings.get("targetObjects") or ()):
            # Its records keep the target's name in their keys (``ownerPersonId``).
            raise BadRequest(
                f"nameSingular: the morph relation '{field.name}' targets '{old}', which "
                "therefore keeps its name"
            )
        if settings.get("targetObject") == old:
            field.settings = {**settings, "targetObject": new}
            field.updated_at = utcnow()
            session.add(field)


def delete_object(session: Session, workspace_id: str, object_id: str) -> ObjectMetadata:
    row = get_object(session, workspace_id, object_id)
    if not row.is_custom:
        raise BadRequest("standard objects cannot be deleted; deactivate them with isActive")
    elsewhere = [f for f in _relation_fields(session, workspace_id) if f.object_id != row.id]
    users = [
        f.name for f in elsewhere if _points_at(f, row.name_singular) and field_spec(f).join_columns
    ]
    if users:
        raise BadRequest(
            f"object '{row.name_singular}' is the target of relation fields {', '.join(users)}; "
            "delete them first"
        )
    # What is left pointing here are the other sides of this object's own relations.
    for inverse in (f for f in elsewhere if _points_at(f, row.name_singular)):
        session.delete(inverse)
    session.execute(sa.delete(Record).where(Record.object_id == row.id))
    session.execute(sa.delete(FieldMetadata).where(FieldMetadata.object_id == row.id))
    session.delete(row)
    bump_version(session, workspace_id)
    return row


def _points_at(field: FieldMetadata, object_name: str) -> bool:
    settings = readable_settings(field.type, field.settings)
    return settings.get("targetObject") == object_name or object_name in (
        settings.get("targetObjects") or ()
    )


# fields

FIELD_CREATE_KEYS = {
    "objectMetadataId", "name", "label", "type", "description", "icon", "isActive",
    "isNullable", "isUnique", "defaultValue", "options", "settings", "relationCreationPayload",
}  # fmt: skip
FIELD_UPDATE_KEYS = {
    "label",
    "description",
    "icon",
    "isActive",
    "isNullable",
    "isUnique",
    "defaultValue",
    "options",
}
# Field types a client may not create: the server keeps their values.
SERVER_FIELD_TYPES = frozenset({FieldType.TS_VECTOR, FieldType.ACTOR, FieldType.POSITION})
UNIQUE_FIELD_TYPES = frozenset(
    {
        FieldType.TEXT, FieldType.NUMBER, FieldType.NUMERIC, FieldType.UUID, FieldType.DATE,
        FieldType.DATE_TIME, FieldType.SELECT, FieldType.RATING, FieldType.EMAILS,
        FieldType.LINKS, FieldType.PHONES,
    }
)  # fmt: skip
_FIELD_ATTRIBUTES: dict[str, tuple[str, Checker]] = {
    "label": ("label", _check_label),
    "description": ("description", _check_text),
    "icon": ("icon", _check_text),
    "isActive": ("is_active", _check_bool),
}


def get_field(session: Session, workspace_id: str, field_id: str) -> FieldMetadata:
    row = session.get(FieldMetadata, field_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"field with id {field_id} not found")
    return row


def _check_options(field_type: FieldType, options: Any) -> list[dict[str, Any]] | None:
    if field_type not in OPTION_TYPES:
        if options is not None:
            raise BadRequest(
                f"options: only SELECT and MULTI_SELECT fields have options, not {field_type}"
            )
        return None
    if not isinstance(options, list) or not options:
        raise BadRequest(
            f"options: a {field_type} field needs a non-empty list of "
            '{"value": "UPPER_CASE", "label": "Shown name"} objects'
        )
    checked, seen = [], set()
    for index, option in enumerate(options):
        where = f"options[{index}]"
        if not isinstance(option, dict):
            raise BadRequest(f"{where}: expected an object with value and label")
        _unknown_keys(option, {"id", "value", "label", "position", "color"}, where)
        value = option.get("value")
        if not isinstance(value, str) or not OPTION_VALUE_PATTERN.fullmatch(value):
            raise BadRequest(
                f"{where}.value: expected UPPER_SNAKE_CASE (e.g. IN_PROGRESS), got {value!r}"
            )
        if value in seen:
            raise BadRequest(f"{where}.value: '{value}' appears twice; values must be unique")
        seen.add(value)
        checked.append(
            {
                "id": _check_text(option.get("id"), f"{where}.id") or f"option-{value.lower()}",
                "value": value,
                "label": _check_label(option.get("label"), f"{where}.label"),
                "position": _check_position(option.get("position", index), f"{where}.position"),
                "color": _check_text(option.get("color"), f"{where}.color") or "gray",
            }
        )
    return checked


def _check_position(value: Any, what: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{what}: expected a number, got {value!r}")
    return value


def _check_default(field_type: FieldType, options: list | None, default: Any) -> Any:
    if default is None:
        return None
    if field_type in (FieldType.RELATION, FieldType.MORPH_RELATION):
        raise BadRequest("defaultValue: relation fields cannot have a default")
    errors = list(
        Draft202012Validator(
            value_schema(field_type, options), format_checker=FORMAT_CHECKER
        ).iter_errors(default)
    )
    if errors:
        raise BadRequest(f"defaultValue: {errors[0].message} (for a {field_type} field)")
    return default


def _check_unique(field_type: FieldType, value: Any) -> bool:
    unique = _check_bool(value, "isUnique")
    if unique and field_type not in UNIQUE_FIELD_TYPES:
        allowed = ", ".join(sorted(UNIQUE_FIELD_TYPES))
        raise BadRequest(f"isUnique: a {field_type} field cannot be unique; {allowed} can")
    return unique


def create_field(session: Session, workspace_id: str, body: Any) -> FieldMetadata:
    body = _require_object(body, "field")
    _unknown_keys(body, FIELD_CREATE_KEYS, "field")
    for key in ("objectMetadataId", "name", "label", "type"):
        if key not in body:
            raise BadRequest(f"{key}: required")
    owner = get_object(session, workspace_id, str(body["objectMetadataId"]))
    name = _check_field_name(body["name"])
    try:
        field_type = FieldType(body["type"])
    except ValueError:
        raise BadRequest(
            f"type: expected one of {', '.join(t.value for t in FieldType)}, got {body['type']!r}"
        ) from None
    if field_type in SERVER_FIELD_TYPES:
        raise BadRequest(f"type: {field_type} fields are kept by the server; choose another type")
    taken = taken_names(session, owner.id)
    storage = relation_column(name) if field_type is FieldType.RELATION else name
    if name in taken or storage in taken:
        clash = name if name in taken else storage
        raise BadRequest(f"name: object '{owner.name_singular}' already has a field '{clash}'")
    label = _check_label(body["label"], "label")
    plan = _relation_plan(session, owner, name, label, field_type, body)
    options = _check_options(field_type, body.get("options"))
    definition = FieldDefinition(
        name=name,
        label=label,
        type=field_type,
        is_nullable=_check_bool(body.get("isNullable", True), "isNullable"),
        default_value=_check_default(field_type, options, body.get("defaultValue")),
        options=options,
        settings=plan.settings if plan else check_settings(field_type, body.get("settings")),
        description=_check_text(body.get("description"), "description"),
        is_unique=_check_unique(field_type, body.get("isUnique", False)),
    )
    if (
        not definition.is_nullable
        and definition.default_value is None
        and _has_records(session, owner.id)
    ):
        raise BadRequest(
            "isNullable: a non-nullable field added to an object with records needs a defaultValue"
        )
    row = add_field(session, owner, definition, is_custom=True)
    row.icon = _check_text(body.get("icon"), "icon")
    row.is_active = _check_bool(body.get("isActive", True), "isActive")
    for counterpart in plan.counterparts if plan else ():
        other = FieldDefinition(
            counterpart.name, counterpart.label, FieldType.RELATION, settings=counterpart.settings
        )
        added = add_field(session, counterpart.target, other, is_custom=True)
        added.icon = counterpart.icon  # Twenty's relationCreationPayload.targetFieldIcon
    if definition.default_value is not None:
        _backfill(session, owner.id, storage, definition.default_value)
    if definition.is_unique:
        _claim_existing(session, row)
    bump_version(session, workspace_id)
    return row


def _relation_plan(
    session: Session,
    owner: ObjectMetadata,
    name: str,
    label: str,
    field_type: FieldType,
    body: dict[str, Any],
) -> RelationPlan | None:
    payload = body.get("relationCreationPayload")
    if field_type not in (FieldType.RELATION, FieldType.MORPH_RELATION):
        if payload is not None:
            raise BadRequest(
                f"relationCreationPayload: only RELATION fields have one, not {field_type}"
            )
        return None
    settings = body.get("settings")
    if isinstance(settings, dict):
        check_settings(field_type, settings)
    return plan_relation(session, owner, name, label, field_type, settings, payload)


def _claim_existing(session: Session, row: FieldMetadata) -> None:
    """Claim the values the live records of ``row``'s object hold for it, now unique."""
    owner = session.get(ObjectMetadata, row.object_id)
    documents = {
        record.id: record.data or {}
        for record in session.exec(
            select(Record).where(Record.object_id == row.object_id, Record.deleted_at.is_(None))
        )
    }
    try:
        scope = UniqueScope(
            row.object_id, owner.name_singular, (field_spec(row),), owner.workspace_id
        )
        claim(session, scope, documents)
    except BadRequest as taken:
        raise BadRequest(
            f"isUnique: records of '{owner.name_singular}' share values of '{row.name}'; "
            f"make them distinct first ({taken.messages[0]})"
        ) from None


def add_field(
    session: Session,
    owner: ObjectMetadata,
    definition: FieldDefinition,
    is_custom: bool,
    *,
    is_system: bool = False,
) -> FieldMetadata:
    row = FieldMetadata(
        workspace_id=owner.workspace_id,
        object_id=owner.id,
        name=definition.name,
        label=definition.label,
        type=definition.type,
        description=definition.description,
        is_custom=is_custom,
        is_system=is_system,
        is_nullable=definition.is_nullable,
        is_unique=definition.is_unique,
        default_value=definition.default_value,
        options=definition.options,
        settings=definition.settings,
    )
    session.add(row)
    session.flush()
    ensure_field_indexes(session.connection(), field_spec(row))
    return row


def update_field(session: Session, workspace_id: str, field_id: str, body: Any) -> FieldMetadata:
    body = _require_object(body, "field")
    if "name" in body or "type" in body:
        raise BadRequest("name and type of a field cannot change; create a new field instead")
    _unknown_keys(body, FIELD_UPDATE_KEYS, "field")
    row = get_field(session, workspace_id, field_id)
    if row.is_system:
        raise BadRequest(f"field '{row.name}' is a system field and cannot change")
    field_type = FieldType(row.type)
    if "options" in body:
        row.options = _check_options(field_type, body["options"])
    if "defaultValue" in body or "options" in body:
        row.default_value = _check_default(
            field_type, row.options, body.get("defaultValue", row.default_value)
        )
    was_active = row.is_active
    _apply_checked(row, body, _FIELD_ATTRIBUTES)
    if "isUnique" in body and _check_unique(field_type, body["isUnique"]) != row.is_unique:
        row.is_unique = body["isUnique"]
        if row.is_unique:
            _claim_existing(session, row)
        else:
            release_field(session, row.object_id, row.name)
    if "isNullable" in body:
        row.is_nullable = _check_bool(body["isNullable"], "isNullable")
        if not row.is_nullable and _has_nulls(session, row):
            raise BadRequest(
                f"isNullable: some records have no value for '{row.name}'; "
                "fill them before making the field required"
            )
    row.updated_at = utcnow()
    session.add(row)
    if row.is_active != was_active and _feeds_search(session, row):
        _reindex(session, workspace_id, row.object_id)
    bump_version(session, workspace_id)
    return row


def _feeds_search(session: Session, row: FieldMetadata) -> bool:
    owner = session.get(ObjectMetadata, row.object_id)
    identifier = session.get(FieldMetadata, owner.label_identifier_field_id or "")
    names = search_field_names(owner.name_singular, identifier.name if identifier else None)
    return row.name in names


def _reindex(session: Session, workspace_id: str, object_id: str) -> None:
    """Rebuild an object's search documents from its fields as they now are."""
    session.flush()
    reindex_object(session, load_catalog(session, workspace_id).object_by_id(object_id))


def delete_field(session: Session, workspace_id: str, field_id: str) -> FieldMetadata:
    """Delete a custom field and its values; a relation goes with its other side."""
    row = get_field(session, workspace_id, field_id)
    if not row.is_custom:
        raise BadRequest(
            f"field '{row.name}' is a standard field and cannot be deleted; deactivate it instead"
        )
    for field in (row, *counterparts_of(session, row)):
        _strip_values(session, field)
        release_field(session, field.object_id, field.name)
        session.delete(field)
    bump_version(session, workspace_id)
    return row


def _strip_values(session: Session, row: FieldMetadata) -> None:
    """Remove the keys a deleted field kept in its object's record documents."""
    keys = field_spec(row).stored_keys
    if not keys:
        return
    if session.get_bind().dialect.name == "postgresql":
        stripped = Record.data
        for key in keys:
            stripped = stripped.op("-")(key)
    else:
        stripped = sa.func.json_remove(Record.data, *(f"$.{key}" for key in keys))
    session.execute(
        sa.update(Record).where(Record.object_id == row.object_id).values(data=stripped)
    )


def _has_records(session: Session, object_id: str) -> bool:
    return (
        session.exec(select(Record.id).where(Record.object_id == object_id).limit(1)).first()
        is not None
    )


def _has_nulls(session: Session, row: FieldMetadata) -> bool:
    spec = field_spec(row)
    kind = SCALAR_KINDS.get(spec.type, ValueKind.JSON)
    expression = document_expression(session.get_bind().dialect.name, (spec.storage_name,), kind)
    statement = select(Record.id).where(Record.object_id == row.object_id, expression.is_(None))
    return session.exec(statement.limit(1)).first() is not None


def _backfill(session: Session, object_id: str, key: str, value: Any) -> None:
    """Give existing records a new field's default, as a column default would."""
    for row in session.exec(select(Record).where(Record.object_id == object_id)).all():
        if key not in (row.data or {}):
            row.data = {**(row.data or {}), key: value}
            session.add(row)
