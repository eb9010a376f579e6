"""Invitations over REST (``/rest/metadata/invitations``) and the accept page, against a
running server on SQLite and PostgreSQL: create, list, resend, revoke, bad input, another
workspace's invitations, and links that are used, revoked, replaced or expired."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from browser.web import PASSWORD, Browser, new_admin
from conftest import Client, Server
from hookwire.database import transaction
from hookwire.models import EmailOutbox, Invitation, User, utcnow

BASE = "/rest/metadata/invitations"


def _address() -> str:
    return f"invitee-{secrets.token_hex(4)}@example.com"


def _emails_to(server: Server, address: str) -> list[EmailOutbox]:
    with transaction(server.database.engine, write=False) as session:
        query = sa.select(EmailOutbox).where(EmailOutbox.to == address)
        return list(session.scalars(query.order_by(EmailOutbox.created_at)))


def _token(email: EmailOutbox) -> str:
    return parse_qs(urlsplit(email.values["accept_url"]).query)["token"][0]


def _invite(client: Client, address: str, role: str = "member") -> dict:
    answer = client.post(BASE, json={"email": address, "role": role})
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["createInvitation"]


def _accept_page(server: Server, token: str) -> requests.Response:
    return requests.get(
        f"{server.base_url}/invitations/accept", params={"token": token}, timeout=30
    )


def test_create_list_resend_and_revoke(server: Server, client: Client) -> None:
    address = _address()
    created = _invite(client, address.upper())  # addresses are kept in lower case
    assert created["email"] == address
    assert (created["role"], created["status"]) == ("member", "pending")
    assert "token" not in str(created).lower()

    [email] = _emails_to(server, address)  # written in the same transaction
    assert email.template == "invitation" and email.workspace_id == client.workspace_id
    assert email.values["role"] == "member" and email.values["expires_in_days"] == 7
    assert email.values["accept_url"].startswith("http")
    first_token = _token(email)
    with transaction(server.database.engine, write=False) as session:
        row = session.get(Invitation, created["id"])
        assert row is not None and first_token not in row.token_hash  # only a keyed hash
        assert row.token_hash != hashlib.sha256(first_token.encode()).hexdigest()
    assert _accept_page(server, first_token).status_code == 200

    listed = client.get(BASE).json()
    assert [i["id"] for i in listed["data"]["invitations"]] == [created["id"]]
    assert listed["totalCount"] == 1

    resent = client.post(f"{BASE}/{created['id']}/resend")
    assert resent.status_code == 200, resent.text
    assert resent.json()["data"]["resendInvitation"]["status"] == "pending"
    emails = _emails_to(server, address)
    assert len(emails) == 2
    second_token = _token(emails[1])
    assert second_token != first_token
    replaced = _accept_page(server, first_token)  # a resend replaces the link
    assert replaced.status_code == 410 and "replaced by a newer one" in replaced.text
    assert _accept_page(server, second_token).status_code == 200

    revoked = client.delete(f"{BASE}/{created['id']}")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["data"]["revokeInvitation"]["status"] == "revoked"
    page = _accept_page(server, second_token)
    assert page.status_code == 410 and "was revoked" in page.text
    again = client.post(f"{BASE}/{created['id']}/resend")
    assert again.status_code == 400 and again.json()["messages"][0].startswith("id:")
    # Once revoked, the address may be invited again.
    assert _invite(client, address)["id"] != created["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "member"}, "email"),
        ({"email": "not an address", "role": "member"}, "email"),
        ({"email": 42, "role": "member"}, "email"),
        ({"email": "a@example.com"}, "role"),
        ({"email": "a@example.com", "role": "owner"}, "role"),
        ({"email": "a@example.com", "role": "member", "name": "A"}, "name"),
        (["a@example.com"], "body"),
    ],
)
def test_bad_input_is_400_naming_the_field(
    server: Server, client: Client, body: object, field: str
) -> None:
    answer = client.post(BASE, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["messages"][0].startswith(f"{field}:")
    assert client.get(BASE).json()["totalCount"] == 0  # nothing half-made
    assert _emails_to(server, "a@example.com") == []


def test_an_address_that_is_a_user_or_already_invited_is_refused(
    server: Server, client: Client
) -> None:
    admin = new_admin(server.database)
    taken = client.post(BASE, json={"email": admin.email, "role": "member"})
    assert taken.status_code == 400
    assert taken.json()["messages"] == [f"email: '{admin.email}' already belongs to a user"]

    address = _address()
    _invite(client, address)
    twice = client.post(BASE, json={"email": address, "role": "admin"})
    assert twice.status_code == 400 and twice.json()["messages"][0].startswith("email:")
    assert len(_emails_to(server, address)) == 1


def test_another_workspaces_invitations_are_not_found(client: Client, other_client: Client) -> None:
    created = _invite(client, _address())
    assert other_client.get(BASE).json()["totalCount"] == 0
    assert other_client.post(f"{BASE}/{created['id']}/resend").status_code == 404
    assert other_client.delete(f"{BASE}/{created['id']}").status_code == 404
    assert client.get(BASE).json()["data"]["invitations"][0]["status"] == "pending"


def test_an_api_key_is_needed(server: Server) -> None:
    answer = requests.get(f"{server.base_url}{BASE}", timeout=30)
    assert answer.status_code == 401


def test_accepting_creates_the_user_once_and_signs_them_in(server: Server, client: Client) -> None:
    address = _address()
    created = _invite(client, address, role="admin")
    token = _token(_emails_to(server, address)[0])
    browser = Browser(server.base_url)
    form = browser.get(f"/invitations/accept?token={token}")
    assert form.status_code == 200 and address in form.text

    short = browser.form_post(
        f"/invitations/accept?token={token}",
        "/invitations/accept",
        {"token": token, "name": "Grace Hopper", "password": "short"},
    )
    assert short.status_code == 400 and "password: must be at least 12" in short.text
    nameless = browser.form_post(
        f"/invitations/accept?token={token}",
        "/invitations/accept",
        {"token": token, "name": " ", "password": PASSWORD},
    )
    assert nameless.status_code == 400 and "name: required" in nameless.text
    with transaction(server.database.engine, write=False) as session:
        assert session.scalars(sa.select(User).where(User.email == address)).first() is None

    accepted = browser.form_post(
        f"/invitations/accept?token={token}",
        "/invitations/accept",
        {"token": token, "name": "Grace Hopper", "password": PASSWORD},
        allow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    assert browser.get("/settings/members").status_code == 200  # signed in, as an admin
    with transaction(server.database.engine, write=False) as session:
        user = session.scalars(sa.select(User).where(User.email == address)).one()
        assert (user.role, user.name, user.workspace_id) == (
            "admin",
            "Grace Hopper",
            client.workspace_id,
        )
    assert client.get(BASE).json()["data"]["invitations"][0]["status"] == "accepted"
    assert client.delete(f"{BASE}/{created['id']}").status_code == 400

    reused = _accept_page(server, token)
    assert reused.status_code == 410 and "already been used" in reused.text
    other = Browser(server.base_url)
    replay = other.post(
        "/invitations/accept",
        data={"token": token, "name": "Mallory", "password": PASSWORD, "csrf_token": "x"},
        cookies={"hookwire_sign_in_csrf": "x"},
    )
    assert replay.status_code == 410


def test_an_expired_link_is_refused_and_changes_nothing(server: Server, client: Client) -> None:
    address = _address()
    created = _invite(client, address)
    token = _token(_emails_to(server, address)[0])
    with transaction(server.database.engine) as session:
        row = session.get(Invitation, created["id"])
        assert row is not None
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
    page = _accept_page(server, token)
    assert page.status_code == 410 and "has expired" in page.text
    posted = requests.post(
        f"{server.base_url}/invitations/accept",
        data={"token": token, "name": "Late", "password": PASSWORD, "csrf_token": "x"},
        cookies={"hookwire_sign_in_csrf": "x"},
        timeout=30,
    )
    assert posted.status_code == 410
    with transaction(server.database.engine, write=False) as session:
        assert session.scalars(sa.select(User).where(User.email == address)).first() is None
    assert client.get(BASE).json()["data"]["invitations"][0]["status"] == "expired"
    # An expired invitation can be sent again, with a fresh link and expiry.
    assert client.post(f"{BASE}/{created['id']}/resend").status_code == 200
    assert _accept_page(server, _token(_emails_to(server, address)[1])).status_code == 200
