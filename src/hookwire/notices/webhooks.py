"""Notices about failing webhooks: the first after a run of failed attempts, a daily digest
while they keep failing, and one when a webhook is disabled."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from hookwire.models import DeliveryAttempt, Webhook
from hookwire.notices.preferences import notify_admins
from hookwire.notices.sent_once import claim_notice
from hookwire.notices.wording import describe_failure, moment, webhook_path, workspace_name

# A digest lists the webhooks whose first notice is at least this old, once a day.
DIGEST_AFTER = timedelta(days=1)


def notify_webhook_failing(
    session: Session, webhook: Webhook, last_error: str, disable_at: datetime
) -> None:
    """The first notice of a failing webhook. The caller sends it once per run of failures
    (it claims ``failing_notice_at``)."""
    assert webhook.failing_since is not None
    values = {
        "workspace_name": workspace_name(session, webhook.workspace_id),
        "target_url": webhook.target_url,
        "failures": webhook.consecutive_failures,
        "last_error": last_error,
        "failing_since": moment(webhook.failing_since),
        "disable_at": moment(disable_at),
        "webhook_url": webhook_path(webhook.id),
    }
    notify_admins(session, webhook.workspace_id, "webhook_failing", values)


def notify_webhook_disabled(session: Session, webhook: Webhook, gone: bool) -> None:
    """The webhook was just disabled: its target answered 410 Gone (``gone``), or every
    attempt failed for the whole disable window. The caller sends it once per disabling."""
    values = {
        "workspace_name": workspace_name(session, webhook.workspace_id),
        "target_url": webhook.target_url,
        "reason": "gone" if gone else "failing",
        "failing_since": moment(webhook.failing_since or webhook.updated_at),
        "webhook_url": webhook_path(webhook.id),
    }
    notify_admins(session, webhook.workspace_id, "webhook_disabled", values)


def send_failing_digests(session: Session, now: datetime, disable_after: timedelta) -> int:
    """Once a day per workspace, a digest of its webhooks still failing a day or more after
    their first notice; how many digests were written."""
    failing = session.exec(
        select(Webhook)
        .where(
            col(Webhook.is_enabled),
            col(Webhook.failing_since).is_not(None),
            col(Webhook.failing_notice_at) <= now - DIGEST_AFTER,
        )
        .order_by(col(Webhook.workspace_id), col(Webhook.failing_since))
    ).all()
    by_workspace: dict[str, list[Webhook]] = defaultdict(list)
    for webhook in failing:
        by_workspace[webhook.workspace_id].append(webhook)
    written = 0
    for workspace_id, webhooks in by_workspace.items():
        if not claim_notice(session, f"webhook_failing_digest:{workspace_id}:{now.date()}"):
            continue
        values = {
            "workspace_name": workspace_name(session, workspace_id),
            "webhooks": [_digest_line(session, webhook, disable_after) for webhook in webhooks],
        }
        notify_admins(session, workspace_id, "webhook_failing_digest", values)
        written += 1
    return written


def _digest_line(session: Session, webhook: Webhook, disable_after: timedelta) -> dict[str, object]:
    assert webhook.failing_since is not None
    latest = session.exec(
        select(DeliveryAttempt.status_code, DeliveryAttempt.error)
        .where(DeliveryAttempt.webhook_id == webhook.id)
        .order_by(col(DeliveryAttempt.attempted_at).desc())
        .limit(1)
    ).first()
    return {
        "target_url": webhook.target_url,
        "failures": webhook.consecutive_failures,
        "failing_since": moment(webhook.failing_since),
        "disable_at": moment(webhook.failing_since + disable_after),
        "last_error": describe_failure(*latest) if latest else "no answer",
        "webhook_url": webhook_path(webhook.id),
    }
