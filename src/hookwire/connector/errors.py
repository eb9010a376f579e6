"""Typed errors a connector raises, and the runtime turns into platform decisions."""

from __future__ import annotations


class ConnectorError(Exception):
    """An operation failed; the message is shown to the user as it is."""

    type = "Error"

    def to_dict(self) -> dict[str, object]:
        return {"type": self.type, "message": str(self)}


class DefinitionError(ConnectorError):
    """A definition does not validate; ``problems`` holds one line per problem."""

    type = "DefinitionError"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid connector definition:\n  " + "\n  ".join(problems))


class ResponseError(ConnectorError):
    """An HTTP request answered outside 2xx and nobody handled it."""

    type = "ResponseError"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "status": self.status}


class RequestFailedError(ConnectorError):
    """An HTTP request got no answer: unreachable host, refused connection, timeout."""

    type = "RequestFailedError"


class RefreshAuthError(ConnectorError):
    """The access token is stale: refresh it and try the operation once more."""

    type = "RefreshAuthError"


class ExpiredAuthError(ConnectorError):
    """The credentials no longer work; the user must reconnect."""

    type = "ExpiredAuthError"


class HaltedError(ConnectorError):
    """Stop this run quietly: nothing is wrong, but there is nothing to do (or to trust)."""

    type = "HaltedError"


class ThrottledError(ConnectorError):
    """The API asked to slow down; try again after ``delay`` seconds."""

    type = "ThrottledError"

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "delay": self.delay}


class ResultError(ConnectorError):
    """An operation returned a value of the wrong shape (a bug in the connector)."""

    type = "ResultError"
