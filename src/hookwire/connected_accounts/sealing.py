"""Credentials sealed at rest: Fernet (AES-CBC with an HMAC) under keys from ENCRYPTION_KEY.

ENCRYPTION_KEY holds one or more keys, comma-separated: the first seals, any of them opens,
so a key is rotated by putting a new one first and resealing (``hookwire accounts reseal``)
before dropping the old one. Any string works as a key: each is stretched into a Fernet key.
Without ENCRYPTION_KEY the key is derived from APP_SECRET.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hookwire.config import Config


class SealBroken(ValueError):
    """Sealed credentials that no configured key opens (a key was dropped too early)."""


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(f"hookwire-connected-accounts:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class CredentialSealer:
    """Seals and opens credential documents (JSON objects).

    Arguments:
        keys: ENCRYPTION_KEY's keys, the sealing one first.
        app_secret: the key when ``keys`` is empty.
    """

    def __init__(self, keys: Sequence[str], app_secret: str) -> None:
        self._fernet = MultiFernet([_fernet(key) for key in (keys or [app_secret])])

    @classmethod
    def of(cls, config: Config) -> CredentialSealer:
        return cls(config.accounts.encryption_keys, config.app_secret)

    def seal(self, document: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(document, separators=(",", ":")).encode()).decode()

    def open(self, sealed: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            raise SealBroken(
                "connected account credentials: no key in ENCRYPTION_KEY opens them"
            ) from None

    def reseal(self, sealed: str) -> str:
        """The same document sealed under the first key."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise SealBroken(
                "connected account credentials: no key in ENCRYPTION_KEY opens them"
            ) from None
