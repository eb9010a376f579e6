"""Webhook secrets: generated in the Standard Webhooks form, kept encrypted at rest."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "whsec_"
KEY_BYTES = range(24, 65)  # the key sizes Standard Webhooks allows
SECRET_FORM = '"whsec_" followed by the base64 of 24 to 64 random bytes'
_NONCE_BYTES = 12


def generate_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes: one string for both signature families."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def is_standard_secret(secret: str) -> bool:
    """Whether ``secret`` has SECRET_FORM, the only form from which receivers of both
    signature families (``standardwebhooks.Webhook(secret)`` among them) verify."""
    key = _whsec_key(secret)
    return key is not None and len(key) in KEY_BYTES


def standard_key(secret: str) -> bytes:
    """The HMAC key Standard Webhooks uses: the base64 after ``whsec_``; for a secret saved
    before SECRET_FORM was required, its UTF-8 bytes."""
    key = _whsec_key(secret)
    return secret.encode() if key is None else key


def _whsec_key(secret: str) -> bytes | None:
    if not secret.startswith(PREFIX):
        return None
    try:
        return base64.b64decode(secret[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return None


class SecretBox:
    """AES-GCM with a key derived from APP_SECRET, so a database dump alone signs nothing."""

    def __init__(self, app_secret: str) -> None:
        key = hashlib.sha256(f"webhook-secrets:{app_secret}".encode()).digest()
        self._aead = AESGCM(key)

    def seal(self, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, secret.encode(), None)).decode()

    def open(self, sealed: str) -> str:
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
