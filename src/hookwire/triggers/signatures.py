"""Verify a webhook delivery's signature: Standard Webhooks headers, else Twenty's.

Both sign the exact body with HMAC-SHA256 under the subscription's secret; a delivery older
than the tolerance is refused too, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

from hookwire.connector import HaltedError

TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"


def verify_signature(
    secret: str, headers: Mapping[str, str], body: str, now: float | None = None
) -> None:
    """Return if the delivery is authentic; HaltedError saying why not otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    now = time.time() if now is None else now
    if "webhook-signature" in lowered:
        _verify_standard(secret, lowered, body, now)
    elif "x-twenty-webhook-signature" in lowered:
        _verify_twenty(secret, lowered, body, now)
    else:
        raise HaltedError("unsigned request: no webhook-signature header; ignored")


def _verify_standard(secret: str, headers: Mapping[str, str], body: str, now: float) -> None:
    timestamp = _timestamp(headers.get("webhook-timestamp"), now, scale=1)
    message = f"{headers.get('webhook-id', '')}.{timestamp}.{body}".encode()
    expected = base64.b64encode(hmac.new(_standard_key(secret), message, "sha256").digest())
    for candidate in headers["webhook-signature"].split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return
    raise HaltedError("forged request: webhook-signature does not match; ignored")


def _verify_twenty(secret: str, headers: Mapping[str, str], body: str, now: float) -> None:
    timestamp = _timestamp(headers.get("x-twenty-webhook-timestamp"), now, scale=1000)
    message = f"{timestamp}:{body}".encode()
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(headers["x-twenty-webhook-signature"].encode(), expected.encode()):
        raise HaltedError("forged request: X-Twenty-Webhook-Signature does not match; ignored")


def _timestamp(raw: str | None, now: float, scale: int) -> str:
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 20:
        raise HaltedError("the signature's timestamp header is missing or malformed; ignored")
    if abs(now - int(raw) / scale) > TOLERANCE_SECONDS:
        raise HaltedError(f"the signature is more than {TOLERANCE_SECONDS} s old or early; ignored")
    return raw


def _standard_key(secret: str) -> bytes:
    """The base64 after ``whsec_`` (Standard Webhooks), else the secret's own bytes."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()
