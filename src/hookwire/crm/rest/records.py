"""REST for records under ``/rest``, wire-compatible with Twenty's: the routes and envelopes of
Twenty's handlers (``rest-api-core.controller.ts``); ``PUT`` is an alias of every ``PATCH``.

Beyond Twenty, for clients that want optimistic concurrency: the routes of one record answer
its version as an ``ETag`` header, and its update, delete and restore take ``If-Match`` (412
when the record has changed since; ``*`` matches any existing record). Without ``If-Match`` a
write applies whatever the version, as Twenty's does. See ``crm.versions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, g, request

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.records import Page, RecordStore
from hookwire.crm.request_context import (
    caller_actor,
    capitalized,
    current_catalog,
    json_body,
    request_transaction,
    require_caller_in_request_transaction,
    require_scopes,
)
from hookwire.crm.rest import params
from hookwire.crm.versions import IfMatch, record_etag
from hookwire.identity.scopes import RECORDS_READ, RECORDS_WRITE
from hookwire.services import services

records_api = Blueprint("records_api", __name__, url_prefix="/rest")
records_api.before_request(require_caller_in_request_transaction)
records_api.before_request(require_scopes(RECORDS_READ, RECORDS_WRITE))

UPDATE = ["PATCH", "PUT"]
Body = dict[str, Any]
Headers = dict[str, str]


def _object(name_plural: str) -> ObjectSpec:
    return current_catalog().object_by_plural(name_plural)


@contextmanager
def _store(*, write: bool = True) -> Iterator[RecordStore]:
    """The caller's records store, in one transaction: read-only unless ``write``."""
    with request_transaction(write=write) as session:
        yield services().record_store(session, current_catalog(), caller_actor(g.caller))


def _if_match() -> IfMatch | None:
    return IfMatch.parse(request.headers.get("If-Match"))


def _version(record: dict[str, Any]) -> Headers:
    """The headers that carry ``record``'s version (taken before it is shaped)."""
    return {"ETag": record_etag(record)}


def page_info(page: Page) -> dict[str, Any]:
    return {
        "hasNextPage": page.has_next_page,
        "hasPreviousPage": page.has_previous_page,
        "startCursor": page.start_cursor,
        "endCursor": page.end_cursor,
    }


def _ids(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"id": record["id"]} for record in records]


@records_api.get("/<name_plural>")
def list_records(name_plural: str) -> Body:
    spec = _object(name_plural)
    query, shape = params.list_query(), params.record_shape(spec)
    with _store(write=False) as store:
        page = store.list(spec, query)
        records = shape.apply(store, spec, page.records)
    return {
        "data": {spec.name_plural: records},
        "totalCount": page.total_count,
        "pageInfo": page_info(page),
    }


@records_api.get("/<object:name_plural>/<record:record_id>")
def get_record(name_plural: str, record_id: str) -> tuple[Body, int, Headers]:
    spec = _object(name_plural)
    shape = params.record_shape(spec)
    with _store(write=False) as store:
        found = store.get(spec, record_id)
        version = _version(found)
        record = shape.one(store, spec, found)
    return {"data": {spec.name_singular: record}}, 200, version


@records_api.post("/<name_plural>")
def create_record(name_plural: str) -> tuple[Body, int, Headers]:
    spec = _object(name_plural)
    shape, upsert, body = params.record_shape(spec), params.flag("upsert"), json_body()
    with _store() as store:
        created = store.create(spec, body, upsert=upsert)
        version = _version(created)
        record = shape.one(store, spec, created)
    return {"data": {f"create{capitalized(spec.name_singular)}": record}}, 201, version


@records_api.post("/batch/<name_plural>")
def create_records(name_plural: str) -> tuple[Body, int]:
    spec = _object(name_plural)
    shape, upsert, body = params.record_shape(spec), params.flag("upsert"), json_body()
    with _store() as store:
        records = shape.apply(store, spec, store.create_many(spec, body, upsert=upsert))
    return {"data": {f"create{capitalized(spec.name_plural)}": records}}, 201


@records_api.post("/<name_plural>/duplicates")
def find_duplicates(name_plural: str) -> Body:
    """One entry per id or data item: its duplicates, as a page."""
    spec = _object(name_plural)
    shape, args = params.record_shape(spec), params.duplicates_args(json_body())
    with _store(write=False) as store:
        pages = store.duplicates(spec, ids=args.ids, data=args.data)
        entries = [
            {
                f"{spec.name_singular}Duplicates": shape.apply(store, spec, page.records),
                "totalCount": page.total_count,
                "pageInfo": page_info(page),
            }
            for page in pages
        ]
    return {"data": entries}


@records_api.route("/<name_plural>", methods=UPDATE)
def update_records(name_plural: str) -> Body:
    spec = _object(name_plural)
    shape, node, body = params.record_shape(spec), params.bulk_filter(), json_body()
    with _store() as store:
        records = shape.apply(store, spec, store.update_many(spec, node, body))
    return {"data": {f"update{capitalized(spec.name_plural)}": records}}


@records_api.route("/<object:name_plural>/<record:record_id>", methods=UPDATE)
def update_record(name_plural: str, record_id: str) -> tuple[Body, int, Headers]:
    spec = _object(name_plural)
    shape, body, if_match = params.record_shape(spec), json_body(), _if_match()
    with _store() as store:
        updated = store.update(spec, record_id, body, if_match=if_match)
        version = _version(updated)
        record = shape.one(store, spec, updated)
    return {"data": {f"update{capitalized(spec.name_singular)}": record}}, 200, version


@records_api.route("/<name_plural>/merge", methods=UPDATE)
def merge_records(name_plural: str) -> Body:
    """Twenty's handler names the key from the singular (``mergeCompany``), whatever its
    OpenAPI document says."""
    spec = _object(name_plural)
    shape, args = params.record_shape(spec), params.merge_args(json_body())
    with _store() as store:
        merged = store.merge(spec, args.ids, args.priority, dry_run=args.dry_run)
        record = shape.one(store, spec, merged)
    return {"data": {f"merge{capitalized(spec.name_singular)}": record}}


@records_api.delete("/<name_plural>")
def delete_records(name_plural: str) -> Body:
    """Destroys the matching records, or soft-deletes them with ``soft_delete=true``."""
    spec = _object(name_plural)
    soft = params.flag("soft_delete")
    node = params.bulk_delete_filter(soft)
    with _store() as store:
        records = store.soft_delete_many(spec, node) if soft else store.destroy_many(spec, node)
    return {"data": {f"delete{capitalized(spec.name_plural)}": _ids(records)}}


@records_api.delete("/<object:name_plural>/<record:record_id>")
def delete_record(name_plural: str, record_id: str) -> tuple[Body, int, Headers]:
    """A soft-deleted record still exists: its new version is the answer's ETag."""
    spec = _object(name_plural)
    soft, if_match = params.flag("soft_delete"), _if_match()
    with _store() as store:
        if soft:
            record = store.soft_delete(spec, record_id, if_match=if_match)
        else:
            record = store.destroy(spec, record_id, if_match=if_match)
    body = {"data": {f"delete{capitalized(spec.name_singular)}": {"id": record["id"]}}}
    return body, 200, _version(record) if soft else {}


@records_api.route("/restore/<name_plural>", methods=UPDATE)
def restore_records(name_plural: str) -> Body:
    spec = _object(name_plural)
    shape, node = params.record_shape(spec), params.bulk_filter()
    with _store() as store:
        records = shape.apply(store, spec, store.restore_many(spec, node))
    return {"data": {f"restore{capitalized(spec.name_plural)}": records}}


@records_api.route("/restore/<name_plural>/<record_id>", methods=UPDATE)
def restore_record(name_plural: str, record_id: str) -> tuple[Body, int, Headers]:
    spec = _object(name_plural)
    shape, if_match = params.record_shape(spec), _if_match()
    with _store() as store:
        restored = store.restore(spec, record_id, if_match=if_match)
        version = _version(restored)
        record = shape.one(store, spec, restored)
    return {"data": {f"restore{capitalized(spec.name_singular)}": record}}, 200, version
