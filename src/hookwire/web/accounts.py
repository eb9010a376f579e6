"""``/settings/accounts``: the signed-in user's connected mailboxes and calendars: connect
one (after a connection test), test it again, disconnect it."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.connected_accounts import (
    IMAP_SMTP_CALDAV,
    SERVICES,
    accounts_context,
    channels_of,
    disconnect,
    draft_account,
    get_account,
    list_accounts,
    probe_all,
    record_probe,
    save_account,
    services_of,
)
from hookwire.database import transaction
from hookwire.errors import ApiError, NotFound
from hookwire.services import services
from hookwire.web.pages import pages

account_connection_pages = pages("account_connection_pages")
NOTICES = {
    "connected": "Account connected: every service answered.",
    "tested": "Connection tested; each service's status is below.",
    "disconnected": "Account disconnected: its credentials are deleted.",
}


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


def _page(code: int = 200, error: str | None = None, form: Any = None) -> tuple[str, int]:
    with transaction(services().engine, write=False) as session:
        accounts = [
            (account, channels_of(session, account.id))
            for account in list_accounts(session, g.workspace.id, g.signed_in.user.id)
        ]
    page = render_template(
        "settings/accounts.html",
        accounts=accounts,
        notice=NOTICES.get(request.args.get("notice", "")),
        error=error,
        form=form or {"handle": g.signed_in.user.email},
    )
    return page, code


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
            draft = draft_account(session, g.workspace.id, body, context.sealer)
        probe = probe_all(draft.services, context.settings)
        with transaction(services().engine) as session:
            save_account(session, g.workspace.id, draft, probe, context.sealer)
    except ApiError as refused:
        return _page(400, " ".join(refused.messages), form)
    return redirect(url_for("account_connection_pages.accounts", notice="connected"), code=303)


@account_connection_pages.post("/settings/accounts/<account_id>/test")
def test(account_id: str) -> Response:
    context = accounts_context()
    with transaction(services().engine, write=False) as session:
        parameters = services_of(_own(session, account_id), context.sealer)
    probe = probe_all(parameters, context.settings)
    with transaction(services().engine) as session:
        record_probe(session, _own(session, account_id), probe)
    return redirect(url_for("account_connection_pages.accounts", notice="tested"), code=303)


@account_connection_pages.post("/settings/accounts/<account_id>/delete")
def remove(account_id: str) -> Response:
    with transaction(services().engine) as session:
        disconnect(session, g.workspace.id, _own(session, account_id).id)
    return redirect(url_for("account_connection_pages.accounts", notice="disconnected"), code=303)
