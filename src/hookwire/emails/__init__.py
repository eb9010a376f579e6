"""Transactional emails: templates, the email outbox, and the senders that empty it.

``enqueue_email`` writes an email in the caller's transaction; the ``EmailRunner`` of the
server process (or ``hookwire worker``, on the ``emails`` RQ queue) sends it through
``EMAIL_DRIVER`` once that transaction commits.
"""

from hookwire.emails.catalog import TEMPLATES, TOPICS, EmailTemplate
from hookwire.emails.drivers import LogDriver, SmtpDriver, create_driver
from hookwire.emails.jobs import EMAIL_QUEUE, send_emails
from hookwire.emails.message import EMAIL_PREFERENCES_PATH, preferences_url
from hookwire.emails.outbox import EMAILS_KEY, enqueue_email, purge_emails
from hookwire.emails.rendering import EmailTemplateError, RenderedEmail, render_email
from hookwire.emails.runner import EmailRunner
from hookwire.emails.sender import send_due, send_pending
from hookwire.emails.unsubscribe import (
    UNSUBSCRIBE_PATH,
    BadUnsubscribeLink,
    Unsubscribe,
    read_unsubscribe_token,
)

__all__ = [
    "EMAILS_KEY",
    "EMAIL_PREFERENCES_PATH",
    "EMAIL_QUEUE",
    "TEMPLATES",
    "TOPICS",
    "UNSUBSCRIBE_PATH",
    "BadUnsubscribeLink",
    "EmailRunner",
    "EmailTemplate",
    "EmailTemplateError",
    "LogDriver",
    "RenderedEmail",
    "SmtpDriver",
    "Unsubscribe",
    "create_driver",
    "enqueue_email",
    "preferences_url",
    "purge_emails",
    "read_unsubscribe_token",
    "render_email",
    "send_due",
    "send_emails",
    "send_pending",
]
