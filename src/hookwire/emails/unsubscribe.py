"""One-click unsubscribe links (RFC 8058): each names its recipient and the topic it stops,
signed with the app secret, so it works without signing in and cannot be forged."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from hookwire.emails.catalog import TOPICS

UNSUBSCRIBE_PATH = "/email-preferences/unsubscribe"
_SALT = "hookwire.emails.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    """Who asked to stop which topic."""

    email: str
    topic: str


class BadUnsubscribeLink(ValueError):
    """A link that was altered or signed with another secret."""


def unsubscribe_url(server_url: str, secret: str, email: str, topic: str) -> str:
    token = URLSafeSerializer(secret, salt=_SALT).dumps([email, topic])
    return f"{server_url}{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"


def read_unsubscribe_token(secret: str, token: str) -> Unsubscribe:
    try:
        email, topic = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except (BadSignature, TypeError, ValueError):
        raise BadUnsubscribeLink("This unsubscribe link is not valid.") from None
    if topic not in TOPICS or not isinstance(email, str):
        raise BadUnsubscribeLink("This unsubscribe link is not valid.")
    return Unsubscribe(email, topic)
