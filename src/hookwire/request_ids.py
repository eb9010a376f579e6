"""A request id on every request: taken from a well-formed ``X-Request-Id`` the client (or a
proxy) sent, else made here; returned in the ``X-Request-Id`` response header, in the body of a
500, and in the log line that records the 500's traceback, so one can be found from the other.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-Id"
# Letters, digits and . _ : - only, so an id is safe to log and to echo in a header.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def _answer_with_id(response: Response) -> Response:
    identifier = request_id()
    if identifier is not None:
        response.headers[HEADER] = identifier
    return response


def _assign() -> None:
    request_id()


def install_request_ids(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_answer_with_id)
