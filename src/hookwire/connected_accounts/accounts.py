"""Connected accounts of a workspace: connect (after a connection test), edit, test again,
list, and disconnect. Answers describe an account without its credentials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hookwire.connected_accounts.parameters import (
    SERVICES,
    ServiceParameters,
    from_document,
    parse_parameters,
    to_document,
)
from hookwire.connected_accounts.probes import ProbeResult
from hookwire.connected_accounts.sealing import CredentialSealer
from hookwire.crm import install_connected_objects, iso_timestamp
from hookwire.errors import BadRequest, Conflict, NotFound
from hookwire.models import AccountChannel, ConnectedAccount, User, utcnow

IMAP_SMTP_CALDAV = "imap_smtp_caldav"
PROVIDERS = (IMAP_SMTP_CALDAV,)
ACTIVE = "active"
FAILED = "failed"
NEEDS_REAUTHENTICATION = "needs_reauthentication"
SYNCED = ("messaging", "calendar")  # the channels that sync (sending only sends)
# Twenty's contactAutoCreationPolicy: whose addresses an import makes people of.
CONTACT_POLICIES = ("FROM_AND_TO", "SENT", "NONE")
DEFAULT_POLICY = "SENT"
_SETTINGS = ("contactAutoCreationPolicy", "blocklist")
MAX_BLOCKLIST = 1000


@dataclass(frozen=True)
class AccountDraft:
    """A checked request to connect or edit an account, before its connection test."""

    owner_id: str
    handle: str
    provider: str
    services: Mapping[str, ServiceParameters]


def draft_account(
    session: Session,
    workspace_id: str,
    body: Mapping[str, Any],
    sealer: CredentialSealer,
    existing: ConnectedAccount | None = None,
) -> AccountDraft:
    """What ``body`` asks for, checked; a BadRequest naming the field otherwise. Editing,
    omitted fields keep their value, and so does an omitted password."""
    provider = body.get("provider", existing.provider if existing else None)
    if provider not in PROVIDERS:
        raise BadRequest(f"provider: expected one of {', '.join(PROVIDERS)}, got {provider!r}")
    if existing is not None and provider != existing.provider:
        raise BadRequest("provider: an account's provider cannot change; connect a new one")
    owner_id = body.get("accountOwnerId", existing.user_id if existing else None)
    owner = session.get(User, owner_id) if isinstance(owner_id, str) else None
    if owner is None or owner.workspace_id != workspace_id:
        raise BadRequest(
            f"accountOwnerId: expected the id of a user of this workspace, got {owner_id!r}"
        )
    handle = body.get("handle", existing.handle if existing else None)
    if not isinstance(handle, str) or "@" not in handle or len(handle) > 254:
        raise BadRequest(f"handle: expected the account's e-mail address, got {handle!r}")
    previous = services_of(existing, sealer) if existing else None
    raw = body.get("connectionParameters")
    if raw is None and previous is not None:
        services: Mapping[str, ServiceParameters] = previous
    else:
        services = parse_parameters(raw, handle.strip().lower(), previous)
    return AccountDraft(owner.id, handle.strip().lower(), provider, services)


def save_account(
    session: Session,
    workspace_id: str,
    draft: AccountDraft,
    probe: ProbeResult,
    sealer: CredentialSealer,
    existing: ConnectedAccount | None = None,
) -> ConnectedAccount:
    """Write the account and a channel per service, after a connection test every service
    passed (a BadRequest naming each failure otherwise, writing nothing)."""
    if not probe.ok:
        raise BadRequest(probe.refusal())
    if existing is None:
        install_connected_objects(session, workspace_id)  # where its data will go
    account = existing or ConnectedAccount(
        workspace_id=workspace_id, user_id=draft.owner_id, sealed_credentials=""
    )
    account.user_id, account.handle, account.provider = draft.owner_id, draft.handle, draft.provider
    account.connection_settings = {s: p.public() for s, p in draft.services.items()}
    account.sealed_credentials = sealer.seal(to_document(draft.services))
    account.auth_failed_at = None
    account.updated_at = utcnow()
    session.add(account)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            f"handle: {draft.handle} is already connected for this user; edit that account"
        ) from None
    kinds = {SERVICES[service] for service in draft.services}
    session.execute(
        sa.delete(AccountChannel).where(
            col(AccountChannel.connected_account_id) == account.id,
            col(AccountChannel.kind).not_in(kinds),
        )
    )
    _record_statuses(session, account, probe)
    return account


def record_probe(session: Session, account: ConnectedAccount, probe: ProbeResult) -> None:
    """Store what a new connection test found on each channel."""
    _record_statuses(session, account, probe)
    refused = any(failure and failure.login_refused for failure in probe.failures.values())
    account.auth_failed_at = utcnow() if refused else None
    session.add(account)
    session.flush()


def _record_statuses(session: Session, account: ConnectedAccount, probe: ProbeResult) -> None:
    existing = {channel.kind: channel for channel in channels_of(session, account.id)}
    for service, failure in probe.failures.items():
        kind = SERVICES[service]
        channel = existing.get(kind) or AccountChannel(
            connected_account_id=account.id, workspace_id=account.workspace_id, kind=kind
        )
        if failure is None:
            channel.status, channel.status_reason, channel.failures = ACTIVE, None, 0
            if kind in SYNCED:
                channel.next_sync_at = utcnow()  # sync soon: first import, or new credentials
        else:
            channel.status = NEEDS_REAUTHENTICATION if failure.login_refused else FAILED
            channel.status_reason = failure.reason
            channel.failures += 1
        session.add(channel)
    session.flush()


def list_accounts(
    session: Session, workspace_id: str, owner_id: str | None = None
) -> list[ConnectedAccount]:
    query = select(ConnectedAccount).where(ConnectedAccount.workspace_id == workspace_id)
    if owner_id is not None:
        query = query.where(ConnectedAccount.user_id == owner_id)
    return list(session.exec(query.order_by(col(ConnectedAccount.created_at))))


def get_account(session: Session, workspace_id: str, account_id: str) -> ConnectedAccount:
    account = session.get(ConnectedAccount, account_id)
    if account is None or account.workspace_id != workspace_id:
        raise NotFound(f"no connected account with id '{account_id}' in this workspace")
    return account


def channels_of(session: Session, account_id: str) -> list[AccountChannel]:
    return list(
        session.exec(
            select(AccountChannel)
            .where(AccountChannel.connected_account_id == account_id)
            .order_by(col(AccountChannel.kind))
        )
    )


def services_of(
    account: ConnectedAccount, sealer: CredentialSealer
) -> dict[str, ServiceParameters]:
    """The account's services with their passwords: for connecting, never for answers. An
    OAuth account (google, microsoft) has none: it holds a token."""
    if account.provider != IMAP_SMTP_CALDAV:
        return {}
    return from_document(sealer.open(account.sealed_credentials))


def disconnect(session: Session, workspace_id: str, account_id: str) -> ConnectedAccount:
    """Delete the account, its credentials and its channels."""
    account = get_account(session, workspace_id, account_id)
    session.execute(
        sa.delete(AccountChannel).where(col(AccountChannel.connected_account_id) == account.id)
    )
    session.delete(account)
    session.flush()
    return account


def request_sync(session: Session, account: ConnectedAccount) -> list[AccountChannel]:
    """Make the account's mailbox and calendar syncs due now; the channels that will sync. A
    Conflict when none can: each waits for new credentials."""
    channels = [c for c in channels_of(session, account.id) if c.kind in SYNCED]
    ready = [c for c in channels if c.status != NEEDS_REAUTHENTICATION]
    if channels and not ready and account.provider == IMAP_SMTP_CALDAV:
        raise Conflict(
            f"the account {account.handle} needs its new password before it can sync: "
            "connect it again with the new password (or PATCH its connectionParameters)"
        )
    if channels and not ready:
        raise Conflict(
            f"the account {account.handle} needs to be connected again before it can sync: "
            "its provider refused its token"
        )
    for channel in ready:
        channel.next_sync_at = utcnow()
        session.add(channel)
    session.flush()
    return ready


def channel_settings(channel: AccountChannel) -> dict[str, Any]:
    """How the channel imports, defaults filled in (Twenty's names)."""
    stored = channel.settings or {}
    return {
        "contactAutoCreationPolicy": stored.get("contactAutoCreationPolicy", DEFAULT_POLICY),
        "blocklist": list(stored.get("blocklist", [])),
    }


def update_channel_settings(
    session: Session, account: ConnectedAccount, kind: str, body: Mapping[str, Any]
) -> AccountChannel:
    """Change how a messaging channel imports: ``contactAutoCreationPolicy`` (who becomes a
    person: FROM_AND_TO, SENT or NONE) and ``blocklist`` (addresses, or domains as
    ``@example.com``, whose messages are not imported)."""
    channel = next((c for c in channels_of(session, account.id) if c.kind == kind), None)
    if channel is None:
        raise NotFound(f"the account {account.handle} has no {kind} channel")
    unknown = sorted(set(body) - set(_SETTINGS))
    if unknown:
        raise BadRequest(f"{unknown[0]}: not a channel setting; expected {' or '.join(_SETTINGS)}")
    settings = channel_settings(channel)
    if "contactAutoCreationPolicy" in body:
        policy = body["contactAutoCreationPolicy"]
        if policy not in CONTACT_POLICIES:
            raise BadRequest(
                "contactAutoCreationPolicy: expected one of "
                f"{', '.join(CONTACT_POLICIES)}, got {policy!r}"
            )
        settings["contactAutoCreationPolicy"] = policy
    if "blocklist" in body:
        settings["blocklist"] = _blocklist(body["blocklist"])
    channel.settings = settings
    session.add(channel)
    session.flush()
    return channel


def _blocklist(raw: Any) -> list[str]:
    expected = "expected an address (ada@example.com) or a domain (@example.com)"
    if not isinstance(raw, list) or len(raw) > MAX_BLOCKLIST:
        raise BadRequest(f"blocklist: expected a list of at most {MAX_BLOCKLIST} entries")
    entries = set()
    for index, entry in enumerate(raw):
        text = entry.strip().lower() if isinstance(entry, str) else ""
        _, at, domain = text.rpartition("@")
        if not at or "." not in domain or any(c.isspace() for c in text) or len(text) > 254:
            raise BadRequest(f"blocklist[{index}]: {expected}, got {entry!r}")
        entries.add(text)
    return sorted(entries)


def account_output(account: ConnectedAccount, channels: list[AccountChannel]) -> dict[str, Any]:
    """An account as answers show it: where each service is, never how to log in."""
    return {
        "id": account.id,
        "handle": account.handle,
        "provider": account.provider,
        "accountOwnerId": account.user_id,
        "scopes": account.scopes,
        "connectionParameters": account.connection_settings,
        "authFailedAt": iso_timestamp(account.auth_failed_at),
        "createdAt": iso_timestamp(account.created_at),
        "updatedAt": iso_timestamp(account.updated_at),
        "channels": [
            {
                "id": channel.id,
                "type": channel.kind,
                "status": channel.status,
                "statusReason": channel.status_reason,
                "lastSyncedAt": iso_timestamp(channel.last_synced_at),
                "lastAttemptAt": iso_timestamp(channel.last_attempt_at),
                "nextSyncAt": iso_timestamp(channel.next_sync_at),
                **(channel_settings(channel) if channel.kind == "messaging" else {}),
            }
            for channel in channels
        ],
    }
