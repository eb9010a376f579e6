"""The MIME message of an outbox email: text and HTML alternatives and their headers."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from hookwire.config import EmailSettings
from hookwire.emails.rendering import render_email

# The settings page where an admin switches operational emails off; List-Unsubscribe and the
# footer of every operational email link to it.
EMAIL_PREFERENCES_PATH = "/settings/emails/preferences"


@dataclass(frozen=True)
class OutgoingEmail:
    """An email a sender has claimed: what the outbox row holds, and the attempt it is on."""

    id: str
    to: str
    template: str
    values: dict[str, Any]
    operational: bool
    message_id: str
    attempts: int


def preferences_url(settings: EmailSettings) -> str:
    return settings.server_url + EMAIL_PREFERENCES_PATH


def build_message(email: OutgoingEmail, settings: EmailSettings) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) ready for SMTP."""
    unsubscribe = preferences_url(settings) if email.operational else None
    rendered = render_email(email.template, email.values, preferences_url=unsubscribe)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = formataddr((settings.from_name, settings.from_address))
    message["To"] = email.to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = email.message_id
    if unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
