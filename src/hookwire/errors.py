"""API errors, and their rendering as Twenty's body ``{"statusCode", "error", "messages"}``."""

from __future__ import annotations

import logging
from typing import ClassVar

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from hookwire.request_ids import request_id

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client caused or must know about; ``messages`` say what to change."""

    status: ClassVar[int] = 400
    error: ClassVar[str] = "BadRequestException"

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)

    def body(self) -> dict:
        return {"statusCode": self.status, "error": self.error, "messages": self.messages}


class BadRequest(ApiError):
    pass


class NotFound(ApiError):
    status = 404
    error = "NotFoundException"


class Conflict(ApiError):
    status = 409
    error = "ConflictException"


class PreconditionFailed(ApiError):
    """An ``If-Match`` that names another version of the record than the current one."""

    status = 412
    error = "PreconditionFailedException"


class Unauthenticated(ApiError):
    status = 401
    error = "UNAUTHENTICATED"


class Forbidden(ApiError):
    status = 403
    error = "FORBIDDEN"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> tuple[dict, int]:
        return error.body(), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[dict, int, list[tuple[str, str]]]:
        """Twenty's error body, with the headers werkzeug gives the error (a 405's ``Allow``,
        a 401's ``WWW-Authenticate``, a 429's ``Retry-After``) but its HTML content type."""
        status = error.code or 500
        name = type(error).__name__
        body = {"statusCode": status, "error": name, "messages": [error.description or name]}
        headers = [(key, value) for key, value in error.get_headers() if key != "Content-Type"]
        return body, status, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[dict, int]:
        identifier = request_id()
        log.exception(
            "unhandled error [request %s] %s %s", identifier, request.method, request.path
        )
        return {
            "statusCode": 500,
            "error": "InternalServerError",
            "messages": [
                f"Internal server error; the server log has the details (request id {identifier})."
            ],
            "requestId": identifier,
        }, 500
