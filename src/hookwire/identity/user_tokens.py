"""Single-use links sent to a user: a password reset, the verification of an address.

The link carries a random token; only its HMAC under the app secret is stored. Issuing a new
link of a purpose replaces the user's earlier one, so only the latest works, and a link is
used with a conditional update, so two clicks cannot both succeed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hookwire.models import User, UserToken, utcnow

PASSWORD_RESET = "password_reset"
EMAIL_VERIFICATION = "email_verification"


class LinkUnusable(Exception):
    """The link was mistyped, replaced, used or has expired; ``str()`` says which."""


def issue_user_token(
    session: Session,
    user: User,
    purpose: str,
    secret: str,
    lifetime: timedelta,
    email: str | None = None,
) -> str:
    """A new link token for ``user``; their earlier unused link of ``purpose`` stops working."""
    session.execute(
        sa.delete(UserToken).where(
            col(UserToken.user_id) == user.id,
            col(UserToken.purpose) == purpose,
            col(UserToken.used_at).is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=link_digest(token, secret),
            email=email,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def latest_user_token(session: Session, user_id: str, purpose: str) -> UserToken | None:
    """The user's newest unused link of ``purpose``, expired or not."""
    return session.exec(
        select(UserToken)
        .where(
            UserToken.user_id == user_id,
            UserToken.purpose == purpose,
            col(UserToken.used_at).is_(None),
        )
        .order_by(col(UserToken.created_at).desc())
    ).first()


def find_user_token(session: Session, token: str, purpose: str, secret: str) -> UserToken:
    """The usable link ``token`` stands for; LinkUnusable otherwise."""
    row = session.exec(
        select(UserToken).where(
            UserToken.token_hash == link_digest(token, secret), UserToken.purpose == purpose
        )
    ).first()
    if row is None:
        raise LinkUnusable("This link is not valid: it was mistyped, or replaced by a newer one.")
    if row.used_at is not None:
        raise LinkUnusable("This link has already been used. Ask for a new one.")
    if row.expires_at <= utcnow():
        raise LinkUnusable("This link has expired. Ask for a new one.")
    return row


def use_user_token(session: Session, token: str, purpose: str, secret: str) -> UserToken:
    """Mark the link used and return it; LinkUnusable if it cannot be (anymore)."""
    row = find_user_token(session, token, purpose, secret)
    used = session.execute(
        sa.update(UserToken)
        .where(col(UserToken.id) == row.id, col(UserToken.used_at).is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        raise LinkUnusable("This link has already been used. Ask for a new one.")
    return row


def link_digest(token: str, secret: str) -> str:
    """What is stored of an emailed link's token: its HMAC under the app secret, so neither
    a database reader nor anyone without the secret can make a working link."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
