"""API keys: Twenty's JWT shape, 401 for anything not a valid key, 403 once revoked."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import OctKey

from conftest import APP_SECRET, Client, Server, new_workspace
from hookwire.database import transaction
from hookwire.identity import is_expired, issue_api_key, list_api_keys, revoke_api_key
from hookwire.identity.api_keys import signing_key
from hookwire.models import ApiKey

TOKEN_INVALID = {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token invalid."]}
TOKEN_EXPIRED = {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token has expired."]}
REVOKED = {"statusCode": 403, "error": "FORBIDDEN", "messages": ["This API key has been revoked."]}
PROTECTED = ["/rest/people", "/rest/companies", "/rest/metadata/objects", "/rest/metadata/fields"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def get(server: Server, path: str, authorization: str | None) -> requests.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return requests.get(f"{server.base_url}{path}", headers=headers, timeout=30)


def issue(
    server: Server, workspace_id: str, expires_in: timedelta | None = None, secret: str = APP_SECRET
) -> tuple[str, str]:
    """Issue a key straight into the test database; return (key id, token)."""
    with transaction(server.database.engine) as session:
        issued = issue_api_key(session, secret, workspace_id, "api-key tests", expires_in)
        return issued.row.id, issued.token


def revoke(server: Server, key_id: str) -> None:
    with transaction(server.database.engine) as session:
        revoke_api_key(session, key_id)


def forge(claims: dict, key: OctKey, header: dict | None = None) -> str:
    return jwt.encode(header or {"alg": "HS256", "typ": "JWT"}, claims, key)


# 401: no key, or not a key we issued


@pytest.mark.parametrize("path", PROTECTED)
def test_missing_header_is_401_token_invalid(server: Server, path: str) -> None:
    response = get(server, path, None)
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.",
        "Bearer ....",
        "Basic dXNlcjpwYXNz",
        "Token abc",
    ],
)
def test_malformed_authorization_is_401_token_invalid(server: Server, authorization: str) -> None:
    response = get(server, "/rest/people", authorization)
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_valid_token_without_the_bearer_scheme_is_401(client: Client, server: Server) -> None:
    assert get(server, "/rest/people", f"Bearer {client.token}").status_code == 200
    response = get(server, "/rest/people", client.token)
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_bearer_scheme_is_case_insensitive(client: Client, server: Server) -> None:
    response = get(server, "/rest/people", f"bearer {client.token}")
    assert response.status_code == 200, response.text


def test_token_signed_with_another_secret_is_401(client: Client, server: Server) -> None:
    _, token = issue(server, client.workspace_id, secret="another-secret-" + "y" * 32)
    response = get(server, "/rest/people", f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_tampered_payload_is_401(client: Client, server: Server) -> None:
    header, payload, signature = client.token.split(".")
    claims = b64url_json(payload)
    claims["exp"] += 3600
    tampered = ".".join([header, b64url(json.dumps(claims).encode()), signature])
    response = get(server, "/rest/people", f"Bearer {tampered}")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_payload_moved_to_another_workspace_is_401(
    client: Client, other_client: Client, server: Server
) -> None:
    header, payload, signature = client.token.split(".")
    claims = b64url_json(payload)
    claims["sub"] = claims["workspaceId"] = other_client.workspace_id
    tampered = ".".join([header, b64url(json.dumps(claims).encode()), signature])
    response = get(server, "/rest/people", f"Bearer {tampered}")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_tampered_signature_is_401(client: Client, server: Server) -> None:
    header, payload, signature = client.token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    response = get(server, "/rest/people", f"Bearer {header}.{payload}.{flipped}")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_unsigned_alg_none_token_is_401(client: Client, server: Server) -> None:
    _, payload, _ = client.token.split(".")
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    response = get(server, "/rest/people", f"Bearer {header}.{payload}.")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def _claims(workspace_id: str, key_id: str, **changes: object) -> dict:
    now = int(time.time())
    claims = {
        "sub": workspace_id,
        "workspaceId": workspace_id,
        "type": "API_KEY",
        "jti": key_id,
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "ACCESS"},
        {"type": None},
        {"jti": "00000000-0000-4000-8000-000000000000"},
        {"jti": None},
        {"exp": None},
        {"workspaceId": "00000000-0000-4000-8000-000000000000"},
    ],
    ids=["wrong-type", "no-type", "unknown-jti", "no-jti", "no-exp", "other-workspaceId"],
)
def test_correctly_signed_but_wrong_claims_are_401(
    client: Client, server: Server, changes: dict
) -> None:
    key_id, _ = issue(server, client.workspace_id)
    token = forge(
        _claims(client.workspace_id, key_id, **changes),
        signing_key(APP_SECRET, client.workspace_id),
    )
    response = get(server, "/rest/people", f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_forged_claims_control_check(client: Client, server: Server) -> None:
    """The forging helper makes tokens the server accepts when nothing is wrong with them."""
    key_id, _ = issue(server, client.workspace_id)
    token = forge(
        _claims(client.workspace_id, key_id), signing_key(APP_SECRET, client.workspace_id)
    )
    assert get(server, "/rest/people", f"Bearer {token}").status_code == 200


def test_key_of_one_workspace_cannot_name_another_workspace_key(
    client: Client, other_client: Client, server: Server
) -> None:
    other_key_id, _ = issue(server, other_client.workspace_id)
    token = forge(
        _claims(client.workspace_id, other_key_id), signing_key(APP_SECRET, client.workspace_id)
    )
    response = get(server, "/rest/people", f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


# expired and revoked


@pytest.mark.parametrize("expires_in", [timedelta(seconds=-1), timedelta(days=-30)])
def test_expired_key_is_401_token_has_expired(
    client: Client, server: Server, expires_in: timedelta
) -> None:
    _, token = issue(server, client.workspace_id, expires_in=expires_in)
    response = get(server, "/rest/people", f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == TOKEN_EXPIRED


def test_revoked_key_is_403_from_the_next_request(client: Client, server: Server) -> None:
    key_id, token = issue(server, client.workspace_id)
    assert get(server, "/rest/people", f"Bearer {token}").status_code == 200
    revoke(server, key_id)
    for path in PROTECTED:
        response = get(server, path, f"Bearer {token}")
        assert response.status_code == 403, path
        assert response.json() == REVOKED
    # Other keys of the workspace are unaffected.
    assert client.get("/rest/people").status_code == 200


def test_revoking_twice_keeps_the_first_revocation(client: Client, server: Server) -> None:
    key_id, _ = issue(server, client.workspace_id)
    revoke(server, key_id)
    with transaction(server.database.engine) as session:
        first = session.get(ApiKey, key_id).revoked_at
    revoke(server, key_id)
    with transaction(server.database.engine) as session:
        assert session.get(ApiKey, key_id).revoked_at == first


def test_revoking_with_the_wrong_workspace_is_not_found(
    client: Client, other_client: Client, server: Server
) -> None:
    key_id, token = issue(server, client.workspace_id)
    with (
        pytest.raises(Exception, match=f"API key {key_id} not found"),
        transaction(server.database.engine) as session,
    ):
        revoke_api_key(session, key_id, workspace_id=other_client.workspace_id)
    assert get(server, "/rest/people", f"Bearer {token}").status_code == 200


def test_expired_and_revoked_key_reports_expiry_first(client: Client, server: Server) -> None:
    key_id, token = issue(server, client.workspace_id, expires_in=timedelta(seconds=-1))
    revoke(server, key_id)
    response = get(server, "/rest/people", f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == TOKEN_EXPIRED


# the token itself


def test_token_is_an_hs256_jwt_with_twentys_claims(client: Client, server: Server) -> None:
    key_id, token = issue(server, client.workspace_id, expires_in=timedelta(days=7))
    header_segment, payload_segment, _ = token.split(".")
    header = b64url_json(header_segment)
    claims = b64url_json(payload_segment)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert set(claims) == {"sub", "workspaceId", "type", "jti", "iat", "exp"}
    assert claims["sub"] == claims["workspaceId"] == client.workspace_id
    assert claims["type"] == "API_KEY"
    assert claims["jti"] == key_id
    assert isinstance(claims["exp"], int) and isinstance(claims["iat"], int)
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    with transaction(server.database.engine) as session:
        row = session.get(ApiKey, key_id)
        expires_at = row.expires_at
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    assert claims["exp"] == int(expires_at.timestamp())

    # Verifiable offline with the workspace's signing key.
    decoded = jwt.decode(token, signing_key(APP_SECRET, client.workspace_id), ["HS256"])
    assert decoded.claims == claims
    assert decoded.header["alg"] == "HS256"


def test_default_lifetime_is_long_and_key_works(client: Client, server: Server) -> None:
    claims = b64url_json(client.token.split(".")[1])
    assert datetime.fromtimestamp(claims["exp"], UTC) > datetime.now(UTC) + timedelta(days=3650)
    assert get(server, "/rest/people", f"Bearer {client.token}").status_code == 200


def test_workspaces_have_different_signing_keys(client: Client, other_client: Client) -> None:
    ours = signing_key(APP_SECRET, client.workspace_id).as_dict(private=True)["k"]
    theirs = signing_key(APP_SECRET, other_client.workspace_id).as_dict(private=True)["k"]
    assert ours != theirs


def test_api_key_table_never_stores_the_token(client: Client, server: Server) -> None:
    key_id, token = issue(server, client.workspace_id)
    signature = token.split(".")[2]
    with server.database.engine.connect() as connection:
        columns = [c["name"] for c in sa.inspect(connection).get_columns("api_key")]
        rows = connection.execute(sa.text("SELECT * FROM api_key")).all()
    assert sorted(columns) == sorted(
        ["id", "workspace_id", "name", "expires_at", "revoked_at", "created_at"]
    )
    assert key_id in {row.id for row in rows}
    for row in rows:
        for value in row:
            text = str(value)
            assert token not in text and signature not in text
            assert not text.startswith("eyJ")


def test_list_api_keys_and_is_expired(server: Server) -> None:
    workspace_id, _ = new_workspace(server.database)
    live_id, _ = issue(server, workspace_id)
    dead_id, _ = issue(server, workspace_id, expires_in=timedelta(seconds=-1))
    with transaction(server.database.engine) as session:
        keys = {key.id: key for key in list_api_keys(session, workspace_id)}
    assert len(keys) == 3 and {live_id, dead_id} < set(keys)
    assert is_expired(keys[live_id]) is False
    assert is_expired(keys[dead_id]) is True
    assert all(key.workspace_id == workspace_id for key in keys.values())
