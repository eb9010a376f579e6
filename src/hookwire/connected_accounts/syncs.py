"""When a channel syncs, and one sync at a time: leases, outcomes, backoff.

A sync takes its channel's lease (a conditional UPDATE: one taker wins), renews it with every
batch it commits, and gives it back with its outcome. A sync that dies keeps the lease until
it runs out; the next one then takes over where the last committed batch left the cursor.
"""

from __future__ import annotations

import copy
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.config import AccountSettings, Config
from hookwire.connected_accounts.accounts import (
    ACTIVE,
    FAILED,
    IMAP_SMTP_CALDAV,
    NEEDS_REAUTHENTICATION,
    channel_settings,
    services_of,
)
from hookwire.connected_accounts.connections import ServiceUnreachable
from hookwire.connected_accounts.parameters import SERVICES, ServiceParameters
from hookwire.connected_accounts.sealing import CredentialSealer
from hookwire.crm import Actor, Catalog, ChangeSink, RecordStore, load_catalog
from hookwire.database import transaction
from hookwire.models import AccountChannel, ConnectedAccount, new_id, utcnow

log = logging.getLogger(__name__)

CHANNELS = AccountChannel.__table__
SYNCED_KINDS = ("messaging", "calendar")  # sending has nothing to sync
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
JITTER = 0.1


class SyncReporting(Protocol):
    """What a sync did; ``failure`` says why it stopped early, if it did."""

    failure: str | None


Report = TypeVar("Report", bound=SyncReporting)
# How a channel of one provider syncs: (engine, config, lease, sink, report) -> None, raising
# ServiceUnreachable (or LeaseLost) to stop.
ChannelSource = Callable[[Engine, Config, "ChannelLease", ChangeSink | None, Report], None]


class LeaseLost(Exception):
    """Another sync took the channel (this one's lease ran out): stop without writing."""


@dataclass(frozen=True)
class ChannelLease:
    """A channel held by one sync: what the sync needs to know, and the lease's token."""

    channel_id: str
    token: str
    workspace_id: str
    account_id: str
    kind: str
    handle: str  # the account's address
    owner_id: str  # the user who connected it
    provider: str  # imap_smtp_caldav, google, microsoft
    settings: dict[str, Any]  # how it imports: channel_settings()
    cursor: dict[str, Any]
    parameters: ServiceParameters | None = None  # the service's login (imap_smtp_caldav)
    oauth_token: dict[str, Any] | None = None  # the OAuth token (google, microsoft)


def claim_due_channels(session: Session, now: datetime, hold: timedelta) -> list[tuple[str, str]]:
    """(id, kind) of every channel whose next sync is due and that no sync holds, each
    pushed ``hold`` into the future: started once, not again at every tick while it waits in
    a queue (a sync that never starts comes due again after ``hold``)."""
    # Inputs: now. Answer: syncable channels due and free, oldest due first.
    query = (
        sa.select(CHANNELS.c.id, CHANNELS.c.kind)
        .where(
            CHANNELS.c.kind.in_(SYNCED_KINDS),
            CHANNELS.c.status != NEEDS_REAUTHENTICATION,
            CHANNELS.c.next_sync_at <= now,
            sa.or_(CHANNELS.c.lease_until.is_(None), CHANNELS.c.lease_until < now),
        )
        .order_by(CHANNELS.c.next_sync_at)
        .with_for_update(skip_locked=True)
    )
    due = [(row.id, row.kind) for row in session.execute(query)]
    if due:
        session.execute(
            CHANNELS.update()
            .where(CHANNELS.c.id.in_([channel_id for channel_id, _ in due]))
            .values(next_sync_at=now + hold)
        )
    return due


def take_channel(
    engine: Engine, channel_id: str, settings: AccountSettings, sealer: CredentialSealer
) -> ChannelLease | None:
    """The channel, held for ``settings.sync_lease`` seconds; None if another sync holds
    it, it is gone, or it waits for new credentials."""
    token = new_id()
    now = utcnow()
    with transaction(engine) as session:
        # Inputs: the channel, a new token, now. Answer: one row changed if the lease was free.
        taken = session.execute(
            CHANNELS.update()
            .where(
                CHANNELS.c.id == channel_id,
                CHANNELS.c.status != NEEDS_REAUTHENTICATION,
                sa.or_(CHANNELS.c.lease_until.is_(None), CHANNELS.c.lease_until < now),
            )
            .values(lease_token=token, lease_until=now + _seconds(settings.sync_lease))
        )
        if taken.rowcount != 1:
            return None
        channel = session.get(AccountChannel, channel_id)
        account = session.get(ConnectedAccount, channel.connected_account_id) if channel else None
        if channel is None or account is None:
            return None
        parameters, oauth_token = None, None
        if account.provider == IMAP_SMTP_CALDAV:
            by_kind = {SERVICES[name]: p for name, p in services_of(account, sealer).items()}
            parameters = by_kind.get(channel.kind)
            if parameters is None:
                return None
        else:
            oauth_token = sealer.open(account.sealed_credentials)["token"]
        return ChannelLease(
            channel_id=channel.id,
            token=token,
            workspace_id=channel.workspace_id,
            account_id=account.id,
            kind=channel.kind,
            handle=account.handle,
            owner_id=account.user_id,
            provider=account.provider,
            parameters=parameters,
            oauth_token=oauth_token,
            settings=channel_settings(channel),
            cursor=dict(channel.sync_cursor or {}),
        )


def renew_lease(
    session: Session, lease: ChannelLease, settings: AccountSettings, cursor: dict[str, Any]
) -> None:
    """In the transaction of a batch: store the cursor after it and extend the lease, or
    raise LeaseLost (the batch then rolls back) if another sync took the channel."""
    # Inputs: the channel, this sync's token. Answer: one row changed if it still holds it.
    renewed = session.execute(
        CHANNELS.update()
        .where(CHANNELS.c.id == lease.channel_id, CHANNELS.c.lease_token == lease.token)
        .values(sync_cursor=cursor, lease_until=utcnow() + _seconds(settings.sync_lease))
    )
    if renewed.rowcount != 1:
        raise LeaseLost(f"channel {lease.channel_id} was taken over by another sync")


def finish_sync(
    engine: Engine,
    lease: ChannelLease,
    settings: AccountSettings,
    failure: ServiceUnreachable | None = None,
) -> None:
    """Give the lease back with the outcome: a success schedules the next sync after the
    interval; a failure records why and retries later and later, until the channel has
    failed ``max_sync_failures`` times in a row with its login refused (it then waits for new
    credentials)."""
    now = utcnow()
    with transaction(engine) as session:
        channel = session.get(AccountChannel, lease.channel_id, with_for_update=True)
        if channel is None or channel.lease_token != lease.token:
            return
        channel.lease_token = channel.lease_until = None
        channel.last_attempt_at = now
        if failure is None:
            channel.status, channel.status_reason, channel.failures = ACTIVE, None, 0
            channel.last_synced_at = now
            asked = channel.next_sync_at is not None and channel.next_sync_at <= now
            if not asked:  # else a sync was asked for while this one ran: it stays due
                channel.next_sync_at = now + _jittered(_seconds(settings.sync_interval))
        else:
            channel.failures += 1
            channel.status, channel.status_reason = FAILED, str(failure)
            if failure.login_refused and channel.failures >= settings.max_sync_failures:
                channel.status = NEEDS_REAUTHENTICATION
                channel.next_sync_at = None
            else:
                backoff = min(FIRST_RETRY * 2 ** (channel.failures - 1), LONGEST_RETRY)
                channel.next_sync_at = now + _jittered(backoff)
        session.add(channel)


ClientT = TypeVar("ClientT")


class ChannelSync(Generic[ClientT]):
    """One run of a channel's sync, as its provider's source drives it: the lease, the
    provider's client, where its records go (``store``), and its position (``cursor``, saved
    with each batch).

    Arguments:
        engine: the database.
        config: the settings (``config.accounts``).
        lease: the channel, held.
        client: the provider's client, logged in (an IMAP session, a CalDAV principal, an
            API client).
        sink: where record changes go (the webhook outbox).
        report: what the sync did, filled in as it goes.
    """

    actor_source: ClassVar[str]  # createdBy.source of what it writes: EMAIL, CALENDAR

    def __init__(
        self,
        engine: Engine,
        config: Config,
        lease: ChannelLease,
        client: ClientT,
        sink: ChangeSink | None,
        report: SyncReporting,
    ) -> None:
        self.engine = engine
        self.settings = config.accounts
        self.lease = lease
        self.client = client
        self.sink = sink
        self.report = report
        self.cursor: dict[str, Any] = copy.deepcopy(lease.cursor)
        self.actor = Actor(self.actor_source, lease.handle)
        self._catalog: Catalog | None = None

    def checkpoint(self, session: Session) -> None:
        """In a batch's transaction: save the cursor with it and renew the lease (LeaseLost,
        rolling the batch back, if another sync took the channel)."""
        renew_lease(session, self.lease, self.settings, self.cursor)

    def store(self, session: Session) -> RecordStore:
        """The workspace's records store in ``session`` (its metadata read once per sync)."""
        if self._catalog is None:
            self._catalog = load_catalog(session, self.lease.workspace_id)
        return RecordStore(session, self._catalog, self.sink, self.actor)


def run_channel_sync(
    engine: Engine,
    config: Config,
    channel_id: str,
    sink: ChangeSink | None,
    report: Report,
    sources: Mapping[str, ChannelSource[Report]],
) -> Report | None:
    """One sync of the channel by its provider's source, its outcome recorded; None when
    another sync holds the channel (or it is gone, or waits for new credentials)."""
    settings = config.accounts
    lease = take_channel(engine, channel_id, settings, CredentialSealer.of(config))
    if lease is None:
        return None
    try:
        source = sources.get(lease.provider)
        if source is None:
            raise ServiceUnreachable(
                lease.provider.upper(), f"{lease.kind} sync is not available for {lease.provider}"
            )
        source(engine, config, lease, sink, report)
    except LeaseLost:
        log.warning("%s: channel %s was taken over; this sync stops", lease.kind, channel_id)
        return None
    except ServiceUnreachable as failure:
        report.failure = str(failure)
        finish_sync(engine, lease, settings, failure)
        return report
    finish_sync(engine, lease, settings)
    return report


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _jittered(delay: timedelta) -> timedelta:
    # Spread out: channels connected together do not all sync in the same second forever.
    return delay * random.uniform(1 - JITTER, 1 + JITTER)
