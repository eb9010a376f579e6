"""``/oauth/authorize``: the consent page where a signed-in admin lets an application act on
the workspace (or refuses), ending the OAuth2 authorization request."""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from hookwire.errors import Forbidden
from hookwire.identity import (
    ConsentRequest,
    Principal,
    authorization_response,
    consent_request,
    error_redirect,
)
from hookwire.web.pages import pages
from hookwire.web.security import CONTENT_SECURITY_POLICY

consent_pages = pages("consent_pages", admin_writes=True)

SCOPE_DESCRIPTIONS = {
    "records:read": "Read the workspace's records",
    "records:write": "Create, update and delete records",
    "metadata:read": "Read objects and fields",
    "metadata:write": "Change objects and fields",
    "webhooks": "Manage webhooks",
    "files": "Upload and read files",
}


def _principal() -> Principal:
    return Principal(g.signed_in.user.workspace_id, g.signed_in.user.id)


def _checked_request() -> ConsentRequest | ResponseReturnValue:
    """The page's authorization request, for an application of the admin's own workspace; or
    the redirect that tells the application why it is refused."""
    found = consent_request(_principal())
    if isinstance(found, OAuth2Error):
        if found.redirect_uri:  # checked as the application's: it hears why (RFC 6749 4.1.2.1)
            return error_redirect(found)
        # An unknown client or redirect URI: nothing may be sent there; the admin is told.
        reason = found.description or found.error
        raise Forbidden(f"This authorization request is invalid: {reason}")
    if found.application.workspace_id != g.signed_in.user.workspace_id:
        raise Forbidden("This application belongs to another workspace.")
    return found


@consent_pages.get("/oauth/authorize")
def consent() -> ResponseReturnValue:
    found = _checked_request()
    if not isinstance(found, ConsentRequest):
        return found
    redirect_uri = request.args.get("redirect_uri") or found.application.redirect_uris[0]
    target = urlsplit(redirect_uri)
    page = render_template(
        "settings/consent.html",
        application=found.application,
        scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in found.scopes],
        redirect_host=target.netloc,
    )
    # The form's answer redirects to the application: the browser must allow that target.
    policy = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}"
    )
    return page, 200, {"Content-Security-Policy": policy}


@consent_pages.post("/oauth/authorize")
def decide() -> ResponseReturnValue:
    found = _checked_request()  # the query string is the request's own: checked again
    if not isinstance(found, ConsentRequest):
        return found
    allowed = request.form.get("decision") == "allow"
    return authorization_response(_principal() if allowed else None)
