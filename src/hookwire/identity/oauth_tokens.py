"""OAuth2 tokens: short-lived JWT access tokens (RFC 9068) and opaque, rotating refresh tokens.

An access token names its grant (``gid``); every request reads that grant's row, as it reads
an API key's, so revoking the grant, deleting the application or reusing a rotated refresh
token refuses its access tokens from the next request on, not only when they expire. A refresh
token carries its grant's id in clear (``hwr.<grant>.<random>``); only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from sqlmodel import Session

from hookwire.errors import Forbidden, Unauthenticated
from hookwire.identity.api_keys import ALGORITHM, Caller, unverified_claims
from hookwire.identity.scopes import parse_scopes
from hookwire.models import (
    OAuthApplication,
    OAuthGrant,
    OAuthRefreshToken,
    Workspace,
    new_id,
    utcnow,
)

ACCESS_TOKEN_TYPE = "OAUTH_ACCESS"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
_REFRESH_PREFIX = "hwr"
_CLAIMS = jwt.JWTClaimsRegistry(
    exp={"essential": True},
    jti={"essential": True},
    gid={"essential": True},
    workspaceId={"essential": True},
)


def access_signing_key(app_secret: str, workspace_id: str) -> OctKey:
    """Derived apart from API keys' (another label), so neither token passes for the other."""
    derived = hmac.new(app_secret.encode(), f"oauth-access:{workspace_id}".encode(), "sha256")
    return OctKey.import_key(derived.digest())


@dataclass(frozen=True)
class AccessToken:
    token: str
    claims: dict


def issue_access_token(
    app_secret: str, issuer: str, grant: OAuthGrant, client_id: str, scope: str
) -> AccessToken:
    now = utcnow()
    claims = {
        "iss": issuer,
        "sub": grant.user_id or client_id,
        "client_id": client_id,
        "workspaceId": grant.workspace_id,
        "type": ACCESS_TOKEN_TYPE,
        "scope": scope,
        "gid": grant.id,
        "jti": new_id(),
        "iat": int(now.timestamp()),
        "exp": int((now + ACCESS_TOKEN_LIFETIME).timestamp()),
    }
    key = access_signing_key(app_secret, grant.workspace_id)
    token = jwt.encode({"alg": ALGORITHM, "typ": "at+jwt"}, claims, key)
    return AccessToken(token, claims)


def is_access_token(token: str) -> bool:
    """Whether ``token`` claims to be an OAuth access token (unverified: for routing only)."""
    try:
        return unverified_claims(token).get("type") == ACCESS_TOKEN_TYPE
    except Unauthenticated:
        return False


def decode_access_token(app_secret: str, token: str) -> dict:
    """The verified claims of an access token; 401 when it is invalid or expired."""
    workspace_id = unverified_claims(token).get("workspaceId")
    if not isinstance(workspace_id, str):
        raise Unauthenticated("Token invalid.")
    try:
        decoded = jwt.decode(
            token, access_signing_key(app_secret, workspace_id), algorithms=[ALGORITHM]
        )
        _CLAIMS.validate(decoded.claims)
    except ExpiredTokenError:
        raise Unauthenticated("Token has expired.") from None
    except (JoseError, ValueError, TypeError):
        raise Unauthenticated("Token invalid.") from None
    if decoded.claims.get("type") != ACCESS_TOKEN_TYPE:
        raise Unauthenticated("Token invalid.")
    return decoded.claims


# Read on every request an access token makes, like an API key's row: built once.
_GRANT_STATE = (
    sa.select(
        OAuthGrant.revoked_at,
        OAuthApplication.id.label("application_id"),
        OAuthApplication.name,
        Workspace.metadata_version,
    )
    .join(OAuthApplication, OAuthApplication.id == OAuthGrant.application_id)
    .join(Workspace, Workspace.id == OAuthGrant.workspace_id)
    .where(OAuthGrant.id == sa.bindparam("grant_id"))
    .where(OAuthGrant.workspace_id == sa.bindparam("workspace_id"))
)


def verify_access_token(session: Session, app_secret: str, token: str) -> Caller:
    """The caller an access token stands for; 401 (invalid, expired) or 403 (revoked)."""
    claims = decode_access_token(app_secret, token)
    params = {"grant_id": claims["gid"], "workspace_id": claims["workspaceId"]}
    found = session.connection().execute(_GRANT_STATE, params).first()
    if found is None:
        raise Unauthenticated("Token invalid.")
    if found.revoked_at is not None:
        raise Forbidden("This access token has been revoked.")
    return Caller(
        workspace_id=claims["workspaceId"],
        api_key_id="",
        metadata_version=found.metadata_version,
        key_name=found.name,
        scopes=parse_scopes(str(claims.get("scope", ""))),
        application_id=found.application_id,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token(session: Session, grant_id: str) -> str:
    token = f"{_REFRESH_PREFIX}.{grant_id}.{secrets.token_urlsafe(32)}"
    expires_at = utcnow() + REFRESH_TOKEN_LIFETIME
    session.add(
        OAuthRefreshToken(token_hash=token_hash(token), grant_id=grant_id, expires_at=expires_at)
    )
    return token


def refresh_token_row(session: Session, token: str) -> OAuthRefreshToken | None:
    if not token.startswith(f"{_REFRESH_PREFIX}."):
        return None
    return session.get(OAuthRefreshToken, token_hash(token))


def revoke_grant(session: Session, grant_id: str) -> None:
    """End a grant: its access tokens are refused at once and its refresh tokens no longer work."""
    session.execute(
        sa.update(OAuthGrant)
        .where(OAuthGrant.id == grant_id, OAuthGrant.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def is_past(moment: datetime) -> bool:
    return moment <= utcnow()
