"""Files over HTTP: ``POST /rest/files`` (a multipart upload), ``GET /rest/files/{id}`` (a
file and a fresh link), and ``GET /files/{folder}/{name}?token=…``, the signed download.

A download streams the bytes through the server from either storage, S3 included, rather
than redirecting to an S3 presigned URL: one code path for both backends, the same headers
(a safe ``Content-Disposition``, ``nosniff``) whatever the bucket would send, the same expiry
and refusal, and a bucket that clients never need to reach (a private MinIO, for one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, g, request
from werkzeug.utils import secure_filename
from werkzeug.wsgi import FileWrapper

from hookwire.crm import require_caller
from hookwire.database import transaction
from hookwire.errors import BadRequest, Forbidden
from hookwire.files.folders import folder_segment
from hookwire.files.service import file_service
from hookwire.files.storage import CHUNK_SIZE
from hookwire.identity.scopes import FILES
from hookwire.services import services

files_api = Blueprint("files_api", __name__, url_prefix="/rest/files")


def admit_upload_bodies() -> None:
    """An upload may be as large as the file limit allows, past HOOKWIRE_MAX_BODY_BYTES."""
    request.max_content_length = services().config.request_body_ceiling


files_api.before_request(admit_upload_bodies)
files_api.before_request(require_caller)
files_api.before_request(lambda: g.caller.require(FILES))

file_downloads = Blueprint("file_downloads", __name__)


@files_api.post("")
def upload_file() -> tuple[dict[str, Any], int]:
    part = request.files.get("file")
    if part is None:
        raise BadRequest(
            "file: expected a multipart/form-data part named 'file' holding the file "
            "(curl -F file=@report.pdf)"
        )
    folder = folder_segment(request.form.get("folder"))
    service = file_service()
    with transaction(services().engine) as session:
        row = service.upload(session, g.caller, part, folder)
    return {"data": {"uploadFile": service.output(row)}}, 201


@files_api.get("/<file_id>")
def get_file(file_id: str) -> dict[str, Any]:
    service = file_service()
    with transaction(services().engine, write=False) as session:
        row = service.find(session, g.caller.workspace_id, file_id)
    return {"data": {"file": service.output(row)}}


@file_downloads.get("/files/<folder>/<name>")
def download(folder: str, name: str) -> Response:
    """The bytes of a file; the ``token`` of its signed URL is the whole authorization."""
    token = request.args.get("token")
    if not token:
        raise Forbidden("file link: the 'token' query parameter is missing")
    service = file_service()
    with transaction(services().engine, write=False) as session:
        row, stream = service.open_link(session, folder, name, token)
    headers = {
        "Content-Length": str(row.size),
        "Content-Disposition": attachment_disposition(row.name),
        # The declared type is served as is: never sniffed into something else, never run
        # (an HTML or SVG file opened directly gets no script and no origin).
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store",
    }
    return Response(
        FileWrapper(stream, CHUNK_SIZE),  # closes the stream when the response is done
        content_type=row.mime_type,
        headers=headers,
        direct_passthrough=True,
    )


def attachment_disposition(name: str) -> str:
    """``attachment`` with the name twice: plain ASCII for old clients, and the exact name
    in RFC 5987's ``filename*`` (percent-encoded UTF-8) for the rest."""
    fallback = secure_filename(name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
