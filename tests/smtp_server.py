"""A real SMTP server on loopback for the email tests: aiosmtpd in the test process."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from conftest import free_port


class Mailbox:
    """aiosmtpd's handler: keeps every message it accepts; refuses the addresses in
    ``refuse`` (address -> SMTP answer, e.g. ``"550 5.1.1 no such mailbox"``)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse.get(address)
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """aiosmtpd on a free loopback port; ``stop()`` and ``start()`` take it down and back up
    on the same port, keeping what it received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None
        self.start()

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self) -> dict[str, str]:
        """The settings that send to it (a plain local relay: no TLS)."""
        return {
            "EMAIL_DRIVER": "smtp",
            "EMAIL_SMTP_HOST": "127.0.0.1",
            "EMAIL_SMTP_PORT": str(self.port),
            "EMAIL_SMTP_NO_TLS": "true",
            "EMAIL_FROM_ADDRESS": "hookwire@example.test",
            "EMAIL_FROM_NAME": "Hookwire tests",
            "HOOKWIRE_EMAIL_TIMEOUT": "5",
        }
