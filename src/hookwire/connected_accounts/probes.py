"""Connection tests: log in to each service of an account, and say which one failed and how."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from imapclient.exceptions import IMAPClientError

from hookwire.config import AccountSettings
from hookwire.connected_accounts.connections import (
    ServiceUnreachable,
    caldav_connection,
    imap_connection,
    server_text,
    smtp_connection,
)
from hookwire.connected_accounts.parameters import ServiceParameters


@dataclass(frozen=True)
class ProbeResult:
    """How each service answered: None where the login worked, else what went wrong."""

    failures: Mapping[str, ServiceUnreachable | None]

    @property
    def ok(self) -> bool:
        return not any(self.failures.values())

    def refusal(self) -> str:
        """Every failure, one per service, for an error answer."""
        return "; ".join(str(failure) for failure in self.failures.values() if failure)


def probe_all(services: Mapping[str, ServiceParameters], settings: AccountSettings) -> ProbeResult:
    """Try every service (all of them, so one answer names every failure)."""
    failures: dict[str, ServiceUnreachable | None] = {}
    for service, parameters in services.items():
        try:
            PROBES[service](parameters, settings)
            failures[service] = None
        except ServiceUnreachable as unreachable:
            failures[service] = unreachable
    return ProbeResult(failures)


def probe_imap(parameters: ServiceParameters, settings: AccountSettings) -> None:
    with imap_connection(parameters, settings) as client:
        try:
            client.select_folder("INBOX", readonly=True)
        except (OSError, IMAPClientError) as error:
            where = f"{parameters.host}:{parameters.port}"
            raise ServiceUnreachable("IMAP", f"{where} failed: {server_text(error)}") from None


def probe_smtp(parameters: ServiceParameters, settings: AccountSettings) -> None:
    with smtp_connection(parameters, settings):
        pass


def probe_caldav(parameters: ServiceParameters, settings: AccountSettings) -> None:
    with caldav_connection(parameters, settings) as principal:
        principal.calendars()


PROBES: Mapping[str, Callable[[ServiceParameters, AccountSettings], None]] = {
    "IMAP": probe_imap,
    "SMTP": probe_smtp,
    "CALDAV": probe_caldav,
}
