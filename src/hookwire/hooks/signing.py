"""Signed webhook headers: Twenty's ``X-Twenty-Webhook-*`` and Standard Webhooks' ``webhook-*``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from standardwebhooks import Webhook as StandardWebhook

from hookwire.hooks.webhook_secrets import standard_key


def twenty_signature(secret: str, timestamp_ms: int, body: str) -> str:
    """Hex HMAC-SHA256 keyed on the secret's UTF-8 bytes over ``"{timestamp}:{body}"``."""
    message = f"{timestamp_ms}:{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, event_id: str, body: str, now: datetime) -> dict[str, str]:
    """Both header families for one attempt; ``webhook-id`` stays the same across retries."""
    timestamp_ms = int(now.timestamp() * 1000)
    return {
        "X-Twenty-Webhook-Timestamp": str(timestamp_ms),
        "X-Twenty-Webhook-Signature": twenty_signature(secret, timestamp_ms, body),
        "X-Twenty-Webhook-Nonce": secrets.token_hex(16),
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": StandardWebhook(standard_key(secret)).sign(event_id, now, body),
    }
