"""Relation fields come in pairs: creating, checking and deleting both sides together.

A many-to-one field (``person.company``) stores the id of a target record (``companyId``);
its inverse on the target (``company.people``) lists the records that point there. A morph
relation (``note.target`` to person or company) stores one id per target (``targetPersonId``,
``targetCompanyId``) and has an inverse on each target. Both sides name each other in their
settings: ``targetObject`` and ``targetFieldName``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from hookwire.crm.field_settings import readable_settings
from hookwire.crm.field_types import FieldType, RelationType, morph_field_name, relation_column
from hookwire.crm.standard_objects import inverse_relation, relation
from hookwire.errors import BadRequest
from hookwire.models import FieldMetadata, ObjectMetadata

RELATION_PAYLOAD_KEYS = {"type", "targetObjectMetadataId", "targetFieldLabel", "targetFieldIcon"}


@dataclass(frozen=True)
class Counterpart:
    """The field to create on ``target`` as the other side of a new relation field."""

    target: ObjectMetadata
    name: str
    label: str
    settings: dict[str, Any]
    icon: str | None = None


@dataclass(frozen=True)
class RelationPlan:
    """The new field's settings and the counterparts to create with it."""

    settings: dict[str, Any]
    counterparts: tuple[Counterpart, ...]


def taken_names(session: Session, object_id: str) -> set[str]:
    """Every name and document key an object's fields use (``company`` and ``companyId``)."""
    taken: set[str] = set()
    for field in session.exec(select(FieldMetadata).where(FieldMetadata.object_id == object_id)):
        taken.add(field.name)
        settings = readable_settings(field.type, field.settings)
        if field.type == FieldType.RELATION and settings.get("relationType") != "ONE_TO_MANY":
            taken.add(relation_column(field.name))
        for target in settings.get("targetObjects") or ():
            joined = morph_field_name(field.name, target)
            taken |= {joined, relation_column(joined)}
    return taken


def camel_case(label: str) -> str:
    """``"Linked People"`` as ``linkedPeople``."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    if not words:
        return ""
    first, *rest = words
    return first[:1].lower() + first[1:] + "".join(w[:1].upper() + w[1:] for w in rest)


def _object_named(session: Session, workspace_id: str, name: Any, what: str) -> ObjectMetadata:
    row = (
        session.exec(
            select(ObjectMetadata).where(
                ObjectMetadata.workspace_id == workspace_id, ObjectMetadata.name_singular == name
            )
        ).first()
        if isinstance(name, str)
        else None
    )
    if row is None:
        raise BadRequest(f"{what}: expected the nameSingular of an existing object, got {name!r}")
    return row


def _object_with_id(session: Session, workspace_id: str, object_id: Any) -> ObjectMetadata:
    row = session.get(ObjectMetadata, object_id) if isinstance(object_id, str) else None
    if row is None or row.workspace_id != workspace_id:
        raise BadRequest(
            "relationCreationPayload.targetObjectMetadataId: expected the id of an object of "
            f"this workspace, got {object_id!r}"
        )
    return row


def _free_name(
    session: Session, target: ObjectMetadata, wanted: str | None, candidates: list[str]
) -> str:
    """``wanted`` if given (400 when taken), else the first free candidate name."""
    taken = taken_names(session, target.id)
    if wanted is not None:
        if not re.fullmatch(r"[a-z][a-zA-Z0-9]{0,62}", wanted):
            raise BadRequest(f"settings.targetFieldName: expected a camelCase name, got {wanted!r}")
        if wanted in taken or relation_column(wanted) in taken:
            raise BadRequest(
                f"settings.targetFieldName: object '{target.name_singular}' already has a "
                f"field '{wanted}'"
            )
        return wanted
    free = next((c for c in candidates if c not in taken and relation_column(c) not in taken), None)
    if free is None:
        raise BadRequest(
            f"settings.targetFieldName: name the field to add to '{target.name_singular}' "
            "for the other side of this relation"
        )
    return free


def plan_relation(
    session: Session,
    owner: ObjectMetadata,
    name: str,
    label: str,
    field_type: FieldType,
    settings: Any,
    payload: Any,
) -> RelationPlan:
    """Check a new RELATION or MORPH_RELATION field's settings (ours, or Twenty's
    ``relationCreationPayload``) and plan the other side."""
    settings = settings if isinstance(settings, dict) else {}
    if payload is not None:
        settings = _settings_from_payload(session, owner.workspace_id, payload)
    wanted = settings.get("targetFieldName")
    wanted_label = settings.get("targetFieldLabel")
    icon = settings.get("targetFieldIcon")
    if icon is not None and not isinstance(icon, str):
        raise BadRequest(f"targetFieldIcon: expected an icon name such as IconUser, got {icon!r}")
    if field_type is FieldType.MORPH_RELATION:
        return _plan_morph(session, owner, name, settings, wanted)
    relation_type = settings.get("relationType", RelationType.MANY_TO_ONE.value)
    if relation_type not in (RelationType.MANY_TO_ONE, RelationType.ONE_TO_MANY):
        raise BadRequest(
            f"settings.relationType: expected MANY_TO_ONE or ONE_TO_MANY, got {relation_type!r}"
        )
    target = _object_named(
        session, owner.workspace_id, settings.get("targetObject"), "settings.targetObject"
    )
    self_relation = target.id == owner.id
    if relation_type == RelationType.MANY_TO_ONE:
        candidates = [f"{name}For{_capitalized(owner.name_plural)}"]
        if not self_relation:
            candidates.insert(0, owner.name_plural)
        inverse = _free_name(session, target, wanted, candidates)
        return RelationPlan(
            relation(target.name_singular, inverse),
            (
                Counterpart(
                    target,
                    inverse,
                    wanted_label or owner.label_plural,
                    inverse_relation(owner.name_singular, name),
                    icon,
                ),
            ),
        )
    candidates = [f"{name}Owner"] if self_relation else [owner.name_singular, f"{name}Owner"]
    inverse = _free_name(session, target, wanted, candidates)
    return RelationPlan(
        inverse_relation(target.name_singular, inverse),
        (
            Counterpart(
                target,
                inverse,
                wanted_label or label,
                relation(owner.name_singular, name),
                icon,
            ),
        ),
    )


def _plan_morph(
    session: Session, owner: ObjectMetadata, name: str, settings: dict, wanted: Any
) -> RelationPlan:
    names = settings.get("targetObjects")
    if not isinstance(names, list) or not names or len(set(map(str, names))) != len(names):
        raise BadRequest(
            "settings.targetObjects: a MORPH_RELATION field needs a list of distinct "
            'nameSingulars of existing objects, e.g. ["person", "company"]'
        )
    targets = [
        _object_named(session, owner.workspace_id, n, "settings.targetObjects") for n in names
    ]
    counterparts = []
    for target in targets:
        candidates = [f"{name}For{_capitalized(owner.name_plural)}"]
        if target.id != owner.id:
            candidates.insert(0, owner.name_plural)
        inverse = _free_name(session, target, wanted, candidates)
        counterparts.append(
            Counterpart(
                target, inverse, owner.label_plural, inverse_relation(owner.name_singular, name)
            )
        )
    return RelationPlan(
        {
            "relationType": RelationType.MANY_TO_ONE.value,
            "targetObjects": [t.name_singular for t in targets],
            "targetFieldNames": {c.target.name_singular: c.name for c in counterparts},
        },
        tuple(counterparts),
    )


def _settings_from_payload(session: Session, workspace_id: str, payload: Any) -> dict[str, Any]:
    """Twenty's ``relationCreationPayload`` as our settings."""
    if not isinstance(payload, dict):
        raise BadRequest("relationCreationPayload: expected an object")
    unknown = sorted(set(payload) - RELATION_PAYLOAD_KEYS)
    if unknown:
        raise BadRequest(
            f"relationCreationPayload: unknown properties {', '.join(unknown)}; expected some "
            f"of {', '.join(sorted(RELATION_PAYLOAD_KEYS))}"
        )
    target = _object_with_id(session, workspace_id, payload.get("targetObjectMetadataId"))
    settings: dict[str, Any] = {
        "relationType": payload.get("type", RelationType.MANY_TO_ONE.value),
        "targetObject": target.name_singular,
    }
    if payload.get("targetFieldIcon") is not None:
        settings["targetFieldIcon"] = payload["targetFieldIcon"]
    label = payload.get("targetFieldLabel")
    if label is not None:
        if not isinstance(label, str) or not camel_case(label):
            raise BadRequest("relationCreationPayload.targetFieldLabel: expected a label")
        settings["targetFieldLabel"] = label
        settings["targetFieldName"] = camel_case(label)
    return settings


def counterparts_of(session: Session, field: FieldMetadata) -> list[FieldMetadata]:
    """The fields on the other side of relation ``field`` (none for other fields)."""
    settings = readable_settings(field.type, field.settings)
    if field.type == FieldType.MORPH_RELATION:
        sides = list((settings.get("targetFieldNames") or {}).items())
    elif field.type == FieldType.RELATION:
        sides = [(settings.get("targetObject"), settings.get("targetFieldName"))]
    else:
        return []
    found = []
    for object_name, field_name in sides:
        # Inputs: the workspace, the other side's object and field names; answer: that field.
        other = session.exec(
            select(FieldMetadata)
            .join(ObjectMetadata, ObjectMetadata.id == FieldMetadata.object_id)
            .where(
                FieldMetadata.workspace_id == field.workspace_id,
                ObjectMetadata.name_singular == object_name,
                FieldMetadata.name == field_name,
            )
        ).first()
        if other is not None:
            found.append(other)
    return found


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]
