"""Server-side sessions of signed-in users: the cookie carries a random token, the database
keeps its SHA-256, so a session ends for good when its row is deleted."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from hookwire.models import User, UserSession, utcnow

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
