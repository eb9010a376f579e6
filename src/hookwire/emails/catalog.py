"""Every email Hookwire sends: its subject, the values it needs, and sample values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class EmailTemplate:
    """One email: ``<name>.mjml`` and ``<name>.txt`` beside this module render it.

    Arguments:
        name: the template's name, as ``enqueue_email`` takes it.
        subject: a Jinja template of the subject line.
        required: the values the templates use; each must be given.
        sample: values for previews and tests.
        topic: for a notice to admins, the topic (one of TOPICS) under which they can switch
            it off; such an email gets the preferences footer and ``List-Unsubscribe``.
        private: whether it holds a link meant for its recipient alone (a password reset),
            which the settings pages never show, whatever the driver.
        choices: values that must be one of a few strings.
    """

    name: str
    subject: str
    required: tuple[str, ...]
    sample: Mapping[str, Any]
    topic: str | None = None
    private: bool = False
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def operational(self) -> bool:
        return self.topic is not None


# The topics of operational emails, each of which an admin can switch off, and their labels.
TOPICS: Mapping[str, str] = MappingProxyType(
    {
        "webhook_failing": "A webhook keeps failing (first notice, then a daily digest)",
        "webhook_disabled": "A webhook was disabled",
        "api_key_expiry": "An API key expires in 7 days, or has expired",
        "oauth_secret_rotated": "An OAuth application's client secret was rotated",
    }
)


_WEBHOOK_URL = "https://crm.example.com/settings/webhooks/6f1c2a8e-0d4b-4c5e-9a7b-2f3e4d5c6b7a"
_APIS_URL = "https://crm.example.com/settings/apis"

_ALL = (
    EmailTemplate(
        "invitation",
        "{{ inviter_name }} invited you to {{ workspace_name }} on Hookwire",
        ("inviter_name", "workspace_name", "role", "accept_url", "expires_in_days"),
        {
            "inviter_name": "Ada Lovelace",
            "workspace_name": "Analytical Engines",
            "role": "member",
            "accept_url": "https://crm.example.com/invitations/accept?token=sample-invitation-token",
            "expires_in_days": 7,
        },
        choices={"role": ("admin", "member")},
    ),
    EmailTemplate(
        "email_verification",
        "Confirm your email address",
        ("email", "verify_url", "expires_in_hours"),
        {
            "email": "grace@example.com",
            "verify_url": "https://crm.example.com/verify-email?token=sample-verification-token",
            "expires_in_hours": 24,
        },
        private=True,
    ),
    EmailTemplate(
        "password_reset",
        "Reset your Hookwire password",
        ("email", "reset_url", "expires_in_minutes"),
        {
            "email": "grace@example.com",
            "reset_url": "https://crm.example.com/reset-password?token=sample-reset-token",
            "expires_in_minutes": 30,
        },
        private=True,
    ),
    EmailTemplate(
        "password_changed",
        "Your Hookwire password was changed",
        ("email", "changed_at", "reset_url"),
        {
            "email": "grace@example.com",
            "changed_at": "8 December 2026 at 14:05 UTC",
            "reset_url": "https://crm.example.com/forgot-password",
        },
    ),
    EmailTemplate(
        "webhook_failing",
        "Webhook failing: {{ target_url }}",
        (
            "workspace_name",
            "target_url",
            "failures",
            "last_error",
            "failing_since",
            "disable_at",
            "webhook_url",
        ),
        {
            "workspace_name": "Analytical Engines",
            "target_url": "https://hooks.zapier.com/hooks/catch/123456/abcdef/",
            "failures": 5,
            "last_error": "HTTP 500: Internal Server Error",
            "failing_since": "8 December 2026 at 09:12 UTC",
            "disable_at": "13 December 2026 at 09:12 UTC",
            "webhook_url": _WEBHOOK_URL,
        },
        topic="webhook_failing",
    ),
    EmailTemplate(
        "webhook_failing_digest",
        "{{ webhooks | length }} webhook{{ 's' if webhooks | length != 1 }} still failing in "
        "{{ workspace_name }}",
        ("workspace_name", "webhooks"),
        {
            "workspace_name": "Analytical Engines",
            "webhooks": [
                {
                    "target_url": "https://hooks.zapier.com/hooks/catch/123456/abcdef/",
                    "failures": 42,
                    "failing_since": "8 December 2026 at 09:12 UTC",
                    "disable_at": "13 December 2026 at 09:12 UTC",
                    "last_error": "HTTP 500: Internal Server Error",
                    "webhook_url": _WEBHOOK_URL,
                },
                {
                    "target_url": "https://example.n8n.cloud/webhook/crm-people",
                    "failures": 7,
                    "failing_since": "9 December 2026 at 18:40 UTC",
                    "disable_at": "14 December 2026 at 18:40 UTC",
                    "last_error": "connection refused",
                    "webhook_url": _WEBHOOK_URL,
                },
            ],
        },
        topic="webhook_failing",
    ),
    EmailTemplate(
        "webhook_disabled",
        "Webhook disabled: {{ target_url }}",
        ("workspace_name", "target_url", "reason", "failing_since", "webhook_url"),
        {
            "workspace_name": "Analytical Engines",
            "target_url": "https://hooks.zapier.com/hooks/catch/123456/abcdef/",
            "reason": "failing",
            "failing_since": "8 December 2026 at 09:12 UTC",
            "webhook_url": _WEBHOOK_URL,
        },
        topic="webhook_disabled",
        choices={"reason": ("gone", "failing")},
    ),
    EmailTemplate(
        "api_key_expiring",
        "The API key {{ key_name }} expires in 7 days",
        ("workspace_name", "key_name", "expires_at", "apis_url"),
        {
            "workspace_name": "Analytical Engines",
            "key_name": "Zapier",
            "expires_at": "15 December 2026",
            "apis_url": _APIS_URL,
        },
        topic="api_key_expiry",
    ),
    EmailTemplate(
        "api_key_expired",
        "The API key {{ key_name }} has expired",
        ("workspace_name", "key_name", "expired_at", "apis_url"),
        {
            "workspace_name": "Analytical Engines",
            "key_name": "Zapier",
            "expired_at": "15 December 2026",
            "apis_url": _APIS_URL,
        },
        topic="api_key_expiry",
    ),
    EmailTemplate(
        "oauth_secret_rotated",
        "The client secret of {{ application_name }} was rotated",
        ("workspace_name", "application_name", "rotated_at", "rotated_by", "apis_url"),
        {
            "workspace_name": "Analytical Engines",
            "application_name": "Reporting dashboard",
            "rotated_at": "8 December 2026 at 14:05 UTC",
            "rotated_by": "ada@example.com",
            "apis_url": _APIS_URL,
        },
        topic="oauth_secret_rotated",
    ),
)

TEMPLATES: Mapping[str, EmailTemplate] = MappingProxyType({t.name: t for t in _ALL})
