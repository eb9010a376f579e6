"""The email outbox: ``enqueue_email`` writes an email in the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlmodel import Session, col

from hookwire.database import after_commit
from hookwire.emails.message import EMAIL_PREFERENCES_PATH
from hookwire.emails.rendering import EmailTemplateError, check_values, render_email
from hookwire.models import EmailOutbox

EMAILS_KEY = "hookwire.emails"  # app.extensions: the app's EmailRunner
# One address, without a display name: nothing that could add a header or a recipient.
_ADDRESS = re.compile(r"[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+")
MAX_ADDRESS = 254


def enqueue_email(
    session: Session,
    template: str,
    to: str,
    values: Mapping[str, Any],
    *,
    workspace_id: str | None = None,
) -> EmailOutbox:
    """Add an email to the outbox in ``session``'s transaction: it is sent once that commits,
    and never if it rolls back. Raises ``EmailTemplateError`` at once for an unknown template,
    a bad address, or values the template cannot render with.

    Whom to send an operational email (one with a ``topic``) is the caller's choice: see
    ``hookwire.notices``, which leaves out the admins who switched its topic off.
    """
    address = to.strip() if isinstance(to, str) else ""
    if len(address) > MAX_ADDRESS or not _ADDRESS.fullmatch(address):
        raise EmailTemplateError(f"to: expected one email address, got {to!r}")
    operational = check_values(template, values).operational
    # Rendered once now so that every mistake shows here, in the caller's request.
    rendered = render_email(
        template, values, preferences_url=EMAIL_PREFERENCES_PATH if operational else None
    )
    row = EmailOutbox(
        workspace_id=workspace_id,
        to=address,
        template=template,
        values=dict(values),
        subject=rendered.subject,
        operational=operational,
    )
    session.add(row)
    if has_app_context():
        runner = current_app.extensions.get(EMAILS_KEY)
        if runner is not None:
            after_commit(session, runner.notify)
    # Elsewhere (a background thread, the CLI) the sender finds it on its next poll.
    return row


def purge_emails(session: Session, before: datetime) -> int:
    """Delete the emails sent or failed before ``before``: their values hold links (an
    invitation's, a reset's) no one needs once the email is done with; how many went."""
    done = session.execute(
        sa.delete(EmailOutbox).where(
            col(EmailOutbox.status).in_(("sent", "failed")),
            col(EmailOutbox.created_at) < before,
        )
    )
    return done.rowcount
