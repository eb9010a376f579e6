"""How notices write times and name the pages they link to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hookwire.models import Workspace

APIS_PATH = "/settings/apis"


def webhook_path(webhook_id: str) -> str:
    return f"/settings/webhooks/{webhook_id}"


def moment(value: datetime) -> str:
    """``8 December 2026 at 09:12 UTC``."""
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC"


def day(value: datetime) -> str:
    """``8 December 2026``."""
    return f"{value.day} {value:%B %Y}"


def describe_failure(status_code: int | None, error: str | None) -> str:
    """``HTTP 500`` for an answer, else what went wrong on the way (a refused connection)."""
    if status_code is not None:
        return f"HTTP {status_code}"
    return error or "no answer"


def workspace_name(session: Session, workspace_id: str) -> str:
    workspace = session.get(Workspace, workspace_id)
    return workspace.display_name if workspace is not None else workspace_id
