"""REST for metadata under ``/rest/metadata``: objects and fields.

Nodes have the ``/metadata`` GraphQL shape; a field's ``relation`` shows the ids and names of
both ends, as Twenty's REST metadata does.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from sqlmodel import Session

from hookwire.crm import metadata
from hookwire.crm.metadata_output import WorkspaceMetadata, relation_summary
from hookwire.crm.request_context import json_body, require_caller, require_scopes
from hookwire.database import transaction
from hookwire.errors import NotFound
from hookwire.identity.scopes import METADATA_READ, METADATA_WRITE
from hookwire.services import services

metadata_api = Blueprint("metadata_api", __name__, url_prefix="/rest/metadata")
metadata_api.before_request(require_caller)
metadata_api.before_request(require_scopes(METADATA_READ, METADATA_WRITE))
EMPTY_PAGE = {"hasNextPage": False, "startCursor": None, "endCursor": None}


def _workspace_id() -> str:
    return g.caller.workspace_id


class _RestView:
    """The workspace's metadata as REST shows it, read after any change the request made."""

    def __init__(self, session: Session) -> None:
        self.view = WorkspaceMetadata.load(session, _workspace_id())

    def field(self, field: dict[str, Any]) -> dict[str, Any]:
        return {**field, "relation": relation_summary(self.view.relation(field))}

    def object(self, node: dict[str, Any]) -> dict[str, Any]:
        return {**node, "fields": [self.field(f) for f in node["fields"]]}

    def object_by_id(self, object_id: str) -> dict[str, Any]:
        node = self.view.object(object_id)
        if node is None:
            raise NotFound(f"object with id {object_id} not found")
        return self.object(node)

    def field_by_id(self, field_id: str) -> dict[str, Any]:
        field = self.view.field(field_id)
        if field is None:
            raise NotFound(f"field with id {field_id} not found")
        return self.field(field)


@metadata_api.get("/objects")
def list_objects() -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        rest = _RestView(session)
        objects = [rest.object(node) for node in rest.view.objects]
    return {"data": {"objects": objects}, "totalCount": len(objects), "pageInfo": EMPTY_PAGE}


@metadata_api.get("/objects/<object_id>")
def get_object(object_id: str) -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        return {"data": {"object": _RestView(session).object_by_id(object_id)}}


@metadata_api.post("/objects")
def create_object() -> tuple[dict[str, Any], int]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.create_object(session, _workspace_id(), body)
        return {"data": {"createOneObject": _RestView(session).object_by_id(row.id)}}, 201


@metadata_api.patch("/objects/<object_id>")
def update_object(object_id: str) -> dict[str, Any]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.update_object(session, _workspace_id(), object_id, body)
        return {"data": {"updateOneObject": _RestView(session).object_by_id(row.id)}}


@metadata_api.delete("/objects/<object_id>")
def delete_object(object_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = metadata.delete_object(session, _workspace_id(), object_id)
    return {"data": {"deleteOneObject": {"id": row.id}}}


@metadata_api.get("/fields")
def list_fields() -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        rest = _RestView(session)
        fields = [rest.field(f) for f in rest.view.fields()]
    return {"data": {"fields": fields}, "totalCount": len(fields), "pageInfo": EMPTY_PAGE}


@metadata_api.get("/fields/<field_id>")
def get_field(field_id: str) -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        return {"data": {"field": _RestView(session).field_by_id(field_id)}}


@metadata_api.post("/fields")
def create_field() -> tuple[dict[str, Any], int]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.create_field(session, _workspace_id(), body)
        return {"data": {"createOneField": _RestView(session).field_by_id(row.id)}}, 201


@metadata_api.patch("/fields/<field_id>")
def update_field(field_id: str) -> dict[str, Any]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.update_field(session, _workspace_id(), field_id, body)
        return {"data": {"updateOneField": _RestView(session).field_by_id(row.id)}}


@metadata_api.delete("/fields/<field_id>")
def delete_field(field_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = metadata.delete_field(session, _workspace_id(), field_id)
    return {"data": {"deleteOneField": {"id": row.id}}}
