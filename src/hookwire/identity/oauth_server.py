"""The OAuth2 authorization server: Authlib's Flask integration with Hookwire's storage.

Grants: authorization code (PKCE; S256 required of public clients), refresh token (rotated on
every use; a rotated token presented again revokes its whole grant), client credentials.
Endpoints: token, revocation (RFC 7009), introspection (RFC 7662) and the server's metadata
(RFC 8414). The consent page that ends the authorization request is the settings UI's
(``hookwire.web``); it calls ``consent_request`` and ``authorization_response`` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Blueprint, Flask, current_app, g, request
from flask.typing import ResponseReturnValue
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.database import transaction
from hookwire.errors import Unauthenticated
from hookwire.identity.applications import Client, find_by_client_id
from hookwire.identity.oauth_tokens import (
    ACCESS_TOKEN_LIFETIME,
    decode_access_token,
    is_access_token,
    is_past,
    issue_access_token,
    new_refresh_token,
    refresh_token_row,
    revoke_grant,
    token_hash,
)
from hookwire.identity.scopes import SCOPES
from hookwire.identity.state import identity_state, install_identity_state
from hookwire.models import (
    OAuthApplication,
    OAuthAuthorizationCode,
    OAuthGrant,
    OAuthRefreshToken,
    utcnow,
)

SERVER_KEY = "hookwire.oauth_server"
CODE_LIFETIME = timedelta(minutes=10)
_SESSION = "oauth_session"  # on flask.g: the transaction an OAuth request works in

oauth_api = Blueprint("oauth_api", __name__)


@dataclass(frozen=True)
class Principal:
    """Who an authorization stands for: a signed-in admin of a workspace (consent), or the
    grant a refresh or a code continues."""

    workspace_id: str
    user_id: str | None
    grant_id: str | None = None

    def get_user_id(self) -> str | None:
        return self.user_id


def _session() -> Session:
    return g.get(_SESSION)


def _issuer() -> str:
    return request.url_root.rstrip("/")


def _in_transaction(respond: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """Run an OAuth endpoint in one write transaction, committed whatever it answers: a
    refused request may still have revoked a grant (a code or refresh token reused)."""
    with transaction(identity_state().engine) as session:
        g.setdefault(_SESSION, session)
        try:
            return respond()
        finally:
            g.pop(_SESSION, None)


# --- grants ----------------------------------------------------------------------------------


@dataclass
class _StoredCode(AuthorizationCodeMixin):
    row: OAuthAuthorizationCode
    grant: OAuthGrant

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.grant.scope

    @property
    def code_challenge(self) -> str | None:  # read by Authlib's CodeChallenge
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str | None:
        return self.row.code_challenge_method


class _AuthorizationCode(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        session, client, principal = _session(), request.client, request.user
        grant = OAuthGrant(
            application_id=client.row.id,
            workspace_id=principal.workspace_id,
            user_id=principal.user_id,
            scope=request.scope or client.get_allowed_scope(None),
        )
        session.add(grant)
        session.flush()
        data = request.payload.data
        session.add(
            OAuthAuthorizationCode(
                code_hash=token_hash(code),
                grant_id=grant.id,
                redirect_uri=request.payload.redirect_uri or "",
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                expires_at=utcnow() + CODE_LIFETIME,
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> _StoredCode | None:
        session = _session()
        row = session.get(OAuthAuthorizationCode, token_hash(code))
        grant = session.get(OAuthGrant, row.grant_id) if row is not None else None
        if row is None or grant is None or grant.application_id != client.row.id:
            return None
        if row.used_at is not None:
            # RFC 6749 4.1.2: a code used twice revokes what it was exchanged for.
            revoke_grant(session, grant.id)
            return None
        if is_past(row.expires_at) or grant.revoked_at is not None:
            return None
        return _StoredCode(row, grant)

    def delete_authorization_code(self, authorization_code: _StoredCode) -> None:
        # Kept, marked used, so that a second use is recognized (and revokes the grant).
        authorization_code.row.used_at = utcnow()
        _session().add(authorization_code.row)

    def authenticate_user(self, authorization_code: _StoredCode) -> Principal:
        grant = authorization_code.grant
        return Principal(grant.workspace_id, grant.user_id, grant.id)


class _PublicClientsUseS256(CodeChallenge):
    """PKCE as Authlib checks it, and a public client must send an S256 challenge (a plain
    challenge protects nothing from whoever can read the authorization request)."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        super().validate_code_challenge(grant, redirect_uri)
        data = grant.request.payload.data
        if grant.request.client.is_public and (
            not data.get("code_challenge") or data.get("code_challenge_method") != "S256"
        ):
            raise InvalidRequestError(
                "a public client must send code_challenge with code_challenge_method=S256",
                redirect_uri=redirect_uri,
            )


@dataclass
class _StoredRefreshToken(TokenMixin):
    row: OAuthRefreshToken
    grant: OAuthGrant

    def check_client(self, client: Client) -> bool:
        return self.grant.application_id == client.row.id

    def get_scope(self) -> str:
        return self.grant.scope

    def get_expires_in(self) -> int:
        return int((self.row.expires_at - self.row.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return is_past(self.row.expires_at)

    def is_revoked(self) -> bool:
        return self.grant.revoked_at is not None or self.row.rotated_at is not None


class _RefreshToken(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token: str) -> _StoredRefreshToken | None:
        session = _session()
        row = refresh_token_row(session, refresh_token)
        grant = session.get(OAuthGrant, row.grant_id) if row is not None else None
        if row is None or grant is None:
            return None
        if row.rotated_at is not None:
            _reused(session, grant)
            return None
        if is_past(row.expires_at) or grant.revoked_at is not None:
            return None
        return _StoredRefreshToken(row, grant)

    def authenticate_user(self, refresh_token: _StoredRefreshToken) -> Principal:
        grant = refresh_token.grant
        return Principal(grant.workspace_id, grant.user_id, grant.id)

    def revoke_old_credential(self, refresh_token: _StoredRefreshToken) -> None:
        # Conditional, so of two requests racing with one token only one rotates it; the
        # other is a reuse like any other.
        session = _session()
        rotated = session.execute(
            sa.update(OAuthRefreshToken)
            .where(
                OAuthRefreshToken.token_hash == refresh_token.row.token_hash,
                OAuthRefreshToken.rotated_at.is_(None),
            )
            .values(rotated_at=utcnow())
        )
        if rotated.rowcount != 1:
            _reused(session, refresh_token.grant)
            raise InvalidGrantError("this refresh token was already used")


def _reused(session: Session, grant: OAuthGrant) -> None:
    """A rotated refresh token came back: one copy of it is a thief's. End the whole grant."""
    current_app.logger.warning(
        "refresh token reused: grant %s of application %s revoked", grant.id, grant.application_id
    )
    revoke_grant(session, grant.id)


class _ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


# --- tokens as the revocation and introspection endpoints see them ---------------------------


@dataclass
class _FoundToken(TokenMixin):
    kind: str  # "access_token" or "refresh_token"
    grant: OAuthGrant
    client_id: str
    scope: str
    subject: str
    issued_at: datetime
    expires_at: datetime
    rotated: bool = False

    def check_client(self, client: Client) -> bool:
        return client.get_client_id() == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return is_past(self.expires_at)

    def is_revoked(self) -> bool:
        return self.grant.revoked_at is not None or self.rotated


def _find_token(token: str) -> _FoundToken | None:
    session = _session()
    if is_access_token(token):
        try:
            claims = decode_access_token(identity_state().app_secret, token)
        except Unauthenticated:
            return None  # invalid or expired: inactive, nothing to revoke
        grant = session.get(OAuthGrant, claims["gid"])
        if grant is None:
            return None
        return _FoundToken(
            "access_token",
            grant,
            claims["client_id"],
            claims.get("scope", ""),
            claims.get("sub", ""),
            datetime.fromtimestamp(claims["iat"], utcnow().tzinfo),
            datetime.fromtimestamp(claims["exp"], utcnow().tzinfo),
        )
    row = refresh_token_row(session, token)
    grant = session.get(OAuthGrant, row.grant_id) if row is not None else None
    application = session.get(OAuthApplication, grant.application_id) if grant else None
    if row is None or grant is None or application is None:
        return None
    return _FoundToken(
        "refresh_token",
        grant,
        application.client_id,
        grant.scope,
        grant.user_id or application.client_id,
        row.issued_at,
        row.expires_at,
        rotated=row.rotated_at is not None,
    )


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> _FoundToken | None:
        return _find_token(token_string)

    def revoke_token(self, token: _FoundToken, request: Any) -> None:
        # Either token of a grant ends the grant (RFC 7009 2.1 allows it for access tokens):
        # what a user who revokes an application expects.
        revoke_grant(_session(), token.grant.id)


class _Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> _FoundToken | None:
        return _find_token(token_string)

    def check_permission(self, token: _FoundToken, client: Client, request: Any) -> bool:
        return token.check_client(client)  # an application introspects its own tokens

    def introspect_token(self, token: _FoundToken) -> dict[str, Any]:
        return {
            "active": True,
            "scope": token.scope,
            "client_id": token.client_id,
            "token_type": token.kind,
            "sub": token.subject,
            "iss": _issuer(),
            "iat": int(token.issued_at.timestamp()),
            "exp": int(token.expires_at.timestamp()),
            "workspace_id": token.grant.workspace_id,
        }


# --- the server ------------------------------------------------------------------------------


def _query_client(client_id: str) -> Client | None:
    row = find_by_client_id(_session(), client_id)
    return Client(row) if row is not None else None


def _save_token(token: dict[str, Any], request: Any) -> None:
    """Nothing to do: the generator stored the refresh token with its grant."""


def _generate_token(
    grant_type: str,
    client: Client,
    user: Principal | None = None,
    scope: str | None = None,
    expires_in: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    session = _session()
    scope = client.get_allowed_scope(scope)
    if user is None or user.grant_id is None:  # client credentials: a grant per token
        grant = OAuthGrant(
            application_id=client.row.id, workspace_id=client.row.workspace_id, scope=scope
        )
        session.add(grant)
        session.flush()
    else:
        grant = session.get(OAuthGrant, user.grant_id)
    access = issue_access_token(
        identity_state().app_secret, _issuer(), grant, client.get_client_id(), scope
    )
    token = {
        "token_type": "Bearer",
        "access_token": access.token,
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "scope": scope,
    }
    if include_refresh_token and user is not None:
        token["refresh_token"] = new_refresh_token(session, grant.id)
    return token


def register_identity(app: Flask, engine: Engine, app_secret: str) -> None:
    """Set identity up in ``app``: API keys and access tokens are checked on ``engine``'s
    database with keys derived from ``app_secret``; the authorization server and its
    endpoints are added."""
    install_identity_state(app, engine, app_secret)
    server = AuthorizationServer()
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    server.scopes_supported = list(SCOPES)
    server.register_token_generator("default", _generate_token)
    server.register_grant(_AuthorizationCode, [_PublicClientsUseS256(required=True)])
    server.register_grant(_RefreshToken)
    server.register_grant(_ClientCredentials)
    server.register_endpoint(_Revocation)
    server.register_endpoint(_Introspection)
    app.extensions[SERVER_KEY] = server
    app.register_blueprint(oauth_api)


def _server() -> AuthorizationServer:
    return current_app.extensions[SERVER_KEY]


@oauth_api.post("/oauth/token")
def token() -> ResponseReturnValue:
    return _in_transaction(lambda: _server().create_token_response())


@oauth_api.post("/oauth/revoke")
def revoke() -> ResponseReturnValue:
    return _in_transaction(lambda: _server().create_endpoint_response("revocation"))


@oauth_api.post("/oauth/introspect")
def introspect() -> ResponseReturnValue:
    return _in_transaction(lambda: _server().create_endpoint_response("introspection"))


@oauth_api.get("/.well-known/oauth-authorization-server")
def metadata() -> dict[str, Any]:
    base = _issuer()
    client_auth = ["client_secret_basic", "client_secret_post"]
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": [*client_auth, "none"],
        "revocation_endpoint_auth_methods_supported": [*client_auth, "none"],
        "introspection_endpoint_auth_methods_supported": client_auth,
        "code_challenge_methods_supported": ["S256"],
    }


# --- the consent page's side -----------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRequest:
    """A valid authorization request, as the consent page shows it."""

    application: OAuthApplication
    scopes: list[str]


def consent_request(principal: Principal) -> ConsentRequest | OAuth2Error:
    """The authorization request of the current page, checked; or why it is refused."""

    def check() -> ConsentRequest | OAuth2Error:
        try:
            grant = _server().get_consent_grant(end_user=principal)
        except OAuth2Error as error:
            return error
        client: Client = grant.request.client
        return ConsentRequest(client.row, (grant.request.scope or "").split())

    return _in_transaction(check)  # type: ignore[return-value]


def error_redirect(error: OAuth2Error) -> ResponseReturnValue:
    """Send the browser back to the application with ``error`` (and the request's state):
    only for an error whose redirect URI Authlib checked as the application's."""
    assert error.redirect_uri, "an unchecked redirect URI must not receive anything"
    return _server().handle_error_response(request, error)


def authorization_response(principal: Principal | None) -> ResponseReturnValue:
    """Redirect back to the application: with a code if ``principal`` allowed, else denied."""
    return _in_transaction(lambda: _server().create_authorization_response(grant_user=principal))


__all__ = [
    "ConsentRequest",
    "Principal",
    "authorization_response",
    "consent_request",
    "error_redirect",
    "register_identity",
]
