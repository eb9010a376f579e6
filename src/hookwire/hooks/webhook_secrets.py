"""Webhook secrets: generated in the Standard Webhooks form, kept encrypted at rest."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "whsec_"
_NONCE_BYTES = 12


def generate_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes: one string for both signature families."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_key(secret: str) -> bytes:
    """The HMAC key Standard Webhooks uses: the base64 after ``whsec_``, else the raw bytes."""
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


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
