"""Notices about API keys: 7 days before one expires, and once it has."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from hookwire.models import ApiKey
from hookwire.notices.preferences import notify_admins
from hookwire.notices.sent_once import claim_notice
from hookwire.notices.wording import APIS_PATH, day, workspace_name

NOTICE_WINDOW = timedelta(days=7)


def send_api_key_notices(session: Session, now: datetime) -> int:
    """Write the due notices of every workspace's API keys; how many keys were noticed.

    Only keys made to last longer than the notice window are noticed: the playground's
    keys, which live as long as a sign-in, would otherwise send one every day.
    """
    # An expiry older than the window is not news (a server that was down, an upgrade).
    in_window = session.exec(
        select(ApiKey).where(
            col(ApiKey.revoked_at).is_(None),
            col(ApiKey.expires_at) > now - NOTICE_WINDOW,
            col(ApiKey.expires_at) <= now + NOTICE_WINDOW,
        )
    ).all()
    long_lived = [key for key in in_window if key.expires_at - key.created_at > NOTICE_WINDOW]
    expiring = [key for key in long_lived if key.expires_at > now]
    expired = [key for key in long_lived if key.expires_at <= now]
    noticed = 0
    for key in expiring:
        if claim_notice(session, f"api_key_expiring:{key.id}"):
            _send(session, key, "api_key_expiring", {"expires_at": day(key.expires_at)})
            noticed += 1
    for key in expired:
        if claim_notice(session, f"api_key_expired:{key.id}"):
            _send(session, key, "api_key_expired", {"expired_at": day(key.expires_at)})
            noticed += 1
    return noticed


def _send(session: Session, key: ApiKey, template: str, when: dict[str, str]) -> None:
    values = {
        "workspace_name": workspace_name(session, key.workspace_id),
        "key_name": key.name,
        "apis_url": APIS_PATH,
        **when,
    }
    notify_admins(session, key.workspace_id, template, values)
