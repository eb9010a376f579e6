"""Members and invitations in Chromium, with a real SMTP server (aiosmtpd on loopback): the
invitation email arrives, its link leads through accept to signed in, a reused or expired
link is refused; a member sees no management forms; the pages fit 1280 px and 390 px."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, MailedServer, mailed_link
from browser.web import PASSWORD, Admin, new_admin
from hookwire.database import transaction
from hookwire.models import Invitation, User, utcnow

WIDTHS = (1280, 390)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
_LINK = re.compile(r"https?://\S+/invitations/accept\?token=[\w-]+")


def _sign_in(page: Page, admin: Admin) -> None:
    page.goto("/settings/members")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/settings/members")


def _invite(page: Page, address: str, role: str) -> None:
    form = page.locator("#invite")
    form.get_by_label("E-mail address").fill(address)
    form.get_by_label("Role").select_option(role)
    form.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_have_text("Invitation sent.")


def _fits(page: Page, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at {width}px"
    folder = ARTIFACTS / "members"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def test_an_invitation_email_leads_to_a_signed_in_member(
    open_page: Callable[..., Page], mailed: MailedServer
) -> None:
    server = mailed.server
    admin = new_admin(server.database)
    page = open_page(server)
    _sign_in(page, admin)
    address = f"invitee-{secrets.token_hex(4)}@example.com"
    _invite(page, address, "member")
    row = page.locator(f"#invitation-list tr:has-text('{address}')")
    expect(row.locator(".status")).to_have_text("pending")
    for width in WIDTHS:
        _fits(page, "members", width)

    link = mailed_link(mailed.smtp, address, _LINK)
    assert link.startswith(server.base_url)
    invitee = open_page(server)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(
        f"Join {admin.workspace_name} on Hookwire"
    )
    for width in WIDTHS:
        _fits(invitee, "accept", width)
    invitee.set_viewport_size({"width": 1280, "height": 900})
    invitee.get_by_label("Name").fill("Grace Hopper")
    invitee.get_by_label("Password").fill(PASSWORD)
    invitee.get_by_role("button", name="Join workspace").click()
    invitee.wait_for_url("**/settings/apis")
    expect(invitee.locator(".topbar .user")).to_have_text(address)
    # A member: the page reads, but offers nothing to manage.
    expect(invitee.get_by_role("heading", name="API keys")).to_be_visible()
    expect(invitee.locator("#create-key")).to_have_count(0)
    expect(invitee.locator("#create-application")).to_have_count(0)
    expect(invitee.get_by_role("link", name="Members")).to_have_count(0)
    expect(invitee.get_by_role("link", name="Emails")).to_have_count(0)
    invitee.get_by_role("link", name=re.compile("^Webhooks")).click()
    expect(invitee.locator("#create-webhook")).to_have_count(0)

    page.reload()
    expect(page.locator("#members")).to_contain_text("Grace Hopper")
    expect(row.locator(".status")).to_have_text("accepted")

    again = open_page(server)
    again.goto(link)
    expect(again.locator("#link-problem")).to_contain_text("already been used")
    with transaction(server.database.engine, write=False) as session:
        users = session.scalars(sa.select(User).where(User.email == address)).all()
        assert [(u.role, u.name) for u in users] == [("member", "Grace Hopper")]


def test_an_expired_link_is_refused(open_page: Callable[..., Page], mailed: MailedServer) -> None:
    server = mailed.server
    admin = new_admin(server.database)
    page = open_page(server)
    _sign_in(page, admin)
    address = f"late-{secrets.token_hex(4)}@example.com"
    _invite(page, address, "admin")
    link = mailed_link(mailed.smtp, address, _LINK)
    with transaction(server.database.engine) as session:
        invitation = session.scalars(sa.select(Invitation).where(Invitation.email == address)).one()
        invitation.expires_at = utcnow() - timedelta(seconds=1)
        session.add(invitation)

    invitee = open_page(server, width=390)
    invitee.goto(link)
    expect(invitee.locator("#link-problem")).to_contain_text("has expired")
    _fits(invitee, "expired", 390)
    with transaction(server.database.engine, write=False) as session:
        assert session.scalars(sa.select(User).where(User.email == address)).first() is None
    page.reload()
    expect(page.locator(f"#invitation-list tr:has-text('{address}') .status")).to_have_text(
        "expired"
    )


def test_removing_a_member_ends_their_session(
    open_page: Callable[..., Page], mailed: MailedServer
) -> None:
    server = mailed.server
    admin = new_admin(server.database)
    member = new_admin(server.database)  # moved into the admin's workspace as a member
    with transaction(server.database.engine) as session:
        user = session.scalars(sa.select(User).where(User.email == member.email)).one()
        user.workspace_id, user.role = admin.workspace_id, "member"
        session.add(user)
    member_page = open_page(server)
    _sign_in_anywhere(member_page, member)

    page = open_page(server)
    _sign_in(page, admin)
    row = page.locator(f"#members tr:has-text('{member.email}')")
    row.get_by_role("button", name="Remove").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Member removed")
    expect(page.locator("#members")).not_to_contain_text(member.email)

    member_page.reload()
    member_page.wait_for_url("**/sign-in**")
    expect(member_page.get_by_role("button", name="Sign in")).to_be_visible()


def _sign_in_anywhere(page: Page, user: Admin) -> None:
    page.goto("/settings/apis")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/settings/apis")
