"""The bundled CRM connector's oauth2 authentication against a real server, on SQLite and
PostgreSQL: an application registered over REST, the authorization code through the consent
page and the runtime's ``getAccessToken``, then auth, a trigger and an action with the access
token, and a refused access token refreshed once by the runtime without the caller noticing.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlmodel import select

from browser.web import Admin, Browser, csrf_token, new_admin
from conftest import APP_SECRET, Client, Server
from hookwire.connector import Bundle, Connector, ExpiredAuthError
from hookwire.connector import runtime as connector_runtime
from hookwire.crm_connector import CRM_CONNECTOR_OAUTH2
from hookwire.database import transaction
from hookwire.identity import issue_api_key
from hookwire.identity.api_keys import ALGORITHM, unverified_claims
from hookwire.identity.oauth_tokens import access_signing_key
from hookwire.models import OAuthRefreshToken
from receiver import Receiver

REDIRECT_URI = "https://platform.example/oauth/return"
SCOPE = "records:read records:write metadata:read webhooks"


@pytest.fixture(scope="module")
def crm() -> Connector:
    return Connector(CRM_CONNECTOR_OAUTH2)


@dataclass
class Connection:
    """A workspace with its admin and API key, an application of it, and the connector's
    authData once the admin allowed the application."""

    admin: Admin
    client: Client
    client_id: str
    client_secret: str
    auth: dict[str, Any]

    @property
    def grant_id(self) -> str:
        return self.auth["refresh_token"].split(".")[1]  # hwr.<grant>.<random>


def register(client: Client) -> tuple[str, str]:
    answer = client.post(
        "/rest/metadata/applications",
        json={"name": "Automation platform", "redirectUris": [REDIRECT_URI]},
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()["data"]["createApplication"]
    return created["clientId"], created["clientSecret"]


def consent(base_url: str, admin: Admin, authorize_url: str) -> str:
    """The admin signs in, opens the consent page and allows; where the browser is sent."""
    browser = Browser(base_url)
    assert browser.sign_in(admin.email, admin.password).status_code == 303
    page = browser.http.get(authorize_url, timeout=30)
    assert page.status_code == 200, page.text
    answer = browser.http.post(
        authorize_url,
        data={"decision": "allow", "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def connect(server: Server, crm: Connector) -> Connection:
    """What a platform does: ask for the authorize URL, send the user, exchange the code."""
    admin = new_admin(server.database)
    with transaction(server.database.engine) as session:
        key = issue_api_key(session, APP_SECRET, admin.workspace_id, "platform setup").token
    client = Client(server.base_url, key, admin.workspace_id)
    client_id, client_secret = register(client)
    fields = {"apiUrl": server.base_url, "clientId": client_id, "clientSecret": client_secret}
    state = secrets.token_urlsafe(16)
    dance = {"authData": fields, "inputData": {"state": state, "redirect_uri": REDIRECT_URI}}
    authorize_url = crm.run("authorizeUrl", dance)
    assert authorize_url.startswith(f"{server.base_url}/oauth/authorize?")
    back = consent(server.base_url, admin, authorize_url)
    assert back.startswith(REDIRECT_URI + "?")
    answer = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    assert answer["state"] == state
    tokens = crm.run(
        "getAccessToken", {**dance, "inputData": {**dance["inputData"], "code": answer["code"]}}
    )
    return Connection(admin, client, client_id, client_secret, {**fields, **tokens})


@pytest.fixture
def connection(server: Server, crm: Connector) -> Connection:
    return connect(server, crm)


def refresh_rows(server: Server, grant_id: str) -> list[OAuthRefreshToken]:
    with transaction(server.database.engine, write=False) as session:
        query = select(OAuthRefreshToken).where(OAuthRefreshToken.grant_id == grant_id)
        return list(session.exec(query).all())


def forged(token: str) -> str:
    """The same claims, signed with a key the server does not have."""
    key = OctKey.import_key(secrets.token_bytes(32))
    return jwt.encode({"alg": ALGORITHM, "typ": "at+jwt"}, unverified_claims(token), key)


def expired(token: str) -> str:
    """The same claims, validly signed, but past their ``exp``."""
    claims = unverified_claims(token)
    claims.update(iat=claims["iat"] - 3600, exp=int(time.time()) - 60)
    key = access_signing_key(APP_SECRET, claims["workspaceId"])
    return jwt.encode({"alg": ALGORITHM, "typ": "at+jwt"}, claims, key)


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The refresh tokens the runtime spends, in order."""
    spent: list[str] = []
    real = connector_runtime.refresh_access_token

    def counting(template: Any, config: Any, bundle: Any, timeout: float) -> dict[str, Any]:
        spent.append(bundle.auth_data["refresh_token"])
        return real(template, config, bundle, timeout)

    monkeypatch.setattr(connector_runtime, "refresh_access_token", counting)
    return spent


# the dance


def test_the_code_exchange_gives_an_access_and_a_refresh_token(
    server: Server, connection: Connection
) -> None:
    auth = connection.auth
    assert auth["token_type"].lower() == "bearer"
    assert auth["scope"] == SCOPE
    assert auth["refresh_token"].startswith("hwr.")
    assert auth["expires_at"] > time.time()
    claims = unverified_claims(auth["access_token"])
    assert claims["client_id"] == connection.client_id
    assert claims["workspaceId"] == connection.admin.workspace_id
    assert [row.rotated_at for row in refresh_rows(server, connection.grant_id)] == [None]


# auth, a trigger and an action with the access token


def test_auth_test_and_label_name_the_workspace(crm: Connector, connection: Connection) -> None:
    bundle = {"authData": connection.auth}
    tested = crm.run("test", bundle)
    assert tested == {
        "id": connection.admin.workspace_id,
        "displayName": connection.admin.workspace_name,
    }
    assert crm.run("connectionLabel", bundle) == connection.admin.workspace_name


def test_the_hook_trigger_and_the_action_run_on_the_token(
    crm: Connector, connection: Connection, receiver: Receiver
) -> None:
    base = {"authData": connection.auth, "inputData": {"nameSingular": "person"}}
    hooked = {**base, "inputData": {"nameSingular": "person", "operation": "created"}}
    subscribe_data = crm.run(
        "trigger_record.performSubscribe", {**hooked, "targetUrl": f"{receiver.url}/catch"}
    )
    webhooks = connection.client.get("/rest/webhooks").json()["data"]["webhooks"]
    assert [w["id"] for w in webhooks] == [subscribe_data["id"]]

    created = crm.run(
        "crud_record",
        {
            **base,
            "inputData": {
                "nameSingular": "person",
                "operation": "create",
                "name__firstName": "Grace",
                "name__lastName": "Hopper",
                "jobTitle": "Rear Admiral",
            },
        },
    )
    assert created["name"] == {"firstName": "Grace", "lastName": "Hopper"}
    stored = connection.client.get(f"/rest/people/{created['id']}").json()["data"]["person"]
    assert stored["jobTitle"] == "Rear Admiral"

    delivery = receiver.wait_for(1, "/catch")[0]
    content = delivery.body.decode()
    hook = {
        **hooked,
        "subscribeData": subscribe_data,
        "rawRequest": {"method": "POST", "headers": delivery.headers, "content": content},
        "cleanedRequest": json.loads(content),
    }
    [item] = crm.run("trigger_record", hook)
    assert item["id"] == created["id"] and item["name"]["firstName"] == "Grace"
    assert crm.run("list_record_ids", base) == [{"id": created["id"], "label": "Grace Hopper"}]

    gone = crm.run("trigger_record.performUnsubscribe", {**hooked, "subscribeData": subscribe_data})
    assert gone == {"id": subscribe_data["id"]}
    assert connection.client.get("/rest/webhooks").json()["data"]["webhooks"] == []


def test_the_token_goes_to_api_url_only(crm: Connector, connection: Connection) -> None:
    """A request to another host leaves without the access token."""
    seen: list[str | None] = []
    other = Receiver()
    try:
        requester = crm.requester(Bundle.from_dict({"authData": connection.auth}))
        original = requester.session.request

        def recording(method: str, url: str, **kwargs: Any) -> requests.Response:
            seen.append(kwargs["headers"].get("Authorization"))
            return original(method, url, **kwargs)

        requester.session.request = recording  # type: ignore[method-assign]
        try:
            requester.request(f"{other.url}/elsewhere", method="POST", body={})
            requester.request(f"{connection.auth['apiUrl']}/healthz")
        finally:
            del requester.session.request
    finally:
        other.close()
    assert seen == [None, f"Bearer {connection.auth['access_token']}"]


# a refused access token


@pytest.mark.parametrize("spoil", [forged, expired], ids=["other-secret", "past-exp"])
def test_a_refused_access_token_is_refreshed_once_and_the_call_succeeds(
    server: Server,
    crm: Connector,
    connection: Connection,
    refreshes: list[str],
    spoil: Callable[[str], str],
) -> None:
    first_refresh = connection.auth["refresh_token"]
    stale = spoil(connection.auth["access_token"])
    made = connection.client.post("/rest/people", json={"name": {"firstName": "Ada"}})
    assert made.status_code == 201, made.text
    person_id = made.json()["data"]["createPerson"]["id"]
    bundle = Bundle.from_dict(
        {
            "authData": {**connection.auth, "access_token": stale},
            "inputData": {"nameSingular": "person"},
        }
    )

    assert crm.run("list_record_ids", bundle) == [{"id": person_id, "label": "Ada"}]

    assert refreshes == [first_refresh]  # once
    fresh = bundle.auth_data
    assert fresh["access_token"] not in (stale, connection.auth["access_token"])
    assert fresh["refresh_token"] != first_refresh  # rotated
    rows = refresh_rows(server, connection.grant_id)
    assert len(rows) == 2 and sum(row.rotated_at is not None for row in rows) == 1
    # The new tokens are the ones to keep: the next call needs no refresh.
    assert crm.run("test", {"authData": fresh})["id"] == connection.admin.workspace_id
    assert refreshes == [first_refresh]


def test_a_deleted_application_asks_to_reconnect(
    crm: Connector, connection: Connection, refreshes: list[str]
) -> None:
    applications = connection.client.get("/rest/metadata/applications").json()
    [application] = applications["data"]["applications"]
    deleted = connection.client.delete(f"/rest/metadata/applications/{application['id']}")
    assert deleted.status_code == 200, deleted.text
    with pytest.raises(
        ExpiredAuthError,
        match=r"token refresh at .* failed \(invalid_client.*connect the account again",
    ):
        crm.run("test", {"authData": connection.auth})
    assert len(refreshes) == 1


def test_a_revoked_grant_asks_to_reconnect_without_refreshing(
    server: Server, crm: Connector, connection: Connection, refreshes: list[str]
) -> None:
    revoked = requests.post(
        f"{server.base_url}/oauth/revoke",
        data={"token": connection.auth["refresh_token"]},
        auth=(connection.client_id, connection.client_secret),
        timeout=30,
    )
    assert revoked.status_code == 200, revoked.text
    with pytest.raises(ExpiredAuthError, match="authorize the connection again"):
        crm.run("test", {"authData": connection.auth})
    assert refreshes == []
