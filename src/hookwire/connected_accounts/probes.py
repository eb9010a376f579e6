"""Connection tests: log in to each service of an account, and say which one failed and how.

Every host is resolved first and refused if it is not public (unless its network is allowed):
a mailbox's host is the user's to choose, and must not reach into Hookwire's own network.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import caldav
import requests
from caldav.lib import error as caldav_error
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from hookwire.config import AccountSettings, Network
from hookwire.connected_accounts.parameters import ServiceParameters
from hookwire.outbound import is_allowed_address


class ServiceUnreachable(Exception):
    """A service that could not be logged in to; ``str()`` says which, where and why.
    ``login_refused``: the server answered, but not to these credentials."""

    def __init__(self, service: str, reason: str, login_refused: bool = False) -> None:
        super().__init__(f"connectionParameters.{service}: {reason}")
        self.service = service
        self.reason = reason
        self.login_refused = login_refused


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


def check_host(service: str, host: str, port: int, allowed: Sequence[Network]) -> None:
    """Refuse a host that does not resolve, or resolves to an address not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ServiceUnreachable(service, f"cannot resolve {host!r} ({error})") from None
    refused = sorted({info[4][0] for info in infos if not is_allowed_address(info[4][0], allowed)})
    if refused:
        raise ServiceUnreachable(
            service,
            f"{host} resolves to {', '.join(refused)}, a loopback, private or reserved "
            "address; connected accounts must reach a public address "
            "(or allow the network with HOOKWIRE_ACCOUNT_ALLOWED_NETWORKS)",
        )


def probe_imap(parameters: ServiceParameters, settings: AccountSettings) -> None:
    where = f"{parameters.host}:{parameters.port}"
    check_host("IMAP", parameters.host, parameters.port, settings.allowed_networks)
    try:
        client = IMAPClient(
            parameters.host,
            port=parameters.port,
            ssl=parameters.secure,
            ssl_context=ssl.create_default_context(),
            timeout=settings.timeout,
        )
    except (OSError, IMAPClientError) as error:
        raise ServiceUnreachable("IMAP", f"cannot connect to {where} ({error})") from None
    try:
        if not parameters.secure and b"STARTTLS" in client.capabilities():
            client.starttls(ssl.create_default_context())
        client.login(parameters.username, parameters.password)
        client.select_folder("INBOX", readonly=True)
    except LoginError as error:
        raise ServiceUnreachable(
            "IMAP",
            f"{where} refused the login of {parameters.username} ({_text(error)})",
            login_refused=True,
        ) from None
    except (OSError, IMAPClientError) as error:
        raise ServiceUnreachable("IMAP", f"{where} failed: {_text(error)}") from None
    finally:
        _quietly(client.logout)


def probe_smtp(parameters: ServiceParameters, settings: AccountSettings) -> None:
    where = f"{parameters.host}:{parameters.port}"
    check_host("SMTP", parameters.host, parameters.port, settings.allowed_networks)
    context = ssl.create_default_context()
    try:
        if parameters.secure:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                parameters.host, parameters.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(parameters.host, parameters.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as error:
        raise ServiceUnreachable("SMTP", f"cannot connect to {where} ({error})") from None
    try:
        client.ehlo()
        if not parameters.secure and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if client.has_extn("auth"):  # a relay that takes mail without a login has none
            client.login(parameters.username, parameters.password)
    except smtplib.SMTPAuthenticationError as error:
        raise ServiceUnreachable(
            "SMTP",
            f"{where} refused the login of {parameters.username} ({_smtp_text(error)})",
            login_refused=True,
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise ServiceUnreachable("SMTP", f"{where} failed: {error}") from None
    finally:
        _quietly(client.quit)


def probe_caldav(parameters: ServiceParameters, settings: AccountSettings) -> None:
    url = parameters.caldav_url()
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    check_host("CALDAV", parts.hostname or "", port, settings.allowed_networks)
    client = caldav.DAVClient(
        url=url,
        username=parameters.username,
        password=parameters.password,
        timeout=int(settings.timeout),
    )
    # Only the checked host: a redirect could point anywhere, the private network included.
    client.session.max_redirects = 0
    try:
        client.principal().calendars()
    except requests.TooManyRedirects:  # before OSError, which it is
        raise ServiceUnreachable(
            "CALDAV", f"{url} redirects elsewhere; give the calendar server's final URL"
        ) from None
    except caldav_error.AuthorizationError:
        raise ServiceUnreachable(
            "CALDAV", f"{url} refused the login of {parameters.username}", login_refused=True
        ) from None
    except (OSError, caldav_error.DAVError, ValueError) as error:
        raise ServiceUnreachable("CALDAV", f"{url} failed: {_text(error)}") from None
    except Exception as error:  # anything else the client raises while reading an answer
        raise ServiceUnreachable("CALDAV", f"cannot connect to {url} ({_text(error)})") from None
    finally:
        _quietly(client.close)


PROBES: Mapping[str, Callable[[ServiceParameters, AccountSettings], None]] = {
    "IMAP": probe_imap,
    "SMTP": probe_smtp,
    "CALDAV": probe_caldav,
}


def _text(error: BaseException) -> str:
    """The server's words: imaplib carries them as bytes, which imapclient passes on as
    their ``repr`` (``b'[AUTHENTICATIONFAILED] …'``)."""
    first = error.args[0] if len(error.args) == 1 else str(error)
    if isinstance(first, bytes):
        return first.decode(errors="replace")
    text = str(first)
    quoted = re.fullmatch(r"b(['\"])(.*)\1", text, re.DOTALL)
    return quoted.group(2) if quoted else text


def _smtp_text(error: smtplib.SMTPResponseException) -> str:
    message = error.smtp_error
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{error.smtp_code} {text}"


def _quietly(close: Callable[[], object]) -> None:
    # Closing after a failure: the failure is what the caller needs, not the close's.
    with contextlib.suppress(Exception):
        close()
