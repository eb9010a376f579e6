"""Logged-in connections to each service of an account, for connection tests, syncs and
sending.

Every host is resolved first and refused if it is not public (unless its network is allowed):
a mailbox's host is the user's to choose, and must not reach into Hookwire's own network.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


@contextmanager
def imap_connection(
    parameters: ServiceParameters, settings: AccountSettings
) -> Iterator[IMAPClient]:
    """An IMAP session logged in as the account (over TLS, or STARTTLS where offered)."""
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
        try:
            if not parameters.secure and b"STARTTLS" in client.capabilities():
                client.starttls(ssl.create_default_context())
            client.login(parameters.username, parameters.password)
        except LoginError as error:
            raise ServiceUnreachable(
                "IMAP",
                f"{where} refused the login of {parameters.username} ({server_text(error)})",
                login_refused=True,
            ) from None
        except (OSError, IMAPClientError) as error:
            raise ServiceUnreachable("IMAP", f"{where} failed: {server_text(error)}") from None
        yield client
    finally:
        quietly(client.logout)


@contextmanager
def smtp_connection(
    parameters: ServiceParameters, settings: AccountSettings
) -> Iterator[smtplib.SMTP]:
    """An SMTP session logged in as the account (a relay that wants no login gets none)."""
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
        try:
            client.ehlo()
            if not parameters.secure and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if client.has_extn("auth"):
                client.login(parameters.username, parameters.password)
        except smtplib.SMTPAuthenticationError as error:
            raise ServiceUnreachable(
                "SMTP",
                f"{where} refused the login of {parameters.username} ({_smtp_text(error)})",
                login_refused=True,
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise ServiceUnreachable("SMTP", f"{where} failed: {error}") from None
        yield client
    finally:
        quietly(client.quit)


@contextmanager
def caldav_connection(
    parameters: ServiceParameters, settings: AccountSettings
) -> Iterator[caldav.Principal]:
    """The account's CalDAV principal, its login checked. What the client raises inside the
    block (a refused login, a redirect, a broken answer) becomes ``ServiceUnreachable``."""
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
        try:
            principal = client.principal()
        except Exception as error:  # the login: anything the client raises reading an answer
            raise _caldav_failure(url, parameters.username, error) from None
        try:
            yield principal
        except (OSError, caldav_error.DAVError) as error:
            raise _caldav_failure(url, parameters.username, error) from None
    finally:
        quietly(client.close)


def _caldav_failure(url: str, username: str, error: Exception) -> ServiceUnreachable:
    if isinstance(error, requests.TooManyRedirects):  # before OSError, which it is
        return ServiceUnreachable(
            "CALDAV", f"{url} redirects elsewhere; give the calendar server's final URL"
        )
    if isinstance(error, caldav_error.AuthorizationError):
        return ServiceUnreachable("CALDAV", f"{url} refused the login of {username}", True)
    if isinstance(error, OSError | caldav_error.DAVError | ValueError):
        return ServiceUnreachable("CALDAV", f"{url} failed: {server_text(error)}")
    return ServiceUnreachable("CALDAV", f"cannot connect to {url} ({server_text(error)})")


def server_text(error: BaseException) -> str:
    """The server's words: imaplib carries them as bytes, which imapclient passes on as
    their ``repr`` (``b'[AUTHENTICATIONFAILED] …'``)."""
    first = error.args[0] if len(error.args) == 1 else str(error)
    if isinstance(first, bytes):
        return first.decode(errors="replace")
    text = str(first)
    quoted = re.fullmatch(r"b([\'\"])(.*)\1", text, re.DOTALL)
    return quoted.group(2) if quoted else text


def _smtp_text(error: smtplib.SMTPResponseException) -> str:
    message = error.smtp_error
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{error.smtp_code} {text}"


def quietly(close: Callable[[], object]) -> None:
    """Close, ignoring a failure: after an error, that error is what the caller needs."""
    with contextlib.suppress(Exception):
        close()
