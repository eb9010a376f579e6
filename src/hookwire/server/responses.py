"""The answers a server gives before the application sees a request, in the API's error shape
``{"statusCode", "error", "messages"}``: both servers and the app word them alike."""

from __future__ import annotations

import json

MAX_HEAD_BYTES = 64 * 1024  # a request line and its headers, on both servers
BAD_REQUEST = 400
TOO_LARGE = 413
HEAD_TOO_LARGE = 431
SERVER_ERROR = 500
ERROR_NAMES = {
    BAD_REQUEST: "BadRequestException",
    TOO_LARGE: "PayloadTooLargeException",
    HEAD_TOO_LARGE: "RequestHeaderFieldsTooLargeException",
    SERVER_ERROR: "InternalServerError",
}
REASONS = {
    BAD_REQUEST: "Bad Request",
    TOO_LARGE: "Payload Too Large",
    HEAD_TOO_LARGE: "Request Header Fields Too Large",
    SERVER_ERROR: "Internal Server Error",
}


def body_too_large_message(limit: int, size: int | None = None) -> str:
    if size is None:
        return f"request body: over the limit of {limit:,} bytes (HOOKWIRE_MAX_BODY_BYTES)"
    return f"request body: {size:,} bytes; the limit is {limit:,} (HOOKWIRE_MAX_BODY_BYTES)"


def head_too_large_message(limit: int) -> str:
    return f"request line and headers: over the limit of {limit:,} bytes"


def error_document(status: int, message: str) -> dict[str, object]:
    return {"statusCode": status, "error": ERROR_NAMES.get(status, "Error"), "messages": [message]}


def error_body(status: int, message: str) -> bytes:
    return json.dumps(error_document(status, message), separators=(",", ":")).encode()


def error_response(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 response that closes the connection."""
    body = error_body(status, message)
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body
