"""The OAuth2 authorization server against a live server, driven by Authlib's own client:
code + PKCE through the consent page, refresh with rotation and reuse detection, client
credentials, revocation, introspection, metadata, and scopes enforced on REST and GraphQL."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from browser.web import Admin, Browser
from conftest import Client, Server
from oauth_support import (
    REDIRECT_URI,
    Application,
    admin_client,
    consent,
    query_of,
    register,
)

PERSON = {"name": {"firstName": "Ada", "lastName": "Lovelace"}}
CREATE_PERSON = 'mutation { createPerson(data: {city: "Paris"}) { id } }'


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def authorize(server: Server, admin: Admin, app: Application, scope: str) -> dict:
    """The code + PKCE (S256) flow as an application runs it; the token answer."""
    session = OAuth2Session(
        app.client_id,
        app.client_secret,
        scope=scope,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if app.client_secret else "none",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(
        f"{server.base_url}/oauth/authorize", code_verifier=verifier
    )
    back = consent(server.base_url, admin, url)
    assert back.startswith(REDIRECT_URI) and query_of(back)["state"] == state
    return session.fetch_token(
        f"{server.base_url}/oauth/token", authorization_response=back, code_verifier=verifier
    )


def signed_in_browser(server: Server, admin: Admin) -> Browser:
    browser = Browser(server.base_url)
    assert browser.sign_in(admin.email, admin.password).status_code in (302, 303)
    return browser


def token_request(server: Server, app: Application, **form: str) -> requests.Response:
    auth = (app.client_id, app.client_secret) if app.client_secret else None
    if auth is None:
        form["client_id"] = app.client_id
    return requests.post(f"{server.base_url}/oauth/token", data=form, auth=auth, timeout=30)


def test_metadata_is_rfc_8414(server: Server) -> None:
    answer = requests.get(f"{server.base_url}/.well-known/oauth-authorization-server", timeout=30)
    assert answer.status_code == 200
    metadata = AuthorizationServerMetadata(answer.json())
    metadata.validate()
    assert metadata["issuer"] == server.base_url
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert "files" in metadata["scopes_supported"]


@pytest.mark.parametrize("public", [False, True], ids=["confidential", "public"])
def test_code_flow_with_pkce_then_the_api_with_the_token(
    server: Server, client: Client, admin: Admin, public: bool
) -> None:
    owner = admin_client(server, admin)
    app = register(owner, ["records:read", "records:write"], public=public)
    token = authorize(server, admin, app, "records:read records:write")
    assert token["token_type"].lower() == "bearer" and token["expires_in"] == 900
    assert set(token["scope"].split()) == {"records:read", "records:write"}
    created = requests.post(
        f"{server.base_url}/rest/people", json=PERSON, headers=bearer(token["access_token"]),
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    person = created.json()["data"]["createPerson"]
    assert person["createdBy"]["source"] == "APPLICATION" and person["createdBy"]["name"] == "Zap"
    # Another workspace's key sees nothing of it: the token is scoped to the admin's workspace.
    assert client.get(f"/rest/people/{person['id']}").status_code == 404


def test_a_public_client_must_use_s256(server: Server, admin: Admin) -> None:
    app = register(admin_client(server, admin), ["records:read"], public=True)
    browser = signed_in_browser(server, admin)
    base = f"/oauth/authorize?response_type=code&client_id={app.client_id}"
    base += f"&redirect_uri={REDIRECT_URI}&scope=records:read&state=x"
    for pkce in ("", "&code_challenge=" + "a" * 43 + "&code_challenge_method=plain"):
        refused = browser.get(base + pkce, allow_redirects=False)
        assert refused.status_code == 302  # back to the application, which hears why
        back = query_of(refused.headers["Location"])
        assert (back["error"], back["state"]) == ("invalid_request", "x")
        assert "S256" in back["error_description"] and "code" not in back


def test_an_unknown_scope_goes_back_as_invalid_scope(server: Server, admin: Admin) -> None:
    app = register(admin_client(server, admin), ["records:read"])
    browser = signed_in_browser(server, admin)
    refused = browser.get(
        f"/oauth/authorize?response_type=code&client_id={app.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope=admin&state=y",
        allow_redirects=False,
    )
    assert refused.status_code == 302
    assert query_of(refused.headers["Location"])["error"] == "invalid_scope"


def test_an_unregistered_redirect_uri_is_never_redirected_to(server: Server, admin: Admin) -> None:
    app = register(admin_client(server, admin), ["records:read"])
    browser = signed_in_browser(server, admin)
    refused = browser.get(
        f"/oauth/authorize?response_type=code&client_id={app.client_id}"
        "&redirect_uri=https://attacker.example/cb&scope=records:read",
        allow_redirects=False,
    )
    assert refused.status_code == 403 and "attacker" not in refused.headers.get("Location", "")


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_grant(
    server: Server, admin: Admin
) -> None:
    owner = admin_client(server, admin)
    app = register(owner, ["records:read"])
    first = authorize(server, admin, app, "records:read")
    second = token_request(
        server, app, grant_type="refresh_token", refresh_token=first["refresh_token"]
    ).json()
    assert second["refresh_token"] != first["refresh_token"]
    people = f"{server.base_url}/rest/people"
    assert requests.get(people, headers=bearer(second["access_token"]), timeout=30).ok
    # The first refresh token again: someone else holds a copy. The whole grant ends.
    reused = token_request(
        server, app, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    refused = requests.get(people, headers=bearer(second["access_token"]), timeout=30)
    assert refused.status_code == 403
    assert refused.json()["messages"] == ["This access token has been revoked."]
    after = token_request(
        server, app, grant_type="refresh_token", refresh_token=second["refresh_token"]
    )
    assert after.status_code == 400 and after.json()["error"] == "invalid_grant"


def test_an_authorization_code_works_once(server: Server, admin: Admin) -> None:
    owner = admin_client(server, admin)
    app = register(owner, ["records:read"])
    session = OAuth2Session(app.client_id, app.client_secret, scope="records:read",
                            redirect_uri=REDIRECT_URI, code_challenge_method="S256")  # fmt: skip
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(
        f"{server.base_url}/oauth/authorize", code_verifier=verifier
    )
    code = query_of(consent(server.base_url, admin, url))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier}  # fmt: skip
    first = token_request(server, app, **form)
    assert first.status_code == 200, first.text
    again = token_request(server, app, **form)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # RFC 6749 4.1.2: what the code gave is revoked too.
    access = first.json()["access_token"]
    people = f"{server.base_url}/rest/people"
    assert requests.get(people, headers=bearer(access), timeout=30).status_code == 403


def test_a_denied_consent_redirects_with_access_denied(server: Server, admin: Admin) -> None:
    owner = admin_client(server, admin)
    app = register(owner, ["records:read"])
    session = OAuth2Session(app.client_id, app.client_secret, scope="records:read",
                            redirect_uri=REDIRECT_URI, code_challenge_method="S256")  # fmt: skip
    url, state = session.create_authorization_url(
        f"{server.base_url}/oauth/authorize", code_verifier=secrets.token_urlsafe(48)
    )
    back = query_of(consent(server.base_url, admin, url, decision="deny"))
    assert (back["error"], back["state"]) == ("access_denied", state)
    assert "code" not in back


def test_client_credentials_and_scopes_on_rest_and_graphql(server: Server, client: Client) -> None:
    app = register(client, ["records:read"])
    answer = token_request(server, app, grant_type="client_credentials")
    assert answer.status_code == 200, answer.text
    token = answer.json()
    assert "refresh_token" not in token and token["scope"] == "records:read"
    headers = bearer(token["access_token"])
    base = server.base_url
    assert requests.get(f"{base}/rest/people", headers=headers, timeout=30).status_code == 200
    create = requests.post(f"{base}/rest/people", json=PERSON, headers=headers, timeout=30)
    assert create.status_code == 403
    assert "records:write" in create.json()["messages"][0]
    mutation = requests.post(
        f"{base}/graphql", json={"query": CREATE_PERSON}, headers=headers, timeout=30
    ).json()
    assert mutation["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "records:write" in mutation["errors"][0]["message"]
    hooks = requests.get(f"{base}/rest/metadata/webhooks", headers=headers, timeout=30)
    assert hooks.status_code == 403 and "webhooks" in hooks.json()["messages"][0]
    keys = requests.post(f"{base}/metadata", json={"query": "{ apiKeys { id } }"},
                         headers=headers, timeout=30).json()  # fmt: skip
    assert keys["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    workspace = requests.post(
        f"{base}/metadata", json={"query": "{ currentWorkspace { id } }"}, headers=headers,
        timeout=30,
    ).json()  # fmt: skip
    assert workspace["data"]["currentWorkspace"]["id"] == client.workspace_id
    # An application cannot register applications (no token can mint credentials).
    apps = requests.get(f"{base}/rest/metadata/applications", headers=headers, timeout=30)
    assert apps.status_code == 403 and "credentials" in apps.json()["messages"][0]


def test_a_public_client_has_no_client_credentials(server: Server, client: Client) -> None:
    app = register(client, ["records:read"], public=True)
    answer = token_request(server, app, grant_type="client_credentials")
    assert answer.status_code in (400, 401) and answer.json()["error"] in (
        "unauthorized_client", "invalid_client"
    )  # fmt: skip


def test_revocation_and_introspection(server: Server, client: Client) -> None:
    app = register(client, ["records:read", "files"])
    token = token_request(server, app, grant_type="client_credentials").json()["access_token"]
    auth = (app.client_id, app.client_secret)
    introspect = f"{server.base_url}/oauth/introspect"
    active = requests.post(introspect, data={"token": token}, auth=auth, timeout=30).json()
    assert active["active"] is True and active["client_id"] == app.client_id
    assert active["scope"] == "records:read files"
    assert active["workspace_id"] == client.workspace_id
    other = register(client, ["records:read"])
    foreign = requests.post(introspect, data={"token": token},
                            auth=(other.client_id, other.client_secret), timeout=30)  # fmt: skip
    assert foreign.json() == {"active": False}
    revoked = requests.post(f"{server.base_url}/oauth/revoke", data={"token": token}, auth=auth,
                            timeout=30)  # fmt: skip
    assert revoked.status_code == 200
    people = f"{server.base_url}/rest/people"
    assert requests.get(people, headers=bearer(token), timeout=30).status_code == 403
    inactive = requests.post(introspect, data={"token": token}, auth=auth, timeout=30).json()
    assert inactive == {"active": False}
    unknown = requests.post(f"{server.base_url}/oauth/revoke", data={"token": "nonsense"},
                            auth=auth, timeout=30)  # fmt: skip
    assert unknown.status_code == 200  # RFC 7009 2.2: an unknown token is no error


def test_applications_api(server: Server, client: Client) -> None:
    app = register(client, ["records:read"])
    assert app.client_secret and app.client_secret.startswith("hws_")
    listed = client.get("/rest/metadata/applications").json()
    assert listed["totalCount"] >= 1
    assert app.client_secret not in str(listed) and "clientSecret" not in str(listed)
    rotated = client.post(f"/rest/metadata/applications/{app.id}/rotate-secret").json()
    new_secret = rotated["data"]["rotateApplicationSecret"]["clientSecret"]
    assert new_secret != app.client_secret
    old = token_request(server, app, grant_type="client_credentials")
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    fresh = Application(app.id, app.client_id, new_secret)
    token = token_request(server, fresh, grant_type="client_credentials").json()["access_token"]
    assert client.delete(f"/rest/metadata/applications/{app.id}").status_code == 200
    people = f"{server.base_url}/rest/people"
    assert requests.get(people, headers=bearer(token), timeout=30).status_code == 401
    assert client.get(f"/rest/metadata/applications/{app.id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "redirectUris": [], "scopes": []}, "name"),
        ({"name": "x", "redirectUris": ["ftp://x"]}, "redirectUris[0]"),
        ({"name": "x", "redirectUris": ["http://example.com/cb"]}, "redirectUris[0]"),
        ({"name": "x", "redirectUris": "https://x"}, "redirectUris"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "public": "yes"}, "public"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_application_input_is_refused_naming_the_field(
    client: Client, body: dict, field: str
) -> None:
    before = client.get("/rest/metadata/applications").json()["totalCount"]
    answer = client.post("/rest/metadata/applications", json=body)
    assert answer.status_code == 400
    assert answer.json()["messages"][0].startswith(f"{field}:"), answer.text
    assert client.get("/rest/metadata/applications").json()["totalCount"] == before


def test_an_admin_cannot_authorize_another_workspaces_application(
    server: Server, client: Client, admin: Admin
) -> None:
    app = register(client, ["records:read"])  # the `client` workspace, not the admin's
    session = OAuth2Session(app.client_id, app.client_secret, scope="records:read",
                            redirect_uri=REDIRECT_URI, code_challenge_method="S256")  # fmt: skip
    url, _ = session.create_authorization_url(
        f"{server.base_url}/oauth/authorize", code_verifier=secrets.token_urlsafe(48)
    )
    browser = signed_in_browser(server, admin)
    refused = browser.http.get(url, timeout=30)
    assert refused.status_code == 403 and "another workspace" in refused.text


def test_racing_refreshes_with_one_token_rotate_it_once(server: Server, admin: Admin) -> None:
    app = register(admin_client(server, admin), ["records:read"])
    first = authorize(server, admin, app, "records:read")

    def refresh(_: int) -> requests.Response:
        return token_request(
            server, app, grant_type="refresh_token", refresh_token=first["refresh_token"]
        )

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(refresh, range(8)))
    assert sum(a.status_code == 200 for a in answers) <= 1
    assert all(a.status_code in (200, 400) for a in answers), [a.text for a in answers]
    # The others were reuses of a rotated token: the grant is over, the winner's token too.
    for answer in answers:
        if answer.status_code == 200:
            people = f"{server.base_url}/rest/people"
            token = answer.json()["access_token"]
            assert requests.get(people, headers=bearer(token), timeout=30).status_code == 403
