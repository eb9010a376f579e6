"""Connecting a Google or Microsoft account from ``/settings/accounts``: the OAuth 2
authorization code flow with PKCE. The state and the code verifier wait for the callback in
a signed, short-lived cookie of this browser, never in the URL the provider sees."""

from __future__ import annotations

from flask import g, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from hookwire.connected_accounts import (
    PROVIDER_SPECS,
    accounts_context,
    connect_oauth_account,
    finish_authorization,
    start_authorization,
)
from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.security import clear_cookie, set_cookie

provider_account_pages = pages("provider_account_pages")
FLOW_COOKIE = "hookwire_account_oauth"
FLOW_SECONDS = 600  # time to consent at the provider


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services().config.app_secret, salt="hookwire-account-oauth")


def _redirect_uri(provider: str) -> str:
    path = url_for("provider_account_pages.callback", provider=provider)
    return services().config.emails.server_url + path


@provider_account_pages.get("/settings/accounts/oauth/<provider>")
def start(provider: str) -> Response:
    """Send the user to the provider's consent page."""
    authorization = start_authorization(
        accounts_context().settings, provider, _redirect_uri(provider)
    )
    flow = {
        "provider": provider,
        "state": authorization.state,
        "verifier": authorization.code_verifier,
        "user": g.signed_in.user.id,
    }
    response = redirect(authorization.url, code=303)
    set_cookie(response, FLOW_COOKIE, _signer().dumps(flow), max_age=FLOW_SECONDS)
    return response


@provider_account_pages.get("/settings/accounts/oauth/<provider>/callback")
def callback(provider: str) -> Response:
    """Where the provider sends the user back: the code exchanged, the account saved."""
    label = PROVIDER_SPECS[provider].label if provider in PROVIDER_SPECS else provider
    if request.args.get("error"):
        reason = request.args.get("error_description") or request.args["error"]
        raise BadRequest(f"{label} did not connect the account: {reason}")
    try:
        flow = _signer().loads(request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_SECONDS)
    except BadSignature:
        raise BadRequest(
            f"this {label} sign-in has expired or was started in another browser; start again"
        ) from None
    if (
        flow.get("provider") != provider
        or flow.get("user") != g.signed_in.user.id
        or flow.get("state") != request.args.get("state")
    ):
        raise BadRequest(f"this {label} sign-in does not match the one started here; start again")
    context = accounts_context()
    address, token = finish_authorization(
        context.settings,
        provider,
        _redirect_uri(provider),
        request.args.get("code", ""),
        flow["verifier"],
    )
    with transaction(services().engine) as session:
        connect_oauth_account(
            session,
            g.workspace.id,
            g.signed_in.user.id,
            provider,
            address,
            token,
            context.settings,
            context.sealer,
        )
    services().channel_work.sync_soon()
    back = url_for("account_connection_pages.accounts", notice="provider_connected")
    response = redirect(back, code=303)
    clear_cookie(response, FLOW_COOKIE)
    return response
