"""API errors, and their rendering as Twenty's body ``{"statusCode", "error", "messages"}``."""

from __future__ import annotations

import logging
from typing import ClassVar

from flask import Flask
from werkzeug.exceptions import HTTPException

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
    def http_error(error: HTTPException) -> tuple[dict, int]:
        status = error.code or 500
        name = type(error).__name__
        return {
            "statusCode": status,
            "error": name,
            "messages": [error.description or name],
        }, status

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[dict, int]:
        log.exception("unhandled error")
        return {
            "statusCode": 500,
            "error": "InternalServerError",
            "messages": ["Internal server error; the server log has the details."],
        }, 500
