"""``GET /sdk/python``: the caller's workspace's typed Python client, as a wheel.

Authenticated like ``/rest`` (an API key or an OAuth2 access token with ``metadata:read``:
the client describes the workspace's schema). Built on the first request, then again in the
background after each metadata change (``hookwire.sdk.prebuild``), and kept
(``hookwire.sdk.cache``). pip sends no bearer header, so the wheel is
fetched first: ``curl -fOJ -H "Authorization: Bearer $KEY" …/sdk/python`` then ``pip install
./hookwire_client-*.whl``; the settings page links it for a signed-in admin.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, g, request, send_file
from graphql import GraphQLSchema
from werkzeug.wrappers import Response

from hookwire.crm.graphql.records_schema import records_schema
from hookwire.crm.request_context import require_caller, require_scopes
from hookwire.errors import ApiError
from hookwire.identity.scopes import METADATA_READ
from hookwire.sdk.cache import WheelCache
from hookwire.sdk.errors import GenerationError
from hookwire.services import services

log = logging.getLogger(__name__)

sdk_api = Blueprint("sdk_api", __name__)
sdk_api.before_request(require_caller)
sdk_api.before_request(require_scopes(METADATA_READ))


class SdkUnavailable(ApiError):
    status = 503
    error = "ServiceUnavailableException"


@sdk_api.get("/sdk/python")
def python_client() -> Response:
    return wheel_response(g.caller.workspace_id, g.caller.metadata_version)


def wheel_response(workspace_id: str, metadata_version: int) -> Response:
    """The workspace's wheel as a download, built now if need be (the request's own host as
    the generated client's default server URL)."""
    wheel = workspace_wheel(workspace_id, metadata_version, request.host_url.rstrip("/"))
    return send_file(
        wheel,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=wheel.name,
        max_age=0,
    )


def workspace_wheel(workspace_id: str, metadata_version: int, server_url: str) -> Path:
    """The path of the workspace's wheel at ``metadata_version``; 503 if it cannot be built."""
    app_services = services()

    def schema() -> GraphQLSchema:  # what /graphql serves this workspace
        catalog = app_services.catalogs.get(workspace_id, metadata_version)
        return records_schema(catalog, app_services.records_mutations)

    try:
        return WheelCache(app_services.config.sdk).wheel(
            workspace_id, metadata_version, server_url, schema
        )
    except GenerationError as error:
        log.error("the Python client of workspace %s was not built: %s", workspace_id, error)
        raise SdkUnavailable(
            "The Python client could not be generated now; the server log says why "
            "(if ariadne-codegen could not be installed, run `hookwire sdk tools`)."
        ) from error
