"""Signed download links: a short-lived JWT naming one file of one workspace.

The token is signed (HS256) with a key derived from ``APP_SECRET`` and the workspace, as API
keys are, and carries the file's id and its expiry. It is the whole authorization of a
download: no bearer token is needed, and a token is good for its own file only, until it
expires.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

from hookwire.errors import Forbidden

ALGORITHM = "HS256"
TOKEN_TYPE = "FILE"
_CLAIMS = jwt.JWTClaimsRegistry(
    exp={"essential": True}, sub={"essential": True}, fileId={"essential": True}
)
_INVALID = "file link: the token is not valid for this file"


@dataclass(frozen=True)
class SignedLink:
    token: str
    expires_at: datetime


def _key(app_secret: str, workspace_id: str) -> OctKey:
    derived = hmac.new(app_secret.encode(), f"file-link:{workspace_id}".encode(), hashlib.sha256)
    return OctKey.import_key(derived.digest())


def sign(
    app_secret: str,
    workspace_id: str,
    file_id: str,
    lifetime: timedelta,
    now: datetime | None = None,
) -> SignedLink:
    now = now or datetime.now(UTC)
    expires_at = now + lifetime
    claims = {
        "sub": workspace_id,
        "type": TOKEN_TYPE,
        "fileId": file_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, _key(app_secret, workspace_id))
    return SignedLink(token, expires_at)


def verify(app_secret: str, token: str, file_id: str) -> str:
    """The workspace whose file ``file_id`` the token opens; 403 if it is expired, forged,
    altered or made for another file."""
    workspace_id = _claimed_workspace(token)
    try:
        decoded = jwt.decode(token, _key(app_secret, workspace_id), algorithms=[ALGORITHM])
        _CLAIMS.validate(decoded.claims)
    except ExpiredTokenError:
        raise Forbidden(
            "file link: expired; ask for a new one (GET /rest/files/{id} answers a fresh url)"
        ) from None
    except (JoseError, ValueError, TypeError):
        raise Forbidden(_INVALID) from None
    claims = decoded.claims
    if claims.get("type") != TOKEN_TYPE or claims.get("fileId") != file_id:
        raise Forbidden(_INVALID)
    return workspace_id


def _claimed_workspace(token: str) -> str:
    """The workspace a token names before its signature is checked: it says which key
    checks it."""
    try:
        claims = json.loads(jws.extract_compact(token.encode()).payload)
    except (JoseError, ValueError, TypeError, UnicodeError):
        raise Forbidden(_INVALID) from None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(subject, str):
        raise Forbidden(_INVALID)
    return subject
