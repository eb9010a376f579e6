"""A workspace's settings users: list them, change a role, remove one.

The last admin of a workspace can be neither demoted nor removed, so a workspace always has
someone who can manage it. Removing a user deletes their sessions, so their next request is
refused.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from hookwire.errors import BadRequest, NotFound
from hookwire.identity import end_user_sessions, revoke_playground_keys
from hookwire.models import ROLE_ADMIN, USER_ROLES, User, Workspace


def check_role(role: object) -> str:
    """``role`` if it is one of USER_ROLES; else a BadRequest naming the field."""
    if role not in USER_ROLES:
        raise BadRequest(f"role: expected one of {', '.join(USER_ROLES)}, got {role!r}")
    return str(role)


def list_members(session: Session, workspace_id: str) -> list[User]:
    return list(
        session.exec(
            select(User).where(User.workspace_id == workspace_id).order_by(col(User.email))
        )
    )


def get_member(session: Session, workspace_id: str, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None or user.workspace_id != workspace_id:
        raise NotFound(f"no member with id '{user_id}' in this workspace")
    return user


def change_role(session: Session, workspace_id: str, user_id: str, role: object) -> User:
    """Give ``user_id`` the role ``role``; refused for the workspace's last admin."""
    role = check_role(role)
    _lock_workspace(session, workspace_id)
    user = get_member(session, workspace_id, user_id)
    if user.role == role:
        return user
    if user.role == ROLE_ADMIN:
        _keep_an_admin(
            session,
            workspace_id,
            f"role: {user.email} is the workspace's last admin and must stay one; "
            "make another member an admin first",
        )
        revoke_playground_keys(session, user)  # they were issued with an admin's rights
    user.role = role
    session.add(user)
    session.flush()
    return user


def remove_member(session: Session, workspace_id: str, user_id: str) -> User:
    """Delete ``user_id`` and end their sessions at once; refused for the last admin."""
    _lock_workspace(session, workspace_id)
    user = get_member(session, workspace_id, user_id)
    if user.role == ROLE_ADMIN:
        _keep_an_admin(
            session,
            workspace_id,
            f"{user.email} is the workspace's last admin and cannot be removed; "
            "make another member an admin first",
        )
    end_user_sessions(session, user)
    session.delete(user)
    session.flush()
    return user


def _lock_workspace(session: Session, workspace_id: str) -> None:
    """Serialize role changes within a workspace, so two admins demoting each other at the
    same time cannot leave it without one (PostgreSQL; SQLite serializes writers anyway)."""
    session.exec(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())


def _keep_an_admin(session: Session, workspace_id: str, refusal: str) -> None:
    admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.workspace_id == workspace_id, User.role == ROLE_ADMIN)
    ).one()
    if admins <= 1:
        raise BadRequest(refusal)
