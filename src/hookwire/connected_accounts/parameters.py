"""``connectionParameters`` of an IMAP/SMTP/CalDAV account, in Twenty's shape:
``{"IMAP": {host, port, secure, username, password}, "SMTP": {…}, "CALDAV": {host, username,
password}}``. At least one service; the username defaults to the account's handle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from hookwire.errors import BadRequest

# Each service and the channel it gives the account.
SERVICES: Mapping[str, str] = {"IMAP": "messaging", "SMTP": "sending", "CALDAV": "calendar"}
DEFAULT_PORTS: Mapping[str, tuple[int, int]] = {  # (plain or STARTTLS, implicit TLS)
    "IMAP": (143, 993),
    "SMTP": (587, 465),
    "CALDAV": (80, 443),
}
_FIELDS = frozenset({"host", "port", "secure", "username", "password"})
MAX_TEXT = 500


@dataclass(frozen=True)
class ServiceParameters:
    """Where one service is and how to log in to it. For CalDAV, ``host`` is the server's
    URL (a bare host name means ``https://host/``)."""

    host: str
    port: int
    secure: bool
    username: str
    password: str

    def public(self) -> dict[str, Any]:
        """Everything but the password: what answers may show."""
        return {key: value for key, value in asdict(self).items() if key != "password"}

    def caldav_url(self) -> str:
        if "://" in self.host:
            return self.host
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{self.host}:{self.port}/"


def parse_parameters(
    raw: object, handle: str, previous: Mapping[str, ServiceParameters] | None = None
) -> dict[str, ServiceParameters]:
    """The services ``raw`` describes; a BadRequest naming the field otherwise. A service
    given without a password keeps ``previous``'s (an edit that does not retype it)."""
    if not isinstance(raw, dict) or not raw:
        raise BadRequest("connectionParameters: expected an object with IMAP, SMTP and/or CALDAV")
    unknown = sorted(set(raw) - set(SERVICES))
    if unknown:
        raise BadRequest(
            f"connectionParameters.{unknown[0]}: unknown service; expected IMAP, SMTP or CALDAV"
        )
    previous = previous or {}
    return {
        service: _service(service, value, handle, previous.get(service))
        for service, value in raw.items()
    }


def _service(
    service: str, raw: object, handle: str, previous: ServiceParameters | None
) -> ServiceParameters:
    where = f"connectionParameters.{service}"
    if not isinstance(raw, dict):
        raise BadRequest(f"{where}: expected an object with host, port, secure, username, password")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise BadRequest(
            f"{where}.{unknown[0]}: unknown field; expected {', '.join(sorted(_FIELDS))}"
        )
    host = _text(raw.get("host"), f"{where}.host")
    port = raw.get("port")
    secure = raw.get("secure")
    if secure is None:  # implicit TLS unless a port says otherwise
        secure = port is None or port == DEFAULT_PORTS[service][1]
    if not isinstance(secure, bool):
        raise BadRequest(f"{where}.secure: expected true or false")
    if service == "CALDAV" and "://" in host:
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadRequest(f"{where}.host: expected a host name or an http(s):// URL")
        secure = parts.scheme == "https"
        port = port or parts.port
    if port is None:
        port = DEFAULT_PORTS[service][1 if secure else 0]
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise BadRequest(f"{where}.port: expected a number from 1 to 65535")
    username = raw.get("username") or handle
    username = _text(username, f"{where}.username")
    password = raw.get("password")
    if password in (None, "") and previous is not None:
        password = previous.password
    password = _text(password, f"{where}.password")
    return ServiceParameters(host, port, secure, username, password)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{where}: required, a non-empty string")
    if len(value) > MAX_TEXT or any(c in value for c in "\r\n\0"):
        raise BadRequest(f"{where}: at most {MAX_TEXT} characters, on one line")
    return value.strip() if not where.endswith("password") else value


def to_document(services: Mapping[str, ServiceParameters]) -> dict[str, Any]:
    """What is sealed: every service's parameters, passwords included."""
    return {service: asdict(parameters) for service, parameters in services.items()}


def from_document(document: Mapping[str, Any]) -> dict[str, ServiceParameters]:
    return {service: ServiceParameters(**values) for service, values in document.items()}
