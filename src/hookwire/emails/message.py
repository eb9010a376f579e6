"""The MIME message of an outbox email: text and HTML alternatives and their headers."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from hookwire.config import EmailSettings
from hookwire.emails.catalog import TEMPLATES
from hookwire.emails.rendering import render_email
from hookwire.emails.unsubscribe import unsubscribe_url

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


def absolute_links(values: Any, server_url: str) -> Any:
    """``values`` with every ``*_url`` value that is a path made a URL of this server: a
    notice written where the public address is unknown (a worker) names its links by path."""
    if isinstance(values, list):
        return [absolute_links(item, server_url) for item in values]
    if not isinstance(values, dict):
        return values
    return {
        key: (
            server_url + value
            if key.endswith("_url") and isinstance(value, str) and value.startswith("/")
            else absolute_links(value, server_url)
        )
        for key, value in values.items()
    }


def build_message(email: OutgoingEmail, settings: EmailSettings) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) ready for SMTP."""
    topic = TEMPLATES[email.template].topic if email.operational else None
    unsubscribe = (
        unsubscribe_url(settings.server_url, settings.link_secret, email.to, topic)
        if topic is not None
        else None
    )
    rendered = render_email(
        email.template,
        absolute_links(email.values, settings.server_url),
        preferences_url=preferences_url(settings) if topic is not None else None,
        unsubscribe_url=unsubscribe,
    )
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
