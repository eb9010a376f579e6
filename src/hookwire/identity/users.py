"""Settings-UI users: workspace admins who sign in with an e-mail address and a password.

Only a salted hash of each password is stored (scrypt, through Werkzeug).
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from hookwire.errors import BadRequest
from hookwire.identity.sessions import end_user_sessions
from hookwire.models import User

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def generate_password() -> str:
    """A random password of 20 URL-safe characters (120 bits)."""
    return secrets.token_urlsafe(15)


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def check_email(session: Session, email: object) -> str:
    """``email`` normalized, if it is an address no user has yet; else a BadRequest."""
    address = normalize_email(email) if isinstance(email, str) else ""
    if not _EMAIL.fullmatch(address) or len(address) > 254:
        raise BadRequest(f"email: expected an e-mail address, got {email!r}")
    if find_user(session, address) is not None:
        raise BadRequest(f"email: a user with the e-mail address '{address}' already exists")
    return address


def create_user(session: Session, workspace_id: str, email: str, password: str) -> User:
    """A new admin of ``workspace_id``; raises BadRequest for a bad or taken address."""
    email = check_email(session, email)
    user = User(workspace_id=workspace_id, email=email, password_hash=_hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every session of ``user``."""
    user.password_hash = _hash(password)
    session.add(user)
    end_user_sessions(session, user)


def check_credentials(session: Session, email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; as slow for unknown addresses. Only
    reads, so the slow hash can run in a read-only transaction."""
    user = find_user(session, email)
    if user is None:
        check_password_hash(_unknown_user_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def check_password(password: object) -> str:
    """``password`` if it is long enough to set; else a BadRequest naming the field."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password: must be at least {MIN_PASSWORD_LENGTH} characters long")
    return password


def _hash(password: str) -> str:
    return generate_password_hash(check_password(password))


@cache
def _unknown_user_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(15))
