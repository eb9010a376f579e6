"""The settings UI's server side: sign-in, session cookies, CSRF, throttling, and secrets
that no page or response shows again after the one that created them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from browser.web import PASSWORD, Admin, Browser, csrf_token, new_admin
from conftest import Server
from hookwire.database import transaction
from hookwire.identity import find_user
from hookwire.identity.throttle import WINDOW
from hookwire.models import SignInThrottle, utcnow
from receiver import Receiver


@pytest.fixture
def browser(server: Server, admin: Admin) -> Browser:
    signed_in = Browser(server.base_url)
    assert signed_in.sign_in(admin.email, admin.password).status_code == 303
    return signed_in


def test_settings_need_a_session(server: Server) -> None:
    anonymous = Browser(server.base_url)
    page = anonymous.get("/settings/webhooks", allow_redirects=False)
    assert page.status_code == 302
    assert page.headers["Location"].endswith("/sign-in?next=/settings/webhooks")
    assert anonymous.post("/settings/apis/keys", data={"name": "x"}).status_code == 401


def test_sign_in_sets_a_locked_down_session_cookie(server: Server, admin: Admin) -> None:
    browser = Browser(server.base_url)
    response = browser.sign_in(admin.email.upper(), admin.password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/settings/apis"
    cookie = next(c for c in response.raw.headers.getlist("Set-Cookie") if "hookwire_session" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; HOOKWIRE_SECURE_COOKIES=true forces it
    with transaction(server.database.engine) as session:
        assert find_user(session, admin.email).last_sign_in_at is not None
    page = browser.get("/settings/apis")
    assert page.status_code == 200
    assert admin.workspace_name in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/settings/webhooks", "/settings/webhooks"),
        ("/settings/webhooks?page=2", "/settings/webhooks?page=2"),
        ("//evil.test", "/settings/apis"),
        ("/\\evil.test", "/settings/apis"),
        ("/\t/evil.example/", "/settings/apis"),  # browsers drop the tab: //evil.example/
        ("/\n/x", "/settings/apis"),  # was a 500
        ("/\r\n/x", "/settings/apis"),
        ("/ /evil.test", "/settings/apis"),
        ("/\u2028/evil.test", "/settings/apis"),
        ("https://evil.test/", "/settings/apis"),
        ("evil.test", "/settings/apis"),
    ],
)
def test_sign_in_goes_back_to_a_local_page_only(
    server: Server, admin: Admin, target: str, expected: str
) -> None:
    browser = Browser(server.base_url)
    response = browser.form_post(
        "/sign-in",
        "/sign-in",
        {"email": admin.email, "password": PASSWORD, "next": target},
        allow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("query", ["next=/%09/evil.example/", "next=/%0A/x", "next=/%5C/x"])
def test_a_signed_in_visit_to_sign_in_stays_on_this_site(browser: Browser, query: str) -> None:
    response = browser.get(f"/sign-in?{query}", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/apis"


def test_wrong_password_is_refused(server: Server, admin: Admin) -> None:
    response = Browser(server.base_url).sign_in(admin.email, "not the password")
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.text
    assert "hookwire_session" not in response.headers.get("Set-Cookie", "")


def test_repeated_bad_passwords_lock_the_address(server: Server, admin: Admin) -> None:
    browser = Browser(server.base_url)
    statuses = [browser.sign_in(admin.email, f"wrong {n}").status_code for n in range(5)]
    assert statuses == [401] * 5
    locked = browser.sign_in(admin.email, admin.password)  # even the right password now
    assert locked.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in locked.text
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    other = new_admin(server.database)  # another address from the same client still works
    assert Browser(server.base_url).sign_in(other.email, other.password).status_code == 303


def test_concurrent_bad_passwords_get_no_more_tries_than_the_limit(
    server: Server, admin: Admin
) -> None:
    browsers = [Browser(server.base_url) for _ in range(40)]
    tokens = [csrf_token(browser.get("/sign-in").text) for browser in browsers]
    start = threading.Barrier(len(browsers))

    def attempt(n: int) -> int:
        start.wait()
        data = {"email": admin.email, "password": f"wrong {n}", "csrf_token": tokens[n]}
        return browsers[n].post("/sign-in", data=data, allow_redirects=False).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(attempt, range(len(browsers))))
    assert statuses.count(401) == 5  # the passwords checked: the limit, not one more
    assert statuses.count(429) == 35
    assert Browser(server.base_url).sign_in(admin.email, admin.password).status_code == 429


def test_a_lock_and_a_window_run_out(server: Server, admin: Admin) -> None:
    key = f"email:{admin.email}"
    now = utcnow()
    with transaction(server.database.engine) as session:
        expired = now - timedelta(seconds=1)
        session.add(
            SignInThrottle(key=key, failures=9, window_started_at=now, locked_until=expired)
        )
    assert Browser(server.base_url).sign_in(admin.email, admin.password).status_code == 303

    with transaction(server.database.engine) as session:
        assert session.get(SignInThrottle, key) is None  # a success starts the count over
        session.add(SignInThrottle(key=key, failures=4, window_started_at=now - WINDOW))
    assert Browser(server.base_url).sign_in(admin.email, "wrong").status_code == 401
    with transaction(server.database.engine) as session:
        row = session.get(SignInThrottle, key)
        assert (row.failures, row.locked_until) == (1, None)  # a new window, not a lock


def test_sign_in_without_its_csrf_token_is_refused(server: Server, admin: Admin) -> None:
    browser = Browser(server.base_url)
    browser.get("/sign-in")
    response = browser.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text


@pytest.mark.parametrize(
    "action",
    ["/settings/apis/keys", "/settings/webhooks", "/settings/playground/token", "/sign-out"],
)
def test_state_changes_without_the_csrf_token_are_refused(browser: Browser, action: str) -> None:
    data = {"name": "sneaky", "target_url": "http://127.0.0.1:9/x", "operations": "*.*"}
    assert browser.post(action, data=data).status_code == 403
    assert browser.post(action, data={**data, "csrf_token": "forged"}).status_code == 403
    assert browser.post(action, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert browser.get("/settings/apis").status_code == 200  # still signed in
    assert "sneaky" not in browser.get("/settings/apis").text


def test_cross_site_requests_are_refused_even_with_the_token(browser: Browser) -> None:
    response = browser.form_post(
        "/settings/apis",
        "/settings/apis/keys",
        {"name": "cross-site", "expires_in": "7"},
        headers={"Origin": "https://evil.test"},
    )
    assert response.status_code == 403


def test_sign_out_ends_the_session_for_good(server: Server, browser: Browser) -> None:
    cookie = browser.http.cookies.get("hookwire_session")
    assert browser.form_post("/settings/apis", "/sign-out").url.endswith("/sign-in")
    replay = Browser(server.base_url)
    replay.http.cookies.set("hookwire_session", cookie)
    assert replay.get("/settings/apis", allow_redirects=False).status_code == 302


def test_an_api_key_is_shown_once(browser: Browser) -> None:
    created = browser.form_post(
        "/settings/apis", "/settings/apis/keys", {"name": "Zapier", "expires_in": "30"}
    )
    assert created.status_code == 201
    token = created.text.split('id="new-token" class="token">')[1].split("<")[0]
    assert token.count(".") == 2
    assert token not in browser.get("/settings/apis").text
    assert "Zapier" in browser.get("/settings/apis").text


def test_api_key_use_and_revocation_show_in_the_list(server: Server, browser: Browser) -> None:
    created = browser.form_post(
        "/settings/apis", "/settings/apis/keys", {"name": "Script", "expires_in": "7"}
    )
    token = created.text.split('id="new-token" class="token">')[1].split("<")[0]
    key_id = created.text.split('<tr data-key-id="')[-1].split('"')[0]
    row = _key_row(browser, key_id)
    assert "never" in row and "active" in row
    api = browser.http.get(
        f"{server.base_url}/rest/people", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200
    assert "never" not in _key_row(browser, key_id)
    revoked = browser.form_post("/settings/apis", f"/settings/apis/keys/{key_id}/revoke")
    assert "Revoked “Script”." in revoked.text
    assert "revoked" in _key_row(browser, key_id)
    again = browser.http.get(
        f"{server.base_url}/rest/people", headers={"Authorization": f"Bearer {token}"}
    )
    assert again.status_code == 403


def _key_row(browser: Browser, key_id: str) -> str:
    return browser.get("/settings/apis").text.split(f'data-key-id="{key_id}"')[1].split("</tr>")[0]


def test_a_webhook_secret_is_shown_once(browser: Browser, receiver: Receiver) -> None:
    created = browser.form_post(
        "/settings/webhooks",
        "/settings/webhooks",
        {"target_url": receiver.url, "operations": ["person.created", "*.updated"]},
    )
    assert created.status_code == 201
    secret = created.text.split('id="webhook-secret" class="token">')[1].split("<")[0]
    assert secret.startswith("whsec_")
    webhook_id = created.text.split('action="/settings/webhooks/')[1].split("/")[0]
    pages = [
        "/settings/webhooks",
        f"/settings/webhooks/{webhook_id}",
        f"/settings/webhooks/{webhook_id}/deliveries",
        "/settings/apis",
    ]
    for path in pages:
        page = browser.get(path)
        assert page.status_code == 200, path
        assert secret not in page.text, path
    browser.form_post(f"/settings/webhooks/{webhook_id}", f"/settings/webhooks/{webhook_id}/test")
    receiver.wait_for(1)  # the signed test event went out; its log entry is on the pages now
    for path in pages:
        assert secret not in browser.get(path).text, path


def test_the_playground_key_is_handed_out_once_and_replaced(
    server: Server, browser: Browser
) -> None:
    page = browser.get("/settings/playground/graphql/metadata")
    token_header = {"X-CSRF-Token": page.text.split('name="csrf-token" content="')[1].split('"')[0]}
    first = browser.post("/settings/playground/token", headers=token_header)
    assert first.status_code == 201
    assert first.headers["Cache-Control"] == "no-store"
    first_token = first.json()["token"]
    second_token = browser.post("/settings/playground/token", headers=token_header).json()["token"]
    graphql = f"{server.base_url}/metadata"
    query = {"query": "{ currentWorkspace { displayName } }"}
    for token, works in [(first_token, False), (second_token, True)]:
        body = browser.http.post(
            graphql, json=query, headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert ("errors" not in body) is works
    for path in [
        "/settings/apis",
        "/settings/playground/graphql/metadata",
        "/settings/playground/rest",
    ]:
        text = browser.get(path).text
        assert first_token not in text and second_token not in text
