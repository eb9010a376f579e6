"""Roles in the settings UI, on SQLite and PostgreSQL: a member reads but cannot manage API
keys, webhooks or applications (hidden forms, 403 pages); admins list members, change roles
and remove members, whose sessions end at once; the last admin stays one."""

from __future__ import annotations

import html
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from browser.web import PASSWORD, Admin, Browser, csrf_token, new_admin
from conftest import APP_SECRET, Database, Server, empty_database
from hookwire.database import create_db_engine, transaction
from hookwire.identity import create_user, issue_api_key
from hookwire.models import ApiKey, Invitation, User, Webhook
from oauth_support import REDIRECT_URI, admin_client, register
from test_migrations import migrate_to


def _new_member(database: Database, workspace_id: str, role: str = "member") -> str:
    email = f"member-{secrets.token_hex(4)}@example.com"
    with transaction(database.engine) as session:
        user = create_user(session, workspace_id, email, PASSWORD)
        user.role = role
        session.add(user)
    return email


def _signed_in(server: Server, email: str) -> Browser:
    browser = Browser(server.base_url)
    assert browser.sign_in(email, PASSWORD).status_code == 303
    return browser


def _user_id(database: Database, email: str) -> str:
    with transaction(database.engine, write=False) as session:
        return session.scalars(sa.select(User.id).where(User.email == email)).one()


def test_existing_and_new_admins_are_admins(server: Server, admin: Admin) -> None:
    with transaction(server.database.engine, write=False) as session:
        user = session.scalars(sa.select(User).where(User.email == admin.email)).one()
    assert user.role == "admin"


def test_a_member_reads_but_manages_nothing(server: Server, admin: Admin) -> None:
    database = server.database
    with transaction(database.engine) as session:
        key_id = issue_api_key(session, APP_SECRET, admin.workspace_id, "Zap").row.id
    made = _signed_in(server, admin.email).form_post(
        "/settings/webhooks",
        "/settings/webhooks",
        {"target_url": "https://example.com/h", "operations": "*.*"},
    )
    assert made.status_code == 201, made.text
    with transaction(database.engine, write=False) as session:
        webhook_id = session.scalars(
            sa.select(Webhook.id).where(Webhook.workspace_id == admin.workspace_id)
        ).one()
    member = _signed_in(server, _new_member(database, admin.workspace_id))

    apis = member.get("/settings/apis")
    assert apis.status_code == 200 and "Zap" in apis.text
    for hidden in ('id="create-key"', 'id="create-application"', "playground-form", "Revoke"):
        assert hidden not in apis.text
    webhooks = member.get("/settings/webhooks")
    assert webhooks.status_code == 200 and "https://example.com/h" in webhooks.text
    assert 'id="create-webhook"' not in webhooks.text
    detail = member.get(f"/settings/webhooks/{webhook_id}")
    assert detail.status_code == 200
    for hidden in ('id="edit-webhook"', "Send test event", ">Delete<", ">Disable<"):
        assert hidden not in detail.text
    for nav in ("/settings/emails", "/settings/members"):
        assert f'href="{nav}"' not in apis.text

    token = csrf_token(apis.text)
    refused = {
        "/settings/apis/keys": {"name": "Mine", "expires_in": "30"},
        f"/settings/apis/keys/{key_id}/revoke": {},
        "/settings/apis/applications": {"name": "App", "scopes": "records:read"},
        "/settings/webhooks": {"target_url": "https://example.com/x", "operations": "*.*"},
        f"/settings/webhooks/{webhook_id}/delete": {},
        f"/settings/webhooks/{webhook_id}/enabled": {"enabled": "false"},
        "/settings/playground/token": {},
        "/oauth/authorize": {"decision": "allow"},  # a member lets no application in
    }
    for path, data in refused.items():
        answer = member.post(path, data={**data, "csrf_token": token}, allow_redirects=False)
        assert answer.status_code == 403, path
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "Only an admin" in answer.text
    for path in ("/settings/emails", "/settings/members"):
        answer = member.get(path, allow_redirects=False)
        assert answer.status_code == 403 and "Only an admin" in answer.text, path

    with transaction(database.engine, write=False) as session:
        keys = session.scalars(sa.select(ApiKey).where(ApiKey.workspace_id == admin.workspace_id))
        assert sorted((k.name, k.revoked_at) for k in keys) == [("Zap", None), ("tests", None)]
        assert session.get(Webhook, webhook_id).is_enabled  # type: ignore[union-attr]


def test_admins_see_every_form(server: Server, admin: Admin) -> None:
    browser = _signed_in(server, admin.email)
    apis = browser.get("/settings/apis").text
    for shown in ('id="create-key"', 'id="create-application"', "playground-form"):
        assert shown in apis
    assert 'href="/settings/members"' in apis and 'href="/settings/emails"' in apis


def test_members_page_lists_changes_roles_and_removes(server: Server, admin: Admin) -> None:
    database = server.database
    member_email = _new_member(database, admin.workspace_id)
    member = _signed_in(server, member_email)
    assert member.get("/settings/apis").status_code == 200
    browser = _signed_in(server, admin.email)

    page = browser.get("/settings/members")
    assert page.status_code == 200
    assert admin.email in page.text and member_email in page.text
    outsider = new_admin(database)
    assert outsider.email not in page.text  # only this workspace's users

    member_id = _user_id(database, member_email)
    promoted = browser.form_post(
        "/settings/members", f"/settings/members/{member_id}/role", {"role": "admin"}
    )
    assert promoted.status_code == 200 and "Role changed." in promoted.text
    assert member.get("/settings/members").status_code == 200  # at once, same session
    bad = browser.form_post(
        "/settings/members", f"/settings/members/{member_id}/role", {"role": "owner"}
    )
    assert bad.status_code == 400 and "role: expected one of admin, member" in bad.text
    browser.form_post(
        "/settings/members", f"/settings/members/{member_id}/role", {"role": "member"}
    )
    assert member.get("/settings/members").status_code == 403

    removed = browser.form_post("/settings/members", f"/settings/members/{member_id}/remove")
    assert removed.status_code == 200 and "Member removed" in removed.text
    assert member_email not in removed.text
    refused = member.get("/settings/apis", allow_redirects=False)  # the very next request
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]
    posted = member.post("/settings/apis/keys", data={"name": "x"}, allow_redirects=False)
    assert posted.status_code == 401
    assert member.sign_in(member_email, PASSWORD).status_code == 401


def test_another_workspaces_member_is_not_found(server: Server, admin: Admin) -> None:
    outsider = new_admin(server.database)
    outsider_id = _user_id(server.database, outsider.email)
    browser = _signed_in(server, admin.email)
    for action in ("remove", "role"):
        answer = browser.form_post(
            "/settings/members", f"/settings/members/{outsider_id}/{action}", {"role": "member"}
        )
        assert answer.status_code == 404, action
    assert _signed_in(server, outsider.email).get("/settings/apis").status_code == 200


@pytest.mark.parametrize("action", ["role", "remove"])
def test_the_last_admin_cannot_demote_or_remove_themself(
    server: Server, admin: Admin, action: str
) -> None:
    browser = _signed_in(server, admin.email)
    admin_id = _user_id(server.database, admin.email)
    answer = browser.form_post(
        "/settings/members", f"/settings/members/{admin_id}/{action}", {"role": "member"}
    )
    assert answer.status_code == 400
    assert "last admin" in answer.text and "make another member an admin first" in answer.text
    with transaction(server.database.engine, write=False) as session:
        assert session.get(User, admin_id).role == "admin"  # type: ignore[union-attr]
    assert browser.get("/settings/members").status_code == 200

    # With a second admin, the first may step down.
    _new_member(server.database, admin.workspace_id, role="admin")
    answer = browser.form_post(
        "/settings/members",
        f"/settings/members/{admin_id}/{action}",
        {"role": "member"},
        allow_redirects=False,
    )
    assert answer.status_code == 303
    if action == "remove":
        assert "/sign-in" in answer.headers["Location"]
        assert browser.get("/settings/apis", allow_redirects=False).status_code == 302
    else:
        assert browser.get("/settings/members").status_code == 403


def test_invitations_from_the_members_page(server: Server, admin: Admin) -> None:
    browser = _signed_in(server, admin.email)
    address = f"Invitee-{secrets.token_hex(4)}@Example.com"
    sent = browser.form_post(
        "/settings/members", "/settings/members/invitations", {"email": address, "role": "admin"}
    )
    assert sent.status_code == 200 and "Invitation sent." in sent.text
    assert address.lower() in sent.text
    taken = browser.form_post(
        "/settings/members",
        "/settings/members/invitations",
        {"email": admin.email, "role": "member"},
    )
    assert taken.status_code == 400
    assert f"email: '{admin.email}' already belongs" in html.unescape(taken.text)

    with transaction(server.database.engine, write=False) as session:
        invitation_id = session.scalars(
            sa.select(Invitation.id).where(Invitation.email == address.lower())
        ).one()
    resent = browser.form_post(
        "/settings/members", f"/settings/members/invitations/{invitation_id}/resend"
    )
    assert resent.status_code == 200 and "Invitation sent again" in resent.text
    revoked = browser.form_post(
        "/settings/members", f"/settings/members/invitations/{invitation_id}/revoke"
    )
    assert revoked.status_code == 200 and "Invitation revoked" in revoked.text


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migration_0012_makes_existing_users_admins(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with empty_database(backend, tmp_path_factory) as url:
        engine = create_db_engine(url)
        try:
            migrate_to(engine, "0011")
            with engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO workspace (id, display_name, metadata_version, created_at) "
                        "VALUES ('w1', 'Old', 1, CURRENT_TIMESTAMP)"
                    )
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO user_account (id, workspace_id, email, password_hash, "
                        "created_at) VALUES ('u1', 'w1', 'old@example.com', 'x', "
                        "CURRENT_TIMESTAMP)"
                    )
                )
            migrate_to(engine, "0012")
            with engine.connect() as connection:
                row = connection.execute(
                    sa.text("SELECT role, name FROM user_account WHERE id = 'u1'")
                ).one()
            assert tuple(row) == ("admin", None)
            migrate_to(engine, "0011")  # and back down
            assert "invitation" not in sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()


def test_init_and_user_create_make_admins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hookwire.db'}"
    env = {**os.environ, "DATABASE_URL": url, "APP_SECRET": APP_SECRET}
    env.pop("REDIS_URL", None)
    for args in (
        ("init", "--workspace", "Roles"),
        ("user", "create", "--workspace", "Roles", "--email", "second@example.com"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "hookwire.cli", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            roles = connection.execute(sa.text("SELECT role FROM user_account")).scalars().all()
        assert roles == ["admin", "admin"]
    finally:
        engine.dispose()


def test_a_member_is_told_only_an_admin_can_authorize_an_application(
    server: Server, admin: Admin
) -> None:
    app = register(admin_client(server, admin), ["records:read"])
    member = _signed_in(server, _new_member(server.database, admin.workspace_id))
    challenge = "a" * 43
    page = member.get(
        f"/oauth/authorize?response_type=code&client_id={app.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope=records:read&state=s"
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )
    assert page.status_code == 200
    assert 'id="consent-admins-only"' in page.text and 'id="allow"' not in page.text


def test_the_members_page_holds_each_section_once(server: Server, admin: Admin) -> None:
    page = _signed_in(server, admin.email).get("/settings/members").text
    assert page.count('id="invitations"') == 1 and page.count('id="invite"') == 1
    assert "<title>Members" in page and "<section" not in page.split("</title>")[0]
