"""Signed webhook headers: Twenty's ``X-Twenty-Webhook-*`` and Standard Webhooks' ``webhook-*``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from hookwire.hooks.webhook_secrets import standard_key


def twenty_signature(secret: str, timestamp_ms: int, body: str) -> str:
    """Hex HMAC-SHA256 keyed on the secret's UTF-8 bytes over ``"{timestamp}:{body}"``."""
    message = f"{timestamp_ms}:{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def standard_signature(secret: str, event_id: str, timestamp_s: int, body: str) -> str:
    """``v1,`` + base64 HMAC-SHA256 keyed on ``standard_key(secret)`` over
    ``"{id}.{timestamp}.{body}"``, as the Standard Webhooks specification signs."""
    message = f"{event_id}.{timestamp_s}.{body}".encode()
    digest = hmac.new(standard_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, event_id: str, body: str, now: datetime) -> dict[str, str]:
    """Both header families for one attempt; ``webhook-id`` stays the same across retries."""
    timestamp_ms = int(now.timestamp() * 1000)
    timestamp_s = int(now.timestamp())
    return {
        "X-Twenty-Webhook-Timestamp": str(timestamp_ms),
        "X-Twenty-Webhook-Signature": twenty_signature(secret, timestamp_ms, body),
        "X-Twenty-Webhook-Nonce": secrets.token_hex(16),
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp_s),
        "webhook-signature": standard_signature(secret, event_id, timestamp_s, body),
    }
