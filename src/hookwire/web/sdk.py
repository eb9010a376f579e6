"""``/settings/apis/sdk/python``: the workspace's typed Python client, for a signed-in admin
(the download link of the APIs page; scripts use ``/sdk/python`` with an API key)."""

from __future__ import annotations

from flask import g
from werkzeug.wrappers import Response

from hookwire.sdk import wheel_response
from hookwire.web.pages import pages

sdk_pages = pages("sdk_pages")


@sdk_pages.get("/settings/apis/sdk/python")
def python_client() -> Response:
    return wheel_response(g.workspace.id, g.workspace.metadata_version)
