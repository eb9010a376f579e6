"""The ``search`` query across objects: which objects, which records, in what order, paged.

As Twenty's search service: each searchable active object (narrowed by the included and
excluded names) gives its best ``limit + 1`` records after the cursor by (tsRankCD, tsRank,
id); the union is ordered by tsRankCD, then tsRank, then
object priority (person, company, opportunity, note, task, then the rest) and cut to
``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from hookwire.crm.catalog import Catalog, ObjectSpec
from hookwire.crm.field_types import FieldType
from hookwire.crm.filters import mentions_field
from hookwire.crm.search.cursor import SearchCursor
from hookwire.crm.search.matching import Candidate, Matcher, Scope, first_records
from hookwire.crm.search.ranking import as_real
from hookwire.crm.search.terms import SearchQuery
from hookwire.errors import BadRequest
from hookwire.models import Record

MAX_LIMIT = 100
# Matches ranked per object and per pass (see ``Matcher``).
CANDIDATES_PER_OBJECT = 1_000
# Twenty's STANDARD_OBJECTS_BY_PRIORITY_RANK: the higher, the earlier among equal ranks.
PRIORITY = {"person": 5, "company": 4, "opportunity": 3, "note": 2, "task": 1}
LOGO_SERVICE = "https://twenty-icons.com"


@dataclass(frozen=True)
class SearchRequest:
    """The arguments of ``search``; ``filter`` is an ObjectRecordFilterInput value."""

    text: str
    limit: int
    after: str | None = None
    included: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    filter: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Hit:
    spec: ObjectSpec
    candidate: Candidate

    @property
    def order(self) -> tuple[float, float, int]:
        return (-self.candidate.rank_cd, -self.candidate.rank, -PRIORITY.get(self.name, 0))

    @property
    def name(self) -> str:
        return self.spec.name_singular


def search(session: Session, catalog: Catalog, request: SearchRequest) -> dict[str, Any]:
    """A ``SearchResultConnection``: ``{edges: [{node, cursor}], pageInfo}``."""
    if not 0 <= request.limit <= MAX_LIMIT:
        raise BadRequest(f"limit: expected 0 to {MAX_LIMIT}, got {request.limit}")
    cursor = SearchCursor.decode(request.after) if request.after else None
    query = SearchQuery.parse(request.text)
    scopes = [
        _scope(session, spec, request.filter)
        for spec in searched_objects(catalog, request.included, request.excluded)
    ]
    if query.is_empty:
        # Every record ranks 0, so a cursor at ranks 0 continues each object by id.
        at_zero = cursor is not None and (cursor.rank_cd, cursor.rank) == (0.0, 0.0)
        starts = [
            (s, cursor.last_ids.get(s.spec.name_singular) if at_zero else None) for s in scopes
        ]
        found = first_records(session, starts, request.limit + 1)
    else:
        found = Matcher(session, query, CANDIDATES_PER_OBJECT).candidates(scopes)
    hits = []
    for scope in scopes:
        hits += _best(scope.spec, found[scope.spec.id], cursor, request.limit + 1)
    hits.sort(key=lambda hit: hit.order)
    page = hits[: request.limit]
    edges = _edges(session, page, cursor)
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(hits) > request.limit,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def searched_objects(
    catalog: Catalog, included: tuple[str, ...], excluded: tuple[str, ...]
) -> list[ObjectSpec]:
    """The searchable active objects, minus ``excluded``, only ``included`` when given."""
    return [
        spec
        for spec in catalog.objects
        if spec.is_searchable
        and spec.is_active
        and spec.name_singular not in excluded
        and (not included or spec.name_singular in included)
    ]


def _scope(session: Session, spec: ObjectSpec, raw_filter: dict[str, Any] | None) -> Scope:
    """``spec`` with the ObjectRecordFilterInput as conditions on its records, and only live
    records unless the filter names ``deletedAt`` (as list queries do)."""
    # Imported here: the records layer that these belong to imports this package.
    from hookwire.crm.graphql.arguments import filter_node
    from hookwire.crm.query import filter_clause

    conditions: list[sa.ColumnElement] = []
    node = filter_node(spec, raw_filter) if raw_filter else None
    if node is not None:
        conditions.append(filter_clause(spec, node, session.get_bind().dialect.name))
    if node is None or not mentions_field(node, "deletedAt"):
        conditions.append(Record.deleted_at.is_(None))
    return Scope(spec, conditions)


def _best(
    spec: ObjectSpec, candidates: list[Candidate], cursor: SearchCursor | None, count: int
) -> list[_Hit]:
    """The best ``count`` candidates of ``spec`` after ``cursor``, by ranks then id."""
    if cursor is not None:
        name = spec.name_singular
        candidates = [
            c for c in candidates if cursor.precedes(name, c.record_id, c.rank_cd, c.rank)
        ]
    candidates = sorted(candidates, key=lambda c: (-c.rank_cd, -c.rank, c.record_id))
    return [_Hit(spec, candidate) for candidate in candidates[:count]]


def _edges(session: Session, page: list[_Hit], cursor: SearchCursor | None) -> list[dict]:
    """The page's nodes, each with the cursor after it."""
    if not page:
        return []
    # Inputs: the page's record ids. Answer: their stored documents.
    documents = dict(
        session.execute(
            select(Record.id, Record.data).where(
                Record.workspace_id == page[0].spec.workspace_id,
                Record.id.in_([h.candidate.record_id for h in page]),
            )
        ).all()
    )
    last_ids = dict(cursor.last_ids) if cursor else {}
    edges = []
    for hit in page:
        record_id, data = hit.candidate.record_id, documents.get(hit.candidate.record_id) or {}
        last_ids[hit.name] = record_id
        node = {
            "recordId": record_id,
            "objectNameSingular": hit.name,
            "objectLabelSingular": hit.spec.label_singular,
            "label": record_label(hit.spec, data),
            "imageUrl": image_url(hit.spec, data),
            "tsRankCD": as_real(hit.candidate.rank_cd),
            "tsRank": as_real(hit.candidate.rank),
        }
        after = SearchCursor(hit.candidate.rank_cd, hit.candidate.rank, dict(last_ids))
        edges.append({"node": node, "cursor": after.encode()})
    return edges


def record_label(spec: ObjectSpec, data: dict[str, Any]) -> str:
    """The value of the label-identifier field; a full name as "first last" (Twenty's)."""
    field = spec.label_identifier
    if field is None:
        return ""
    value = data.get(field.storage_name)
    if field.type is FieldType.FULL_NAME:
        name = value or {}
        return f"{name.get('firstName') or ''} {name.get('lastName') or ''}"
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def image_url(spec: ObjectSpec, data: dict[str, Any]) -> str:
    """A company's logo from its domain (Twenty's ``getLogoUrlFromDomainName``); others none."""
    if spec.name_singular != "company":
        return ""
    url = str((data.get("domainName") or {}).get("primaryLinkUrl") or "").strip()
    if not url:
        return ""
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    host = host.removeprefix("www.")
    return f"{LOGO_SERVICE}/{host}" if host else ""
