"""REST for metadata under ``/rest/metadata``: objects and fields."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from sqlmodel import select

from hookwire.crm import metadata
from hookwire.crm.request_context import json_body, require_caller
from hookwire.database import transaction
from hookwire.models import ObjectMetadata
from hookwire.services import services

metadata_api = Blueprint("metadata_api", __name__, url_prefix="/rest/metadata")
metadata_api.before_request(require_caller)


def _workspace_id() -> str:
    return g.caller.workspace_id


@metadata_api.get("/objects")
def list_objects() -> dict[str, Any]:
    with transaction(services().engine) as session:
        rows = session.exec(
            select(ObjectMetadata)
            .where(ObjectMetadata.workspace_id == _workspace_id())
            .order_by(ObjectMetadata.created_at, ObjectMetadata.name_singular)
        ).all()
        fields = metadata.object_fields(session, [row.id for row in rows])
        objects = [metadata.object_output(row, fields[row.id]) for row in rows]
    return {
        "data": {"objects": objects},
        "totalCount": len(objects),
        "pageInfo": {"hasNextPage": False, "startCursor": None, "endCursor": None},
    }


def _one_object(row: ObjectMetadata, session) -> dict[str, Any]:
    return metadata.object_output(row, metadata.object_fields(session, [row.id])[row.id])


@metadata_api.get("/objects/<object_id>")
def get_object(object_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = metadata.get_object(session, _workspace_id(), object_id)
        return {"data": {"object": _one_object(row, session)}}


@metadata_api.post("/objects")
def create_object() -> tuple[dict[str, Any], int]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.create_object(session, _workspace_id(), body)
        return {"data": {"createOneObject": _one_object(row, session)}}, 201


@metadata_api.patch("/objects/<object_id>")
def update_object(object_id: str) -> dict[str, Any]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.update_object(session, _workspace_id(), object_id, body)
        return {"data": {"updateOneObject": _one_object(row, session)}}


@metadata_api.delete("/objects/<object_id>")
def delete_object(object_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = metadata.delete_object(session, _workspace_id(), object_id)
    return {"data": {"deleteOneObject": {"id": row.id}}}


@metadata_api.get("/fields")
def list_fields() -> dict[str, Any]:
    with transaction(services().engine) as session:
        object_ids = session.exec(
            select(ObjectMetadata.id).where(ObjectMetadata.workspace_id == _workspace_id())
        ).all()
        grouped = metadata.object_fields(session, list(object_ids))
        fields = [metadata.field_output(f) for rows in grouped.values() for f in rows]
    return {
        "data": {"fields": fields},
        "totalCount": len(fields),
        "pageInfo": {"hasNextPage": False, "startCursor": None, "endCursor": None},
    }


@metadata_api.get("/fields/<field_id>")
def get_field(field_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = metadata.get_field(session, _workspace_id(), field_id)
        return {"data": {"field": metadata.field_output(row)}}


@metadata_api.post("/fields")
def create_field() -> tuple[dict[str, Any], int]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.create_field(session, _workspace_id(), body)
        return {"data": {"createOneField": metadata.field_output(row)}}, 201


@metadata_api.patch("/fields/<field_id>")
def update_field(field_id: str) -> dict[str, Any]:
    body = json_body()
    with transaction(services().engine) as session:
        row = metadata.update_field(session, _workspace_id(), field_id, body)
        return {"data": {"updateOneField": metadata.field_output(row)}}


@metadata_api.delete("/fields/<field_id>")
def delete_field(field_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = metadata.delete_field(session, _workspace_id(), field_id)
    return {"data": {"deleteOneField": {"id": row.id}}}
