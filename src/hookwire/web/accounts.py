"""``/settings/accounts``: the signed-in user's connected mailboxes and calendars: connect
one (after a connection test), test it again, sync it now, choose how its mail is imported
(who becomes a contact, whose messages are skipped), disconnect it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.connected_accounts import (
    CONTACT_POLICIES,
    IMAP_SMTP_CALDAV,
    SERVICES,
    SYNCED_KINDS,
    accounts_context,
    channel_settings,
    channels_of,
    disconnect,
    draft_account,
    enabled_providers,
    get_account,
    list_accounts,
    probe_all,
    record_probe,
    request_sync,
    save_account,
    services_of,
    update_channel_settings,
)
from hookwire.database import transaction
from hookwire.errors import ApiError, BadRequest, Conflict, NotFound
from hookwire.models import AccountChannel, ConnectedAccount
from hookwire.services import services
from hookwire.web.pages import pages

account_connection_pages = pages("account_connection_pages")
NOTICES = {
    "connected": "Account connected: every service answered. Its mail and events are on their way.",
    "tested": "Connection tested; each service's status is below.",
    "provider_connected": "Account connected. Its mail and events are on their way.",
    "synced": "Sync started: new mail and events appear in a moment.",
    "imported": "Import settings saved: the next sync follows them.",
    "disconnected": (
        "Account disconnected: its credentials are deleted, and its messages and events that "
        "no other account holds are being removed."
    ),
}
# The contact creation policies in the words of the page.
POLICY_LABELS = {
    "FROM_AND_TO": "everyone I correspond with",
    "SENT": "people I write to",
    "NONE": "nobody",
}
FIELD_LABELS = {"contactAutoCreationPolicy": "Create contacts from", "blocklist": "Blocklist"}
_BLOCKLIST_ENTRY = re.compile(r"blocklist\[(\d+)\]")


@dataclass(frozen=True)
class Refusal:
    """What the page could not do, shown beside the control that asked for it.

    Arguments:
        message: what went wrong, in the page's words.
        place: ``"page"`` (above the list), ``"connect"`` (the connect form) or the id of
            the account whose import settings were refused.
    """

    message: str
    place: str


@dataclass(frozen=True)
class ImportForm:
    """Import settings as typed into an account's form, shown again after a refusal.

    Arguments:
        policy: the chosen contact creation policy.
        blocklist: the blocklist text, one entry a line.
    """

    policy: str
    blocklist: str


def _form_parameters(form: Any) -> dict[str, dict[str, Any]]:
    """Twenty's ``connectionParameters`` from the form: a service whose host is blank is
    left out."""
    parameters: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        prefix = service.lower()
        host = form.get(f"{prefix}_host", "").strip()
        if not host:
            continue
        values: dict[str, Any] = {
            "host": host,
            "username": form.get(f"{prefix}_username", "").strip() or None,
            "password": form.get(f"{prefix}_password", ""),
        }
        if service != "CALDAV":
            values["secure"] = form.get(f"{prefix}_secure") == "on"
            port = form.get(f"{prefix}_port", "").strip()
            values["port"] = int(port) if port.isdigit() else (port or None)
        parameters[service] = {key: value for key, value in values.items() if value is not None}
    return parameters


def _own(session: Any, account_id: str):
    account = get_account(session, g.workspace.id, account_id)
    if account.user_id != g.signed_in.user.id:
        raise NotFound(f"no connected account with id '{account_id}' of yours")
    return account


def _import_form(channel: AccountChannel) -> ImportForm:
    settings = channel_settings(channel)
    return ImportForm(settings["contactAutoCreationPolicy"], "\n".join(settings["blocklist"]))


def _plain(refused: BadRequest, line_numbers: list[int]) -> str:
    """The refusal of import settings with the form's names: ``blocklist[2]`` becomes the
    blocklist's line as the user counts lines (blank ones included)."""
    message = " ".join(refused.messages)
    field, _, reason = message.partition(": ")
    entry = _BLOCKLIST_ENTRY.fullmatch(field)
    if entry:
        return f"Blocklist, line {line_numbers[int(entry[1])]}: {reason}"
    return f"{FIELD_LABELS[field]}: {reason}" if field in FIELD_LABELS else message


def _page(
    code: int = 200,
    refusal: Refusal | None = None,
    form: Any = None,
    typed: ImportForm | None = None,
) -> tuple[str, int]:
    """The page; after a refusal, ``typed`` is what the refused account's import form held."""
    with transaction(services().engine, write=False) as session:
        accounts = [
            (account, channels_of(session, account.id))
            for account in list_accounts(session, g.workspace.id, g.signed_in.user.id)
        ]
        imports = {
            account.id: _import_form(channel)
            for account, channels in accounts
            for channel in channels
            if channel.kind == "messaging"
        }
    if refusal is not None and typed is not None:
        imports[refusal.place] = typed
    page = render_template(
        "settings/accounts.html",
        accounts=accounts,
        providers=enabled_providers(accounts_context().settings),
        imports=imports,
        synced_kinds=SYNCED_KINDS,
        policies=[(policy, POLICY_LABELS[policy]) for policy in CONTACT_POLICIES],
        notice=NOTICES.get(request.args.get("notice", "")),
        refusal=refusal,
        form=form or {"handle": g.signed_in.user.email},
    )
    return page, code


def _back(notice: str) -> Response:
    return redirect(url_for("account_connection_pages.accounts", notice=notice), code=303)


@account_connection_pages.get("/settings/accounts")
def accounts() -> tuple[str, int]:
    return _page()


@account_connection_pages.post("/settings/accounts")
def connect() -> Response | tuple[str, int]:
    context = accounts_context()
    body = {
        "provider": IMAP_SMTP_CALDAV,
        "accountOwnerId": g.signed_in.user.id,
        "handle": request.form.get("handle", "").strip(),
        "connectionParameters": _form_parameters(request.form),
    }
    # Passwords are never sent back into the form.
    form = {key: value for key, value in request.form.items() if not key.endswith("_password")}
    try:
        with transaction(services().engine, write=False) as session:
            existing = _connected(session, body["handle"])
            draft = draft_account(session, g.workspace.id, body, context.sealer)
        probe = probe_all(draft.services, context.settings)
        with transaction(services().engine) as session:
            existing = _connected(session, body["handle"])  # again: it may have changed
            save_account(session, g.workspace.id, draft, probe, context.sealer, existing)
    except ApiError as refused:
        return _page(400, Refusal(" ".join(refused.messages), "connect"), form)
    services().channel_work.sync_soon()  # the first import
    return _back("connected")


def _connected(session: Any, handle: str) -> ConnectedAccount | None:
    """The user's IMAP account with this address: connecting it again replaces its
    settings and passwords (how a changed password is given)."""
    handle = handle.strip().lower()
    return next(
        (
            account
            for account in list_accounts(session, g.workspace.id, g.signed_in.user.id)
            if account.provider == IMAP_SMTP_CALDAV and account.handle == handle
        ),
        None,
    )


@account_connection_pages.post("/settings/accounts/<account_id>/test")
def test(account_id: str) -> Response:
    context = accounts_context()
    with transaction(services().engine, write=False) as session:
        parameters = services_of(_own(session, account_id), context.sealer)
    probe = probe_all(parameters, context.settings)
    with transaction(services().engine) as session:
        record_probe(session, _own(session, account_id), probe)
    services().channel_work.sync_soon()  # a channel that passed syncs again now
    return _back("tested")


@account_connection_pages.post("/settings/accounts/<account_id>/sync")
def sync(account_id: str) -> Response | tuple[str, int]:
    """Make the account's mailbox and calendar syncs due now; a channel that waits for new
    credentials refuses (409) and nothing changes."""
    try:
        with transaction(services().engine) as session:
            request_sync(session, _own(session, account_id))
    except Conflict as refused:
        return _page(refused.status, Refusal(" ".join(refused.messages), "page"))
    services().channel_work.sync_soon()
    return _back("synced")


@account_connection_pages.post("/settings/accounts/<account_id>/messaging")
def import_settings(account_id: str) -> Response | tuple[str, int]:
    """Save the mailbox's import settings: who becomes a contact, whose messages are
    skipped (an address or ``@domain`` a line)."""
    typed = ImportForm(
        request.form.get("contactAutoCreationPolicy", ""), request.form.get("blocklist", "")
    )
    lines = typed.blocklist.splitlines()
    line_numbers = [number for number, line in enumerate(lines, 1) if line.strip()]
    body = {
        "contactAutoCreationPolicy": typed.policy,
        "blocklist": [lines[number - 1] for number in line_numbers],
    }
    try:
        with transaction(services().engine) as session:
            update_channel_settings(session, _own(session, account_id), "messaging", body)
    except BadRequest as refused:
        return _page(400, Refusal(_plain(refused, line_numbers), account_id), typed=typed)
    return _back("imported")


@account_connection_pages.post("/settings/accounts/<account_id>/delete")
def remove(account_id: str) -> Response:
    with transaction(services().engine) as session:
        disconnect(session, g.workspace.id, _own(session, account_id).id)
    # After the commit: the cleanup must find the account gone.
    services().channel_work.clean_up(g.workspace.id)
    return _back("disconnected")
