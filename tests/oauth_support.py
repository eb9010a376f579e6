"""Helpers for the OAuth2 tests: register an application, and consent as a signed-in admin."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from browser.web import Admin, Browser, csrf_token
from conftest import APP_SECRET, Client, Server
from hookwire.database import transaction
from hookwire.identity import issue_api_key

REDIRECT_URI = "http://127.0.0.1:8765/callback"


@dataclass(frozen=True)
class Application:
    id: str
    client_id: str
    client_secret: str | None


def register(
    client: Client, scopes: list[str] | None = None, *, public: bool = False
) -> Application:
    body = {"name": "Zap", "redirectUris": [REDIRECT_URI], "public": public}
    if scopes is not None:
        body["scopes"] = scopes
    answer = client.post("/rest/metadata/applications", json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()["data"]["createApplication"]
    return Application(created["id"], created["clientId"], created.get("clientSecret"))


def consent(base_url: str, admin: Admin, authorization_url: str, decision: str = "allow") -> str:
    """Sign ``admin`` in, open the consent page, answer it; the URL the browser is sent to."""
    browser = Browser(base_url)
    assert browser.sign_in(admin.email, admin.password).status_code in (302, 303)
    page = browser.http.get(authorization_url, timeout=30)
    assert page.status_code == 200, page.text
    answer = browser.http.post(
        authorization_url,
        data={"csrf_token": csrf_token(page.text), "decision": decision},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def admin_client(server: Server, admin: Admin) -> Client:
    """A client with an API key of ``admin``'s workspace."""
    with transaction(server.database.engine) as session:
        issued = issue_api_key(session, APP_SECRET, admin.workspace_id, "owner")
    return Client(server.base_url, issued.token, admin.workspace_id)
