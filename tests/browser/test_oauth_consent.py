"""The OAuth2 consent page in Chromium: an application's code + PKCE flow, from the
authorization request through the admin's "Allow" to the token, at desktop and phone widths."""

from __future__ import annotations

import secrets

import pytest
from authlib.integrations.requests_client import OAuth2Session
from playwright.sync_api import Page, expect

from browser.web import Admin
from conftest import Server
from oauth_support import REDIRECT_URI, admin_client, register


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "dark")])
def test_consent_in_the_browser_ends_with_a_working_token(
    signed_in: Page, server: Server, admin: Admin, width: int, scheme: str
) -> None:
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    app = register(admin_client(server, admin), ["records:read", "webhooks"], public=True)
    session = OAuth2Session(app.client_id, scope="records:read webhooks",
                            redirect_uri=REDIRECT_URI, code_challenge_method="S256",
                            token_endpoint_auth_method="none")  # fmt: skip
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(
        f"{server.base_url}/oauth/authorize", code_verifier=verifier
    )
    landed: list[str] = []

    def application(route) -> None:  # the application's redirect URI, answered in-browser
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Connected</p>")

    page.route(f"{REDIRECT_URI}**", application)
    page.goto(url)
    expect(page.get_by_role("heading", name="Authorize Zap")).to_be_visible()
    expect(page.locator("#consent-scopes li")).to_have_count(2)
    expect(page.locator("#consent-scopes")).to_contain_text("Manage webhooks")
    allow = page.get_by_role("button", name="Allow")
    box = allow.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width  # on screen, not cut off
    allow.click()
    expect(page.get_by_text("Connected")).to_be_visible()
    token = session.fetch_token(
        f"{server.base_url}/oauth/token", authorization_response=landed[0], code_verifier=verifier
    )
    assert landed[0].startswith(REDIRECT_URI) and f"state={state}" in landed[0]
    assert set(token["scope"].split()) == {"records:read", "webhooks"}
    assert token["refresh_token"]
