"""Operational notices: emails to a workspace's admins about its webhooks, API keys and OAuth
applications, each sent once, to the admins who have not switched its topic off."""

from hookwire.notices.api_keys import send_api_key_notices
from hookwire.notices.applications import notify_secret_rotated
from hookwire.notices.preferences import opt_in, opt_out, opted_out_topics
from hookwire.notices.sent_once import forget_old_notices
from hookwire.notices.webhooks import (
    notify_webhook_disabled,
    notify_webhook_failing,
    send_failing_digests,
)
from hookwire.notices.wording import describe_failure

__all__ = [
    "describe_failure",
    "forget_old_notices",
    "notify_secret_rotated",
    "notify_webhook_disabled",
    "notify_webhook_failing",
    "opt_in",
    "opt_out",
    "opted_out_topics",
    "send_api_key_notices",
    "send_failing_digests",
]
