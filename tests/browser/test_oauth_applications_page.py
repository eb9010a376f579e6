"""The APIs page's OAuth applications in Chromium: create (secret shown once), rotate and
delete, at desktop and phone widths, light and dark; each secret checked at the token
endpoint."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from browser.web import Admin, Browser, new_admin
from conftest import Server
from hookwire.database import transaction
from hookwire.identity import create_application, list_applications

WIDTHS = [
    pytest.param(1280, "light", id="desktop-light"),
    pytest.param(390, "dark", id="phone-dark"),
]
REDIRECT_URI = "https://platform.example/oauth/return"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def token_status(server: Server, client_id: str, secret: str) -> int:
    """What the token endpoint says to a client-credentials request with this secret."""
    answer = requests.post(
        f"{server.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=30,
    )
    return answer.status_code


def at(page: Page, width: int, scheme: str) -> Page:
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    return page


def confirm(page: Page, expected: str) -> None:
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text(expected)
    dialog.get_by_role("button", name="Confirm").click()


def create(page: Page, name: str, uris: str, *, drop_scope: str | None = None) -> None:
    page.get_by_label("Application", exact=True).fill(name)
    page.get_by_label("Redirect URIs").fill(uris)
    if drop_scope:
        page.get_by_role("checkbox", name=drop_scope).uncheck()
    page.get_by_role("button", name="Create application").click()


@pytest.mark.parametrize(("width", "scheme"), WIDTHS)
def test_an_application_is_created_rotated_and_deleted(
    signed_in: Page, server: Server, width: int, scheme: str
) -> None:
    page = at(signed_in, width, scheme)
    create(page, "Zapier", f"{REDIRECT_URI}\n\nhttp://localhost:8000/cb", drop_scope="files")
    issued = page.locator("#issued-application")
    expect(issued).to_contain_text("Zapier is registered")
    expect(issued).to_contain_text("not shown again")
    secret = page.locator("#new-client-secret").inner_text()
    client_id = page.locator("#issued-client-id").inner_text()
    assert re.fullmatch(r"hws_[\w-]{40,}", secret)
    issued.get_by_role("button", name="Copy").click()
    expect(issued.get_by_role("button", name="Copied")).to_be_visible()
    row = page.locator("#oauth-applications tr", has_text="Zapier")
    expect(row).to_contain_text(client_id)
    expect(row).to_contain_text("confidential")
    expect(row).to_contain_text(REDIRECT_URI)
    expect(row).to_contain_text("http://localhost:8000/cb")
    expect(row).to_contain_text("records:read")
    expect(row).not_to_contain_text("files")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the page scrolls sideways at {width}px"
    assert token_status(server, client_id, secret) == 200

    # A reload asks for the plain page: nothing is posted again, the secret is gone.
    page.reload()
    expect(page).to_have_url(re.compile(r"/settings/apis#applications$"))
    expect(page.locator("#oauth-applications tr", has_text="Zapier")).to_have_count(1)
    expect(page.locator("#issued-application")).to_have_count(0)
    assert secret not in page.content()

    row = page.locator("#oauth-applications tr", has_text="Zapier")
    row.get_by_role("button", name="Rotate secret").click()
    confirm(page, "Rotate the secret of “Zapier”?")
    expect(issued).to_contain_text("has a new client secret")
    rotated = page.locator("#new-client-secret").inner_text()
    assert rotated != secret
    assert page.locator("#issued-client-id").inner_text() == client_id
    assert token_status(server, client_id, secret) == 401
    assert token_status(server, client_id, rotated) == 200
    page.reload()
    assert rotated not in page.content()
    expect(page.locator("#oauth-applications tr", has_text="Zapier")).to_contain_text(
        "secret rotated"
    )

    page.locator("#oauth-applications tr", has_text="Zapier").get_by_role(
        "button", name="Delete"
    ).click()
    confirm(page, "Delete “Zapier”?")
    expect(page.get_by_role("status")).to_contain_text("Application deleted")
    expect(page.locator("#oauth-applications")).to_contain_text("No OAuth applications yet.")
    assert token_status(server, client_id, rotated) == 401


def test_a_public_application_has_no_secret_and_bad_input_is_named(signed_in: Page) -> None:
    page = signed_in
    create(page, "Desk app", "ftp://example.com/cb")
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^Redirect URIs: ftp://example\.com/cb — expected an absolute https URL")
    )
    expect(page.get_by_label("Application", exact=True)).to_have_value("Desk app")
    expect(page.get_by_label("Redirect URIs")).to_have_value("ftp://example.com/cb")
    expect(page.locator("#oauth-applications")).to_contain_text("No OAuth applications yet.")

    page.get_by_label("Redirect URIs").fill("http://127.0.0.1:4100/callback")
    page.get_by_label("Public client").check()
    page.get_by_role("button", name="Create application").click()
    issued = page.locator("#issued-application")
    expect(issued).to_contain_text("It is public: it has no secret")
    expect(page.locator("#new-client-secret")).to_have_count(0)
    row = page.locator("#oauth-applications tr", has_text="Desk app")
    expect(row).to_contain_text("public")
    expect(row.get_by_role("button", name="Rotate secret")).to_have_count(0)
    expect(row.get_by_role("button", name="Delete")).to_be_visible()


def test_the_forms_need_the_csrf_token_and_reach_only_their_workspace(
    server: Server, admin: Admin
) -> None:
    browser = Browser(server.base_url)
    assert browser.sign_in(admin.email, admin.password).status_code == 303
    refused = browser.post("/settings/apis/applications", data={"name": "No token"})
    assert refused.status_code == 403
    assert "No token" not in browser.get("/settings/apis").text

    other = new_admin(server.database)
    with transaction(server.database.engine) as session:
        foreign = create_application(session, other.workspace_id, "Theirs", None, None)
    for action in ("rotate-secret", "delete"):
        answer = browser.form_post(
            "/settings/apis", f"/settings/apis/applications/{foreign.row.id}/{action}"
        )
        assert answer.status_code == 404, answer.text
    with transaction(server.database.engine, write=False) as session:
        assert [a.name for a in list_applications(session, other.workspace_id)] == ["Theirs"]
