"""``GET /open-api/core``: an OpenAPI 3.1 document generated from the workspace's metadata,
describing the records REST API as it really answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from hookwire import __version__
from hookwire.crm.catalog import Catalog
from hookwire.crm.openapi.parameters import PARAMETERS
from hookwire.crm.openapi.paths import object_paths
from hookwire.crm.openapi.schemas import ERROR, PAGE_INFO, object_schemas, ref
from hookwire.crm.request_context import current_catalog, require_caller, require_scopes
from hookwire.identity.scopes import RECORDS_READ

openapi_api = Blueprint("openapi_api", __name__)
openapi_api.before_request(require_caller)
openapi_api.before_request(require_scopes(RECORDS_READ))

_RESPONSES = {
    status: {"description": description, "content": {"application/json": {"schema": ref("Error")}}}
    for status, description in (
        ("400", "Bad request: the messages name the parameter or field"),
        ("401", "Unauthenticated"),
        ("404", "Not found"),
    )
}


def openapi_document(catalog: Catalog) -> dict[str, Any]:
    objects = sorted((o for o in catalog.objects if o.is_active), key=lambda o: o.name_plural)
    schemas: dict[str, Any] = {"Error": ERROR, "PageInfo": PAGE_INFO}
    paths: dict[str, Any] = {}
    for spec in objects:
        schemas.update(object_schemas(catalog, spec))
        paths.update(object_paths(spec))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Hookwire core API — {catalog.display_name}",
            "version": __version__,
            "description": "Records of this workspace over REST, compatible with Twenty's.",
        },
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": PARAMETERS,
            "responses": _RESPONSES,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


@openapi_api.get("/open-api/core")
def core_document() -> dict[str, Any]:
    catalog = current_catalog()
    document = catalog.cached("openapi", lambda: openapi_document(catalog))
    return {**document, "servers": [{"url": request.host_url.rstrip("/")}]}
