"""The notice that an OAuth application's client secret was rotated."""

from __future__ import annotations

from sqlmodel import Session

from hookwire.emails import enqueue_email
from hookwire.models import OAuthApplication, Workspace
from hookwire.notices.preferences import admins_to_notify
from hookwire.notices.wording import APIS_PATH, moment


def notify_secret_rotated(session: Session, application: OAuthApplication, rotated_by: str) -> None:
    """Tell the workspace's admins, in the rotation's transaction: every client holding the
    old secret stops working, and an admin who did not do it should know at once."""
    assert application.secret_rotated_at is not None
    workspace = session.get(Workspace, application.workspace_id)
    values = {
        "workspace_name": workspace.display_name if workspace else application.workspace_id,
        "application_name": application.name,
        "rotated_at": moment(application.secret_rotated_at),
        "rotated_by": rotated_by,
        "apis_url": APIS_PATH,
    }
    for admin in admins_to_notify(session, application.workspace_id, "oauth_secret_rotated"):
        enqueue_email(
            session,
            "oauth_secret_rotated",
            admin.email,
            values,
            workspace_id=application.workspace_id,
        )
