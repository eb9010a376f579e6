"""Server-side sessions of signed-in users: the cookie carries a random token, the database
keeps its SHA-256, so a session ends for good when its row is deleted."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hookwire.models import ApiKey, User, UserSession, utcnow

SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    """The session a request's cookie stands for, and its user."""

    row: UserSession
    user: User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User) -> str:
    """Create a session for ``user``, note it as the user's last sign-in, and return its
    token (for the cookie only)."""
    now = utcnow()
    session.execute(
        sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    session.execute(sa.update(User).where(User.id == user.id).values(last_sign_in_at=now))
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def load_session(session: Session, token: str) -> SignedIn | None:
    """The live session for ``token``, or None if unknown or expired."""
    found = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == _digest(token), UserSession.expires_at > utcnow())
    ).first()
    return SignedIn(*found) if found else None


def end_session(session: Session, row: UserSession) -> None:
    session.execute(sa.delete(UserSession).where(UserSession.id == row.id))


def revoke_playground_keys(session: Session, user: User) -> None:
    """Revoke the playground keys ``user``'s sessions were issued (they carry the rights the
    user had when they were minted)."""
    key_ids = list(
        session.exec(
            select(UserSession.playground_key_id).where(
                UserSession.user_id == user.id, col(UserSession.playground_key_id).is_not(None)
            )
        )
    )
    if key_ids:
        session.execute(
            sa.update(ApiKey)
            .where(col(ApiKey.id).in_(key_ids), col(ApiKey.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )


def end_user_sessions(session: Session, user: User) -> None:
    """End every session of ``user`` at once, with the playground keys they were issued: a
    key minted in a session must not outlive it (a changed password, a removed member)."""
    revoke_playground_keys(session, user)
    session.execute(sa.delete(UserSession).where(col(UserSession.user_id) == user.id))
