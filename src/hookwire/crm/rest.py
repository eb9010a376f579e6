"""REST for records under ``/rest``, wire-compatible with Twenty's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.filters import parse_filter, parse_order_by
from hookwire.crm.records import DEFAULT_LIMIT, MAX_LIMIT, ListQuery, RecordStore
from hookwire.crm.request_context import capitalized, current_catalog, json_body, require_caller
from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.services import services

records_api = Blueprint("records_api", __name__, url_prefix="/rest")
records_api.before_request(require_caller)


def _object(name_plural: str) -> ObjectSpec:
    return current_catalog().object_by_plural(name_plural)


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit: expected an integer from 1 to {MAX_LIMIT}, got '{raw}'")
    return int(raw)


def list_query_from_args() -> ListQuery:
    args = request.args
    raw_filter, raw_order = args.get("filter"), args.get("order_by")
    return ListQuery(
        filter=parse_filter(raw_filter) if raw_filter else None,
        order_by=tuple(parse_order_by(raw_order)) if raw_order else (),
        limit=_limit(args.get("limit")),
        after=args.get("starting_after") or None,
        before=args.get("ending_before") or None,
    )


def _store(session) -> RecordStore:
    return services().record_store(session, current_catalog())


@records_api.get("/<name_plural>")
def list_records(name_plural: str) -> dict[str, Any]:
    spec = _object(name_plural)
    query = list_query_from_args()
    with transaction(services().engine) as session:
        page = _store(session).list(spec, query)
    return {
        "data": {spec.name_plural: page.records},
        "totalCount": page.total_count,
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": page.has_previous_page,
            "startCursor": page.start_cursor,
            "endCursor": page.end_cursor,
        },
    }


@records_api.get("/<name_plural>/<record_id>")
def get_record(name_plural: str, record_id: str) -> dict[str, Any]:
    spec = _object(name_plural)
    with transaction(services().engine) as session:
        record = _store(session).get(spec, record_id)
    return {"data": {spec.name_singular: record}}


@records_api.post("/<name_plural>")
def create_record(name_plural: str) -> tuple[dict[str, Any], int]:
    spec = _object(name_plural)
    body = json_body()
    with transaction(services().engine) as session:
        record = _store(session).create(spec, body)
    return {"data": {f"create{capitalized(spec.name_singular)}": record}}, 201


@records_api.post("/batch/<name_plural>")
def create_records(name_plural: str) -> tuple[dict[str, Any], int]:
    spec = _object(name_plural)
    body = json_body()
    with transaction(services().engine) as session:
        records = _store(session).create_many(spec, body)
    return {"data": {f"create{capitalized(spec.name_plural)}": records}}, 201


@records_api.patch("/<name_plural>/<record_id>")
def update_record(name_plural: str, record_id: str) -> dict[str, Any]:
    spec = _object(name_plural)
    body = json_body()
    with transaction(services().engine) as session:
        record = _store(session).update(spec, record_id, body)
    return {"data": {f"update{capitalized(spec.name_singular)}": record}}


@records_api.delete("/<name_plural>/<record_id>")
def delete_record(name_plural: str, record_id: str) -> dict[str, Any]:
    spec = _object(name_plural)
    soft = request.args.get("soft_delete", "false").lower() == "true"
    with transaction(services().engine) as session:
        store = _store(session)
        record = store.soft_delete(spec, record_id) if soft else store.destroy(spec, record_id)
    return {"data": {f"delete{capitalized(spec.name_singular)}": {"id": record["id"]}}}


@records_api.patch("/restore/<name_plural>/<record_id>")
def restore_record(name_plural: str, record_id: str) -> dict[str, Any]:
    spec = _object(name_plural)
    with transaction(services().engine) as session:
        record = _store(session).restore(spec, record_id)
    return {"data": {f"restore{capitalized(spec.name_singular)}": record}}
