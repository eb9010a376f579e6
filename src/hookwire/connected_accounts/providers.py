"""Accounts at Google and Microsoft, connected with OAuth 2 (Authlib's client): where each
provider's endpoints are, which scopes each channel needs, the authorization code flow with
PKCE, and an HTTP session that refreshes its token and keeps the new one sealed.

A provider is offered only when its flags and client credentials are set (``OAuthProvider``
in the configuration); nothing here runs otherwise.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from hookwire.config import AccountSettings, OAuthProvider
from hookwire.connected_accounts.accounts import ACTIVE
from hookwire.connected_accounts.connections import ServiceUnreachable
from hookwire.connected_accounts.sealing import CredentialSealer
from hookwire.crm import install_connected_objects
from hookwire.database import transaction
from hookwire.errors import BadRequest, NotFound
from hookwire.models import AccountChannel, ConnectedAccount, utcnow


@dataclass(frozen=True)
class ProviderSpec:
    """What Hookwire needs to know of an OAuth provider of mail and calendars."""

    name: str
    label: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    apis: Mapping[str, str]  # API name -> base URL
    scopes: tuple[str, ...]  # always asked for
    channel_scopes: Mapping[str, tuple[str, ...]]  # per channel kind
    authorize_params: Mapping[str, str] = field(default_factory=dict)


GOOGLE = ProviderSpec(
    name="google",
    label="Google",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    userinfo_url="https://openidconnect.googleapis.com/v1/userinfo",
    apis={
        "gmail": "https://gmail.googleapis.com/gmail/v1",
        "calendar": "https://www.googleapis.com/calendar/v3",
    },
    scopes=("openid", "email", "profile"),
    channel_scopes={
        "messaging": (
            "https://www.googleapis.com/auth/gmail.readonly",
            "https://www.googleapis.com/auth/gmail.send",
        ),
        "calendar": ("https://www.googleapis.com/auth/calendar.events.readonly",),
    },
    # A refresh token, every time: syncs run long after the user left.
    authorize_params={"access_type": "offline", "prompt": "consent"},
)
MICROSOFT = ProviderSpec(
    name="microsoft",
    label="Microsoft",
    authorize_url="https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token_url="https://login.microsoftonline.com/common/oauth2/v2.0/token",
    userinfo_url="https://graph.microsoft.com/oidc/userinfo",
    apis={"graph": "https://graph.microsoft.com/v1.0"},
    scopes=("openid", "email", "profile", "offline_access", "User.Read"),
    channel_scopes={
        "messaging": ("Mail.ReadWrite", "Mail.Send"),
        "calendar": ("Calendars.Read",),
    },
)
PROVIDER_SPECS: Mapping[str, ProviderSpec] = {spec.name: spec for spec in (GOOGLE, MICROSOFT)}


@dataclass(frozen=True)
class Authorization:
    """Where to send the user, and what the callback must find again: ``state`` and the PKCE
    ``code_verifier`` (kept by the caller, never in the URL)."""

    url: str
    state: str
    code_verifier: str


def enabled_providers(settings: AccountSettings) -> list[ProviderSpec]:
    return [PROVIDER_SPECS[name] for name, p in settings.providers.items() if p.enabled]


def provider_settings(settings: AccountSettings, name: str) -> OAuthProvider:
    """The provider's configuration; NotFound unless it is switched on."""
    provider = settings.providers.get(name)
    if provider is None or not provider.enabled or name not in PROVIDER_SPECS:
        raise NotFound(f"no account provider '{name}' is enabled on this server")
    return provider


def endpoint(provider: OAuthProvider, url: str) -> str:
    """``url``, under the provider's ``base_url`` when one is configured."""
    if provider.base_url is None:
        return url
    parts = urlsplit(url)
    return provider.base_url + parts.path + (f"?{parts.query}" if parts.query else "")


def channel_kinds(provider: OAuthProvider) -> list[str]:
    return [
        kind
        for kind, on in (("messaging", provider.messaging), ("calendar", provider.calendar))
        if on
    ]


def start_authorization(settings: AccountSettings, name: str, redirect_uri: str) -> Authorization:
    """The provider's consent page for every channel it is enabled for."""
    provider = provider_settings(settings, name)
    spec = PROVIDER_SPECS[name]
    scopes = [
        *spec.scopes,
        *(s for kind in channel_kinds(provider) for s in spec.channel_scopes[kind]),
    ]
    client = _client(provider, redirect_uri=redirect_uri, scope=" ".join(scopes))
    verifier = secrets.token_urlsafe(48)
    url, state = client.create_authorization_url(
        endpoint(provider, spec.authorize_url), code_verifier=verifier, **spec.authorize_params
    )
    return Authorization(url, state, verifier)


def finish_authorization(
    settings: AccountSettings, name: str, redirect_uri: str, code: str, code_verifier: str
) -> tuple[str, dict[str, Any]]:
    """Exchange the callback's code for a token; (the account's address, the token)."""
    provider = provider_settings(settings, name)
    spec = PROVIDER_SPECS[name]
    client = _client(provider, redirect_uri=redirect_uri)
    try:
        token = dict(
            client.fetch_token(
                endpoint(provider, spec.token_url),
                code=code,
                code_verifier=code_verifier,
                timeout=settings.timeout,
            )
        )
        answer = client.get(endpoint(provider, spec.userinfo_url), timeout=settings.timeout)
        answer.raise_for_status()
        profile = answer.json()
    except (AuthlibBaseError, requests.RequestException, ValueError) as error:
        raise BadRequest(f"{spec.label} did not complete the connection: {error}") from None
    address = profile.get("email") or profile.get("preferred_username") or ""
    if "@" not in address:
        raise BadRequest(f"{spec.label} did not tell which address the account has")
    if not token.get("refresh_token"):
        raise BadRequest(f"{spec.label} gave no refresh token; connect again and grant access")
    return address.strip().lower(), token


def connect_oauth_account(
    session: Session,
    workspace_id: str,
    owner_id: str,
    name: str,
    address: str,
    token: dict[str, Any],
    settings: AccountSettings,
    sealer: CredentialSealer,
) -> ConnectedAccount:
    """Save the account (a reconnection replaces its token) and its channels, due to sync
    now."""
    provider = provider_settings(settings, name)
    account = session.exec(
        select(ConnectedAccount).where(
            ConnectedAccount.user_id == owner_id,
            ConnectedAccount.provider == name,
            ConnectedAccount.handle == address,
        )
    ).first()
    if account is None:
        install_connected_objects(session, workspace_id)
        account = ConnectedAccount(
            workspace_id=workspace_id, user_id=owner_id, handle=address, provider=name,
            sealed_credentials="",
        )  # fmt: skip
    account.sealed_credentials = sealer.seal({"token": token})
    account.scopes = str(token.get("scope", "")).split()
    account.auth_failed_at = None
    account.updated_at = utcnow()
    session.add(account)
    session.flush()
    existing = {
        channel.kind: channel
        for channel in session.exec(
            select(AccountChannel).where(col(AccountChannel.connected_account_id) == account.id)
        )
    }
    for kind in channel_kinds(provider):
        channel = existing.get(kind) or AccountChannel(
            connected_account_id=account.id, workspace_id=workspace_id, kind=kind
        )
        channel.status, channel.status_reason, channel.failures = ACTIVE, None, 0
        channel.next_sync_at = utcnow()
        session.add(channel)
    session.flush()
    return account


def api_session(
    engine: Engine,
    settings: AccountSettings,
    sealer: CredentialSealer,
    name: str,
    account_id: str,
    token: dict[str, Any],
) -> OAuth2Session:
    """An HTTP session for the provider's APIs as the account: an expired token is refreshed
    before a request, and the new one sealed in place of the old."""
    provider = provider_settings(settings, name)
    spec = PROVIDER_SPECS[name]

    def keep(new_token: dict[str, Any], refresh_token: str | None = None, **_: Any) -> None:
        with transaction(engine) as session:
            account = session.get(ConnectedAccount, account_id)
            if account is not None:
                merged = {**token, **new_token}  # a refresh may leave the refresh token out
                account.sealed_credentials = sealer.seal({"token": merged})
                session.add(account)

    return _client(
        provider,
        token=token,
        token_endpoint=endpoint(provider, spec.token_url),
        update_token=keep,
    )


def token_refused(name: str, error: Exception) -> ServiceUnreachable:
    """A failed refresh or a 401: the account must be connected again."""
    label = PROVIDER_SPECS[name].label
    return ServiceUnreachable(
        label.upper(),
        f"{label} refused the account's token ({error}); connect the account again",
        login_refused=True,
    )


def _client(provider: OAuthProvider, **options: Any) -> OAuth2Session:
    return OAuth2Session(
        provider.client_id,
        provider.client_secret,
        code_challenge_method="S256",
        **options,
    )
