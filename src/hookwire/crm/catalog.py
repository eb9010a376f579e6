"""An immutable snapshot of one workspace's objects and fields, cached per metadata version."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hookwire.crm.field_settings import readable_settings
from hookwire.crm.field_types import (
    OPTION_TYPES,
    FieldType,
    RelationType,
    morph_field_name,
    relation_column,
)
from hookwire.database import reader
from hookwire.errors import BadRequest
from hookwire.models import FieldMetadata, ObjectMetadata, Workspace

log = logging.getLogger(__name__)


class Memoizing:
    """Snapshots are immutable, so anything derived from one can be kept beside it."""

    _derived: dict[str, Any]

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()`` once per snapshot (validators, schemas); a racing rebuild is harmless."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]


@dataclass(frozen=True)
class FieldSpec:
    id: str
    name: str
    label: str
    type: FieldType
    description: str | None
    icon: str | None
    is_custom: bool
    is_system: bool
    is_active: bool
    is_nullable: bool
    is_unique: bool
    default_value: Any
    options: list[dict[str, Any]] | None
    settings: dict[str, Any] | None

    @property
    def relation_type(self) -> RelationType | None:
        """MANY_TO_ONE (stores an id) or ONE_TO_MANY (lists the records that point here)."""
        if self.type is FieldType.MORPH_RELATION:
            return RelationType.MANY_TO_ONE
        if self.type is not FieldType.RELATION:
            return None
        return RelationType((self.settings or {}).get("relationType", "MANY_TO_ONE"))

    @property
    def to_many(self) -> bool:
        return self.relation_type is RelationType.ONE_TO_MANY

    @property
    def is_stored(self) -> bool:
        """Whether records keep a value for this field in their document."""
        return not self.is_system and self.relation_type is not RelationType.ONE_TO_MANY

    @property
    def storage_name(self) -> str:
        """The key a record carries for this field (``companyId`` for relation ``company``)."""
        if self.relation_type is RelationType.MANY_TO_ONE and self.type is FieldType.RELATION:
            return relation_column(self.name)
        return self.name

    @property
    def relation_target(self) -> str | None:
        """The ``nameSingular`` a relation points to (a morph relation: its first target)."""
        return (self.settings or {}).get("targetObject") or next(iter(self.morph_targets), None)

    @property
    def inverse_name(self) -> str | None:
        """The field on the target that is the other side of this relation."""
        return (self.settings or {}).get("targetFieldName")

    @property
    def morph_targets(self) -> tuple[str, ...]:
        return tuple((self.settings or {}).get("targetObjects") or ())

    @property
    def join_columns(self) -> tuple[JoinColumn, ...]:
        """The ids a many-to-one relation stores: one, or one per target of a morph relation."""
        if self.type is FieldType.MORPH_RELATION:
            return tuple(
                JoinColumn(
                    relation_column(morph_field_name(self.name, target)),
                    morph_field_name(self.name, target),
                    target,
                )
                for target in self.morph_targets
            )
        if self.relation_type is RelationType.MANY_TO_ONE:
            return (JoinColumn(self.storage_name, self.name, self.relation_target or ""),)
        return ()

    @property
    def stored_keys(self) -> tuple[str, ...]:
        """The document keys that hold this field's value."""
        if not self.is_stored:
            return ()
        if self.type is FieldType.MORPH_RELATION:
            return tuple(column.key for column in self.join_columns)
        return (self.storage_name,)


@dataclass(frozen=True)
class JoinColumn:
    """Where a many-to-one relation keeps the id of ``target``'s record, and the name of the
    relation that resolves it (``companyId`` and ``company``; ``ownerPersonId`` and
    ``ownerPerson`` for the person target of the morph relation ``owner``)."""

    key: str
    relation_name: str
    target: str


@dataclass(frozen=True)
class ObjectSpec(Memoizing):
    id: str
    workspace_id: str
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    description: str | None
    icon: str | None
    is_custom: bool
    is_active: bool
    is_searchable: bool
    duplicate_criteria: tuple[tuple[str, ...], ...]
    label_identifier_field_id: str | None
    fields: tuple[FieldSpec, ...]
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def data_fields(self) -> tuple[FieldSpec, ...]:
        """Active fields stored in the record document (not system columns, not the
        one-to-many side of a relation, which other records store)."""
        return tuple(f for f in self.fields if f.is_active and f.is_stored)

    @cached_property
    def to_many_fields(self) -> tuple[FieldSpec, ...]:
        """Active one-to-many relations: the records of another object that point here."""
        return tuple(
            f for f in self.fields if f.is_active and f.relation_type is RelationType.ONE_TO_MANY
        )

    @cached_property
    def unique_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.data_fields if f.is_unique)

    @cached_property
    def label_identifier(self) -> FieldSpec | None:
        """The field whose value names a record (``name``, ``title``)."""
        return next((f for f in self.fields if f.id == self.label_identifier_field_id), None)

    @cached_property
    def fields_by_storage_name(self) -> dict[str, FieldSpec]:
        """Active fields by every document key they store (``companyId``, ``ownerPersonId``)
        and by their own storage name."""
        keys: dict[str, FieldSpec] = {}
        for spec in self.fields:
            if spec.is_active:
                keys[spec.storage_name] = spec
                keys.update((key, spec) for key in spec.stored_keys)
        return keys

    def field_named(self, name: str) -> FieldSpec | None:
        """An active field by its name or storage name (``company`` or ``companyId``)."""
        spec = self.fields_by_storage_name.get(name)
        if spec is None:
            spec = next((f for f in self.fields if f.is_active and f.name == name), None)
        return spec


@dataclass(frozen=True)
class Catalog(Memoizing):
    workspace_id: str
    display_name: str
    version: int
    objects: tuple[ObjectSpec, ...]
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def _by_plural(self) -> dict[str, ObjectSpec]:
        return {o.name_plural: o for o in self.objects}

    @cached_property
    def _by_singular(self) -> dict[str, ObjectSpec]:
        return {o.name_singular: o for o in self.objects}

    @cached_property
    def _by_id(self) -> dict[str, ObjectSpec]:
        return {o.id: o for o in self.objects}

    def object_by_plural(self, name_plural: str) -> ObjectSpec:
        """The active object whose plural is in a REST path, or 400 with a hint."""
        spec = self._by_plural.get(name_plural)
        if spec is not None and spec.is_active:
            return spec
        singular = self._by_singular.get(name_plural)
        if singular is not None and singular.is_active:
            raise BadRequest(
                f"object '{name_plural}' not found. Did you mean '{singular.name_plural}'?"
            )
        raise BadRequest(f"object '{name_plural}' not found")

    def object_by_singular(self, name_singular: str) -> ObjectSpec | None:
        return self._by_singular.get(name_singular)

    def active_object(self, name_singular: str | None) -> ObjectSpec | None:
        """The object a relation points to, unless it is missing or deactivated."""
        spec = self._by_singular.get(name_singular or "")
        return spec if spec is not None and spec.is_active else None

    def pointing_key(self, spec: ObjectSpec, field: FieldSpec) -> str | None:
        """The key by which the records listed by one-to-many ``field`` of ``spec`` point at
        a ``spec`` record (``companyId`` for ``company.people``), if its other side is live."""
        target = self.active_object(field.relation_target)
        inverse = target.field_named(field.inverse_name or "") if target else None
        columns = inverse.join_columns if inverse else ()
        return next((c.key for c in columns if c.target == spec.name_singular), None)

    def object_by_id(self, object_id: str) -> ObjectSpec | None:
        return self._by_id.get(object_id)


class CatalogCache:
    """Keeps the newest snapshot per workspace; a changed ``metadata_version`` reloads it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._snapshots: dict[str, Catalog] = {}

    def get(self, workspace_id: str, version: int) -> Catalog:
        snapshot = self._snapshots.get(workspace_id)
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with Session(reader(self._engine)) as session:
            snapshot = load_catalog(session, workspace_id)
        with self._lock:
            current = self._snapshots.get(workspace_id)
            if current is None or current.version <= snapshot.version:
                self._snapshots[workspace_id] = snapshot
        return snapshot


# What metadata names and SELECT option values must be: camelCase names of at most 63
# characters, UPPER_SNAKE_CASE values. GraphQL, SQL paths and URLs all take these as they are.
NAME_PATTERN = re.compile(r"[a-z][a-zA-Z0-9]{0,62}")
OPTION_VALUE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]*")


def is_name(value: Any) -> bool:
    return isinstance(value, str) and NAME_PATTERN.fullmatch(value) is not None


def _servable_object(row: ObjectMetadata) -> bool:
    return is_name(row.name_singular) and is_name(row.name_plural)


def _servable_field(row: FieldMetadata) -> bool:
    """Whether every API can serve the field: a valid name, a known type, and for a SELECT or
    MULTI_SELECT at least one valid option. Rows stored before these were checked on write
    may be otherwise; they are left out of the catalog (and logged) rather than breaking
    the workspace's GraphQL schema for every request."""
    if not is_name(row.name) or row.type not in FieldType.__members__:
        return False
    return row.type not in OPTION_TYPES or bool(_readable_options(row.options))


def _readable_options(options: Any) -> list[dict[str, Any]] | None:
    if not isinstance(options, list):
        return None
    return [
        option
        for option in options
        if isinstance(option, dict)
        and isinstance(option.get("value"), str)
        and OPTION_VALUE_PATTERN.fullmatch(option["value"])
    ]


def load_catalog(session: Session, workspace_id: str) -> Catalog:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise LookupError(f"workspace {workspace_id} does not exist")
    objects = session.exec(
        select(ObjectMetadata)
        .where(ObjectMetadata.workspace_id == workspace_id)
        .order_by(ObjectMetadata.created_at, ObjectMetadata.name_singular)
    ).all()
    fields = session.exec(
        select(FieldMetadata)
        .where(FieldMetadata.workspace_id == workspace_id)
        .order_by(FieldMetadata.created_at, FieldMetadata.id)
    ).all()
    fields_by_object: dict[str, list[FieldSpec]] = {}
    for row in fields:
        if _servable_field(row):
            fields_by_object.setdefault(row.object_id, []).append(field_spec(row))
        else:
            log.warning(
                "workspace %s: field %s (%r, %s) is not servable; left out of the APIs",
                workspace_id,
                row.id,
                row.name,
                row.type,
            )
    for row in objects:
        if not _servable_object(row):
            log.warning(
                "workspace %s: object %s (%r/%r) is not servable; left out of the APIs",
                workspace_id,
                row.id,
                row.name_singular,
                row.name_plural,
            )
    return Catalog(
        workspace_id=workspace.id,
        display_name=workspace.display_name,
        version=workspace.metadata_version,
        objects=tuple(
            ObjectSpec(
                id=o.id,
                workspace_id=o.workspace_id,
                name_singular=o.name_singular,
                name_plural=o.name_plural,
                label_singular=o.label_singular,
                label_plural=o.label_plural,
                description=o.description,
                icon=o.icon,
                is_custom=o.is_custom,
                is_active=o.is_active,
                is_searchable=o.is_searchable,
                duplicate_criteria=tuple(tuple(group) for group in o.duplicate_criteria or ()),
                label_identifier_field_id=o.label_identifier_field_id,
                fields=tuple(fields_by_object.get(o.id, ())),
            )
            for o in objects
            if _servable_object(o)
        ),
    )


def field_spec(row: FieldMetadata) -> FieldSpec:
    return FieldSpec(
        id=row.id,
        name=row.name,
        label=row.label,
        type=FieldType(row.type),
        description=row.description,
        icon=row.icon,
        is_custom=row.is_custom,
        is_system=row.is_system,
        is_active=row.is_active,
        is_nullable=row.is_nullable,
        is_unique=row.is_unique,
        default_value=row.default_value,
        options=_readable_options(row.options) if row.options is not None else None,
        settings=readable_settings(row.type, row.settings) or None,
    )
