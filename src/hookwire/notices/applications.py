"""The notice that an OAuth application's client secret was rotated."""

from __future__ import annotations

from sqlmodel import Session

from hookwire.models import OAuthApplication
from hookwire.notices.preferences import notify_admins
from hookwire.notices.wording import APIS_PATH, moment, workspace_name


def notify_secret_rotated(session: Session, application: OAuthApplication, rotated_by: str) -> None:
    """Tell the workspace's admins, in the rotation's transaction: every client holding the
    old secret stops working, and an admin who did not do it should know at once."""
    assert application.secret_rotated_at is not None
    values = {
        "workspace_name": workspace_name(session, application.workspace_id),
        "application_name": application.name,
        "rotated_at": moment(application.secret_rotated_at),
        "rotated_by": rotated_by,
        "apis_url": APIS_PATH,
    }
    notify_admins(session, application.workspace_id, "oauth_secret_rotated", values)
