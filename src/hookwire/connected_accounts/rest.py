"""Connected accounts over REST: ``/rest/metadata/connectedAccounts``.

An account holds a mailbox's password, so managing accounts takes an API key (the
``credentials`` scope, never granted to an OAuth application). Connecting or editing runs a
connection test first, outside any database transaction (a slow server holds no lock); no
answer ever carries a password or token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g

from hookwire.config import AccountSettings
from hookwire.connected_accounts.accounts import (
    account_output,
    channels_of,
    disconnect,
    draft_account,
    get_account,
    list_accounts,
    record_probe,
    request_sync,
    save_account,
    services_of,
    update_channel_settings,
)
from hookwire.connected_accounts.probes import probe_all
from hookwire.connected_accounts.sealing import CredentialSealer
from hookwire.crm import json_object, require_caller, require_scopes
from hookwire.database import transaction
from hookwire.identity.scopes import CREDENTIALS
from hookwire.models import ConnectedAccount
from hookwire.services import services

EXTENSION_KEY = "hookwire.connected_accounts"
_FIELDS = frozenset({"handle", "provider", "accountOwnerId", "connectionParameters"})

accounts_api = Blueprint(
    "connected_accounts_api", __name__, url_prefix="/rest/metadata/connectedAccounts"
)
accounts_api.before_request(require_caller)
accounts_api.before_request(require_scopes(CREDENTIALS))


class AccountsContext:
    """What every route needs: the sealer of credentials and the connection settings."""

    def __init__(self, settings: AccountSettings, app_secret: str) -> None:
        self.settings = settings
        self.sealer = CredentialSealer(settings.encryption_keys, app_secret)


def accounts_context() -> AccountsContext:
    return current_app.extensions[EXTENSION_KEY]


def _output(session: Any, account: ConnectedAccount) -> dict[str, Any]:
    return account_output(account, channels_of(session, account.id))


@accounts_api.get("")
def list_all() -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        rows = [_output(session, a) for a in list_accounts(session, g.caller.workspace_id)]
    return {"data": {"connectedAccounts": rows}, "totalCount": len(rows)}


@accounts_api.get("/<account_id>")
def get_one(account_id: str) -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        account = get_account(session, g.caller.workspace_id, account_id)
        return {"data": {"connectedAccount": _output(session, account)}}


@accounts_api.post("")
def create() -> tuple[dict[str, Any], int]:
    body = json_object(_FIELDS)
    context = accounts_context()
    with transaction(services().engine, write=False) as session:
        draft = draft_account(session, g.caller.workspace_id, body, context.sealer)
    probe = probe_all(draft.services, context.settings)
    with transaction(services().engine) as session:
        account = save_account(session, g.caller.workspace_id, draft, probe, context.sealer)
        answer = {"data": {"createConnectedAccount": _output(session, account)}}
    services().channel_work.sync_soon()  # the first import
    return answer, 201


@accounts_api.patch("/<account_id>")
def update(account_id: str) -> dict[str, Any]:
    body = json_object(_FIELDS)
    context = accounts_context()
    with transaction(services().engine, write=False) as session:
        existing = get_account(session, g.caller.workspace_id, account_id)
        draft = draft_account(session, g.caller.workspace_id, body, context.sealer, existing)
    probe = probe_all(draft.services, context.settings)
    with transaction(services().engine) as session:
        existing = get_account(session, g.caller.workspace_id, account_id)
        account = save_account(
            session, g.caller.workspace_id, draft, probe, context.sealer, existing
        )
        answer = {"data": {"updateConnectedAccount": _output(session, account)}}
    services().channel_work.sync_soon()
    return answer


@accounts_api.post("/<account_id>/test")
def test_connection(account_id: str) -> dict[str, Any]:
    """Log in to every service again and store what each answered on its channel."""
    context = accounts_context()
    with transaction(services().engine, write=False) as session:
        account = get_account(session, g.caller.workspace_id, account_id)
        parameters = services_of(account, context.sealer)
    probe = probe_all(parameters, context.settings)
    with transaction(services().engine) as session:
        account = get_account(session, g.caller.workspace_id, account_id)
        record_probe(session, account, probe)
        answer = {"data": {"testConnectedAccount": _output(session, account)}}
    services().channel_work.sync_soon()  # a channel that passed syncs again now
    return answer


@accounts_api.post("/<account_id>/sync")
def sync_now(account_id: str) -> tuple[dict[str, Any], int]:
    """Start the account's mailbox and calendar syncs now rather than at their next turn."""
    with transaction(services().engine) as session:
        account = get_account(session, g.caller.workspace_id, account_id)
        request_sync(session, account)
        answer = {"data": {"syncConnectedAccount": _output(session, account)}}
    services().channel_work.sync_soon()
    return answer, 202


@accounts_api.patch("/<account_id>/channels/<kind>")
def update_channel(account_id: str, kind: str) -> dict[str, Any]:
    """Change how a channel imports (its contact creation policy and blocklist)."""
    body = json_object(frozenset({"contactAutoCreationPolicy", "blocklist"}))
    with transaction(services().engine) as session:
        account = get_account(session, g.caller.workspace_id, account_id)
        update_channel_settings(session, account, kind, body)
        return {"data": {"updateConnectedAccount": _output(session, account)}}


@accounts_api.delete("/<account_id>")
def delete(account_id: str) -> dict[str, Any]:
    """Disconnect: the credentials and channels go at once; the messages and events no other
    account holds go with the cleanup jobs this queues."""
    with transaction(services().engine) as session:
        disconnect(session, g.caller.workspace_id, account_id)
    services().channel_work.clean_up(g.caller.workspace_id)
    return {"data": {"deleteConnectedAccount": {"id": account_id}}}
