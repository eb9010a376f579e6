"""What the client raises: the server's refusals as typed exceptions carrying its codes.

A GraphQL error names its kind in ``extensions.code`` (``UNAUTHENTICATED``, ``FORBIDDEN``,
``BAD_USER_INPUT``, ``NOT_FOUND`` …); a REST-style refusal (``{"statusCode", "error",
"messages"}``) names it in ``error``. Either becomes a :class:`GraphQLError`, of the subclass
its first error's code names, so a caller can ``except NotFound`` or read ``error.codes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class HookwireError(Exception):
    """Anything this client raises on purpose."""


@dataclass(frozen=True)
class ErrorDetail:
    """One error of a GraphQL answer."""

    message: str
    code: str | None = None
    path: tuple[str | int, ...] = ()
    extensions: dict[str, Any] = field(default_factory=dict)


class GraphQLError(HookwireError):
    """The server answered with errors; ``errors`` holds each, ``code`` the first one's code.

    ``status_code`` is the HTTP status (200 for most GraphQL errors); ``data`` is whatever
    the answer held beside the errors (a query's partial result, else ``None``).
    """

    def __init__(
        self,
        errors: list[ErrorDetail],
        *,
        status_code: int = 200,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.errors = errors
        self.status_code = status_code
        self.data = data
        super().__init__("; ".join(_describe(error) for error in errors) or "unknown error")

    @property
    def code(self) -> str | None:
        return self.errors[0].code if self.errors else None

    @property
    def codes(self) -> list[str]:
        return [error.code for error in self.errors if error.code]


class Unauthenticated(GraphQLError):
    """``UNAUTHENTICATED``: no token, or one the server refused (and no refresh helped)."""


class RefreshFailed(Unauthenticated):
    """The access token was refused and getting a new one failed (the cause is chained)."""


class Forbidden(GraphQLError):
    """``FORBIDDEN``: the token is valid but may not do this (a missing scope, a revoked key)."""


class BadUserInput(GraphQLError):
    """``BAD_USER_INPUT``: a value the server refused; the message names the field."""


class NotFound(GraphQLError):
    """``NOT_FOUND``: no such record, object or field in this workspace."""


class HttpError(HookwireError):
    """An answer that is neither GraphQL nor a Hookwire error document (a proxy's 502 page)."""

    def __init__(self, status_code: int, body: str) -> None:
        self.status_code = status_code
        self.body = body
        super().__init__(f"HTTP {status_code}: {body[:200]}")


ERROR_CLASSES: dict[str, type[GraphQLError]] = {
    "UNAUTHENTICATED": Unauthenticated,
    "FORBIDDEN": Forbidden,
    "BAD_USER_INPUT": BadUserInput,
    "NOT_FOUND": NotFound,
}

# What an HTTP status means when the body carries no code of its own (the server's table).
STATUS_CODES = {
    400: "BAD_USER_INPUT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
}


def graphql_error(
    errors: list[ErrorDetail], *, status_code: int = 200, data: dict[str, Any] | None = None
) -> GraphQLError:
    """The exception for ``errors``: the class the first error's code names."""
    kind = ERROR_CLASSES.get(errors[0].code or "", GraphQLError) if errors else GraphQLError
    return kind(errors, status_code=status_code, data=data)


def error_details(raw: Any) -> list[ErrorDetail]:
    """``ErrorDetail`` of each entry of a GraphQL ``errors`` list (tolerating odd shapes)."""
    details = []
    for entry in raw if isinstance(raw, list) else [raw]:
        if not isinstance(entry, dict):
            details.append(ErrorDetail(str(entry)))
            continue
        extensions = entry.get("extensions")
        extensions = extensions if isinstance(extensions, dict) else {}
        code = extensions.get("code")
        path = entry.get("path")
        details.append(
            ErrorDetail(
                message=str(entry.get("message", "")),
                code=code if isinstance(code, str) else None,
                path=tuple(path) if isinstance(path, list) else (),
                extensions=extensions,
            )
        )
    return details


def _describe(error: ErrorDetail) -> str:
    return f"{error.code}: {error.message}" if error.code else error.message
