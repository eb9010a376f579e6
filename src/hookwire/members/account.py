"""A user's own account: forgotten passwords, password changes and the notice that follows
every one, and new addresses that count only once verified.

Links are single-use (``hookwire.identity.user_tokens``). Every password change ends every
session of the user and tells them by email, so a change they did not make does not go
unnoticed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session
from werkzeug.security import check_password_hash

from hookwire.emails import enqueue_email
from hookwire.errors import BadRequest
from hookwire.identity import (
    EMAIL_VERIFICATION,
    PASSWORD_RESET,
    check_email,
    check_password,
    find_user,
    issue_user_token,
    latest_user_token,
    set_password,
    use_user_token,
)
from hookwire.members.links import LinkSigner
from hookwire.models import User, utcnow
from hookwire.notices.wording import moment

RESET_LIFETIME = timedelta(minutes=30)
VERIFICATION_LIFETIME = timedelta(hours=24)
# One reset email a minute per account at most: the form is public, and each one is mail to
# someone who may not have asked for it.
RESET_EMAIL_INTERVAL = timedelta(minutes=1)
FORGOT_PASSWORD_PATH = "/forgot-password"
RESET_PASSWORD_PATH = "/reset-password"
VERIFY_EMAIL_PATH = "/verify-email"


def request_password_reset(session: Session, email: object, links: LinkSigner) -> None:
    """Email a reset link to ``email`` if a user has it. Says nothing either way, so the
    form cannot tell anyone who has an account."""
    user = find_user(session, email) if isinstance(email, str) else None
    if user is None:
        return
    previous = latest_user_token(session, user.id, PASSWORD_RESET)
    if previous is not None and utcnow() - previous.created_at < RESET_EMAIL_INTERVAL:
        return
    token = issue_user_token(session, user, PASSWORD_RESET, links.secret, RESET_LIFETIME)
    enqueue_email(
        session,
        "password_reset",
        user.email,
        {
            "email": user.email,
            "reset_url": links.url(RESET_PASSWORD_PATH, token),
            "expires_in_minutes": int(RESET_LIFETIME.total_seconds() // 60),
        },
        workspace_id=user.workspace_id,
    )


def reset_password(session: Session, token: str, password: object, links: LinkSigner) -> User:
    """Set the password of the link's user, using the link up. Raises LinkUnusable or a
    BadRequest (a too short password, which leaves the link usable), changing nothing."""
    new_password = check_password(password)
    row = use_user_token(session, token, PASSWORD_RESET, links.secret)
    user = session.get(User, row.user_id)
    assert user is not None  # the token row is deleted with its user
    user.email_verified_at = user.email_verified_at or utcnow()  # they read its mail
    replace_password(session, user, new_password, links.server_url)
    return user


def change_password(
    session: Session, user: User, current: object, password: object, server_url: str
) -> None:
    """A signed-in user's own change, which needs their current password."""
    if not isinstance(current, str) or not check_password_hash(user.password_hash, current):
        raise BadRequest("current_password: this is not your current password")
    replace_password(session, user, check_password(password), server_url)


def replace_password(session: Session, user: User, password: str, server_url: str) -> None:
    """Set ``password``, end every session of ``user``, and tell them by email."""
    set_password(session, user, password)
    enqueue_email(
        session,
        "password_changed",
        user.email,
        {
            "email": user.email,
            "changed_at": moment(utcnow()),
            "reset_url": f"{server_url}{FORGOT_PASSWORD_PATH}",
        },
        workspace_id=user.workspace_id,
    )


def request_email_change(session: Session, user: User, email: object, links: LinkSigner) -> str:
    """Send a verification link to ``email``; it becomes the user's address once the link is
    followed. Asking again for the address the user has verifies that one."""
    if isinstance(email, str) and email.strip().lower() == user.email:
        address = user.email
    else:
        address = check_email(session, email)
    token = issue_user_token(
        session, user, EMAIL_VERIFICATION, links.secret, VERIFICATION_LIFETIME, email=address
    )
    enqueue_email(
        session,
        "email_verification",
        address,
        {
            "email": address,
            "verify_url": links.url(VERIFY_EMAIL_PATH, token),
            "expires_in_hours": int(VERIFICATION_LIFETIME.total_seconds() // 3600),
        },
        workspace_id=user.workspace_id,
    )
    return address


def pending_email(session: Session, user: User) -> str | None:
    """The address the user asked to change to and has not verified yet, if any."""
    row = latest_user_token(session, user.id, EMAIL_VERIFICATION)
    if row is None or row.expires_at <= utcnow() or row.email == user.email:
        return None
    return row.email


def verify_email(session: Session, token: str, secret: str) -> User:
    """Make the link's address its user's, verified. Raises LinkUnusable, or a BadRequest if
    another user took the address meanwhile."""
    row = use_user_token(session, token, EMAIL_VERIFICATION, secret)
    user = session.get(User, row.user_id)
    assert user is not None and row.email is not None
    if row.email != user.email:
        user.email = check_email(session, row.email)
    user.email_verified_at = utcnow()
    session.add(user)
    session.flush()
    return user
