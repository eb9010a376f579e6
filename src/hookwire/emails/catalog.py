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
        operational: whether it is a notice to admins, which they can switch off (adds the
            preferences footer and the ``List-Unsubscribe`` header).
        choices: values that must be one of a few strings.
    """

    name: str
    subject: str
    required: tuple[str, ...]
    sample: Mapping[str, Any]
    operational: bool = False
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


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
        operational=True,
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
        operational=True,
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
        operational=True,
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
        operational=True,
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
        operational=True,
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
        operational=True,
    ),
)

TEMPLATES: Mapping[str, EmailTemplate] = MappingProxyType({t.name: t for t in _ALL})
