"""Email drivers: ``smtp`` hands messages to an SMTP server, ``log`` only logs them."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from email.message import EmailMessage
from typing import Protocol

from hookwire.config import EmailSettings

IMPLICIT_TLS_PORT = 465
log = logging.getLogger(__name__)

Send = Callable[[EmailMessage], None]


class TemporaryFailure(Exception):
    """The server is unreachable or answered 4xx: try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx); the message is its answer."""


class Driver(Protocol):
    """Opens a sending session: a function that sends one message, raising
    ``TemporaryFailure`` or ``PermanentFailure``."""

    name: str

    def open(self) -> AbstractContextManager[Send]: ...


class LogDriver:
    """``EMAIL_DRIVER=log``: each email is logged; the outbox keeps it viewable under
    ``/settings/emails``."""

    name = "log"

    @contextmanager
    def open(self) -> Iterator[Send]:
        yield self._send

    def _send(self, message: EmailMessage) -> None:
        text = message.get_body(("plain",))
        log.info(
            "email %s to %s: %s\n%s",
            message["Message-ID"],
            message["To"],
            message["Subject"],
            text.get_content() if text is not None else "",
        )


class SmtpDriver:
    """``EMAIL_DRIVER=smtp``: one connection per batch; implicit TLS on port 465, STARTTLS on
    any other unless ``EMAIL_SMTP_NO_TLS=true``; login when a user is set."""

    name = "smtp"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    @contextmanager
    def open(self) -> Iterator[Send]:
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            where = f"{self.settings.smtp_host}:{self.settings.smtp_port}"
            raise TemporaryFailure(f"cannot send through {where}: {_describe(error)}") from None
        try:
            yield lambda message: _send(client, message)
        finally:
            with suppress(OSError, smtplib.SMTPException):
                client.quit()

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        host, port, timeout = (
            settings.smtp_host or "localhost",
            settings.smtp_port,
            settings.timeout,
        )
        if settings.smtp_no_tls:
            client = smtplib.SMTP(host, port, timeout=timeout)
        elif port == IMPLICIT_TLS_PORT:
            client = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password or "")
        return client


def _send(client: smtplib.SMTP, message: EmailMessage) -> None:
    try:
        client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, answer = next(iter(error.recipients.values()))
        raise _failure(code, answer) from None
    except smtplib.SMTPResponseException as error:  # sender or data refused
        raise _failure(error.smtp_code, error.smtp_error) from None
    except (OSError, smtplib.SMTPException) as error:  # the connection is gone
        raise TemporaryFailure(_describe(error)) from None


def _failure(code: int, answer: bytes | str) -> TemporaryFailure | PermanentFailure:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    reason = f"{code} {text}".strip()
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
        return f"{error.smtp_code} {text}"
    return str(error) or type(error).__name__


def create_driver(settings: EmailSettings) -> LogDriver | SmtpDriver:
    return SmtpDriver(settings) if settings.driver == "smtp" else LogDriver()
