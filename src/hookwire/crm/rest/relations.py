"""``depth=1``: the related records a REST record embeds, as Twenty's REST API embeds them.

A many-to-one relation (``person.company``) gives the related record, or null, under the
relation's name; a one-to-many relation (``company.people``) gives an array of the records
pointing here: at most ``RELATION_LIMIT``, first by position (Twenty's
``QUERY_MAX_RECORDS_FROM_RELATION``). Embedded records are depth-0 records; soft-deleted ones
are left out, as they are from lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from hookwire.crm.catalog import Catalog, ObjectSpec
from hookwire.crm.counts import Count
from hookwire.crm.filters import Comparator, Condition
from hookwire.crm.records import ListQuery, Page, RecordStore

RELATION_LIMIT = 60


@dataclass(frozen=True)
class Relation:
    """A relation embedded under ``name``, selected by ``fields`` as ``field``. ``key`` is the
    record's id key (``companyId``) for a many-to-one relation, the target's key pointing
    back for a one-to-many one."""

    name: str
    field: str
    target: ObjectSpec
    key: str
    to_many: bool


def relations(catalog: Catalog, spec: ObjectSpec) -> tuple[Relation, ...]:
    """Every relation ``spec``'s records can embed (those whose target is active)."""
    return catalog.cached(f"rest.relations.{spec.id}", lambda: tuple(_relations(catalog, spec)))


def _relations(catalog: Catalog, spec: ObjectSpec) -> Iterator[Relation]:
    for field in (f for f in spec.fields if f.is_active):
        if field.to_many:
            target = catalog.active_object(field.relation_target)
            key = catalog.pointing_key(spec, field)
            if target is not None and key is not None:
                yield Relation(field.name, field.name, target, key, to_many=True)
        for column in field.join_columns:
            target = catalog.active_object(column.target)
            if target is not None:
                yield Relation(column.relation_name, field.name, target, column.key, to_many=False)


def embed(
    store: RecordStore, records: list[dict[str, Any]], chosen: Iterable[Relation]
) -> list[dict[str, Any]]:
    """Copies of ``records`` with the ``chosen`` relations embedded."""
    records = [dict(record) for record in records]
    for relation in chosen:
        if relation.to_many:
            _embed_many(store, records, relation)
        else:
            _embed_one(store, records, relation)
    return records


def _embed_one(store: RecordStore, records: list[dict[str, Any]], relation: Relation) -> None:
    """One read for every record's related record."""
    ids = sorted({str(r[relation.key]).lower() for r in records if r.get(relation.key)})
    found: dict[str, dict[str, Any]] = {}
    if ids:
        query = ListQuery(
            filter=Condition("id", Comparator.IN, ids), limit=len(ids), count=Count.NONE
        )
        found = {record["id"]: record for record in store.list(relation.target, query).records}
    for record in records:
        related_id = record.get(relation.key)
        record[relation.name] = found.get(str(related_id).lower()) if related_id else None


def _embed_many(store: RecordStore, records: list[dict[str, Any]], relation: Relation) -> None:
    """One read for every record's related records, when they number at most
    ``RELATION_LIMIT`` per record on average; otherwise a read per record whose share of that
    read came out short."""
    parents = [record["id"] for record in records]
    if not parents:
        return
    page = _pointing(store, relation, parents, RELATION_LIMIT * len(parents))
    children: dict[str, list[dict[str, Any]]] = {parent: [] for parent in parents}
    for child in page.records:
        siblings = children.get(str(child.get(relation.key)).lower())
        if siblings is not None and len(siblings) < RELATION_LIMIT:
            siblings.append(child)
    for record in records:
        related = children[record["id"]]
        if page.has_next_page and len(related) < RELATION_LIMIT:
            related = _pointing(store, relation, [record["id"]], RELATION_LIMIT).records
        record[relation.name] = related


def _pointing(store: RecordStore, relation: Relation, parents: list[str], limit: int) -> Page:
    """The first ``limit`` records of the relation's target that point at ``parents``."""
    query = ListQuery(
        filter=Condition(relation.key, Comparator.IN, parents), limit=limit, count=Count.NONE
    )
    return store.list(relation.target, query)
