"""Sending mail from a connected account: over its SMTP server, then imported at once.

The sent message becomes a message record straight away, held by the account's sending
channel (folder ``SENT``), so it belongs to that account and goes when the account is
disconnected. Where the account has IMAP too, a copy goes into the mailbox's Sent folder for
mail clients to show; the next sync finds that copy's Message-ID and links it to the same
record. No database transaction is open while a mail server is talked to.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any, ClassVar

import sqlalchemy as sa
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.config import AccountSettings
from hookwire.connected_accounts import (
    CredentialSealer,
    ServiceParameters,
    ServiceUnreachable,
    channel_settings,
    channels_of,
    get_account,
    imap_connection,
    server_text,
    services_of,
    smtp_connection,
)
from hookwire.crm import (
    Actor,
    ChangeSink,
    Comparator,
    Condition,
    Count,
    ListQuery,
    RecordStore,
    load_catalog,
)
from hookwire.database import transaction
from hookwire.errors import ApiError, BadRequest, Conflict
from hookwire.messaging.drafts import OutgoingDraft, ReplyContext, compose
from hookwire.messaging.importer import MailPlace, MessageImporter
from hookwire.messaging.parsing import key_digest, parse_message
from hookwire.models import AccountChannel, MailboxMessage, MessageKey

log = logging.getLogger(__name__)
PLACES = MailboxMessage.__table__
KEYS = MessageKey.__table__
CHANNELS = AccountChannel.__table__
SENT_FOLDER = "SENT"  # where the sending channel holds what it sent
THREAD_LIMIT = 200  # a thread's messages read for a reply's References


class SendRefused(ApiError):
    """The account's mail server did not take the message (502: the fault is upstream)."""

    status: ClassVar[int] = 502
    error: ClassVar[str] = "BadGatewayException"


@dataclass(frozen=True)
class SentMessage:
    """A sent message's record, its Message-ID and its thread."""

    message_id: str
    header_message_id: str
    thread_id: str

    def output(self) -> dict[str, str]:
        return {
            "messageId": self.message_id,
            "headerMessageId": self.header_message_id,
            "messageThreadId": self.thread_id,
        }


@dataclass(frozen=True)
class _SendingChannel:
    """The account's sending channel as the importer sees it (an ``ImportingChannel``)."""

    channel_id: str
    workspace_id: str
    handle: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class _Plan:
    """What sending needs from the database, read before any server is reached."""

    channel: _SendingChannel
    smtp: ServiceParameters
    imap: ServiceParameters | None
    reply: ReplyContext | None


def send_message(
    engine: Engine,
    settings: AccountSettings,
    sealer: CredentialSealer,
    sink: ChangeSink | None,
    workspace_id: str,
    account_id: str,
    draft: OutgoingDraft,
) -> SentMessage:
    """Send ``draft`` from the account and import it; its record, Message-ID and thread.

    Everything a client can get wrong is checked before anything is sent: the account, its
    SMTP service, the message answered and the message's size (BadRequest, Conflict,
    NotFound). A server that refuses the message is a ``SendRefused`` naming
    ``connectionParameters.SMTP``; nothing is recorded then.
    """
    with transaction(engine, write=False) as session:
        plan = _plan(session, workspace_id, account_id, draft, sealer)
    message = compose(draft, plan.channel.handle, plan.reply)
    _deliver(plan.smtp, settings, message, plan.channel.handle, draft.recipients)
    raw = message.as_bytes(policy=policy.SMTP)
    with transaction(engine) as session:
        sent = _record(session, plan.channel, raw, sink)
    if plan.imap is not None:
        _file_in_sent(plan.imap, settings, raw)
    return sent


def _plan(
    session: Session,
    workspace_id: str,
    account_id: str,
    draft: OutgoingDraft,
    sealer: CredentialSealer,
) -> _Plan:
    account = get_account(session, workspace_id, account_id)
    services = services_of(account, sealer)
    channels = {channel.kind: channel for channel in channels_of(session, account.id)}
    sending = channels.get("sending")
    if "SMTP" not in services or sending is None:
        raise Conflict(
            f"connectionParameters.SMTP: the account {account.handle} has no SMTP server to "
            "send with; add one to its connectionParameters"
        )
    # How sent mail makes people: the mailbox's contact policy. The blocklist filters what
    # comes in from the mailbox, not what the user sends here.
    messaging = channels.get("messaging")
    policy_of = channel_settings(messaging or sending)["contactAutoCreationPolicy"]
    channel = _SendingChannel(
        sending.id,
        workspace_id,
        account.handle,
        {"contactAutoCreationPolicy": policy_of, "blocklist": []},
    )
    reply = None
    if draft.in_reply_to is not None:
        reply = _reply_context(session, workspace_id, draft.in_reply_to)
    return _Plan(channel, services["SMTP"], services.get("IMAP"), reply)


def _reply_context(session: Session, workspace_id: str, record_id: str) -> ReplyContext:
    catalog = load_catalog(session, workspace_id)
    spec = catalog.object_by_singular("message")
    store = RecordStore(session, catalog, None)
    answered = store.find(spec, record_id) if spec is not None else None
    if spec is None or answered is None:
        raise BadRequest(f"inReplyToMessageId: no message with id {record_id} in this workspace")
    thread = store.list(
        spec,
        ListQuery(
            filter=Condition("messageThreadId", Comparator.EQ, answered["messageThreadId"]),
            limit=THREAD_LIMIT,
            count=Count.NONE,
        ),
    ).records
    earlier = sorted(
        (m for m in thread if (m.get("receivedAt") or "") <= (answered.get("receivedAt") or "")),
        key=lambda m: m.get("receivedAt") or "",
    )
    return ReplyContext(
        answered["headerMessageId"],
        tuple(m["headerMessageId"] for m in earlier if m.get("headerMessageId")),
        answered.get("subject") or "",
    )


def _deliver(
    parameters: ServiceParameters,
    settings: AccountSettings,
    message: EmailMessage,
    sender: str,
    recipients: list[str],
) -> None:
    """Hand the message to the account's SMTP server (which drops its Bcc header)."""
    where = f"{parameters.host}:{parameters.port}"
    try:
        with smtp_connection(parameters, settings) as client:
            refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
    except ServiceUnreachable as failure:
        raise SendRefused(f"{failure}; nothing was sent") from None
    except smtplib.SMTPRecipientsRefused as error:
        names = ", ".join(f"{a} ({_answer(r)})" for a, r in error.recipients.items())
        raise SendRefused(
            f"connectionParameters.SMTP: {where} refused every recipient: {names}; nothing was sent"
        ) from None
    except smtplib.SMTPResponseException as error:
        raise SendRefused(
            f"connectionParameters.SMTP: {where} refused the message ({_answer(error)}); "
            "nothing was sent"
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise SendRefused(
            f"connectionParameters.SMTP: {where} failed while sending ({error}); the message "
            "may not have been sent"
        ) from None
    if refused:  # some recipients taken: it was sent, to the others
        log.warning("sending: %s refused %s", where, ", ".join(sorted(refused)))


def _answer(error: smtplib.SMTPResponseException | tuple[int, bytes]) -> str:
    code, text = (
        (error.smtp_code, error.smtp_error) if isinstance(error, smtplib.SMTPException) else error
    )
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _record(
    session: Session, channel: _SendingChannel, raw: bytes, sink: ChangeSink | None
) -> SentMessage:
    """Import the sent message as the sending channel's next UID in ``SENT``."""
    # Inputs: the sending channel. Answer: its id, the row locked so that two sends from
    # the account take UIDs one after the other (None: disconnected meanwhile).
    locked = session.execute(
        sa.select(CHANNELS.c.id).where(CHANNELS.c.id == channel.channel_id).with_for_update()
    ).first()
    if locked is None:
        raise Conflict(
            "the account was disconnected while the message was sent; it was sent, not recorded"
        )
    # Inputs: the sending channel. Answer: the highest UID it holds in SENT (0 if none).
    last = session.execute(
        sa.select(sa.func.coalesce(sa.func.max(PLACES.c.uid), 0)).where(
            PLACES.c.channel_id == channel.channel_id, PLACES.c.folder == SENT_FOLDER
        )
    ).scalar_one()
    parsed = parse_message(raw)
    catalog = load_catalog(session, channel.workspace_id)
    store = RecordStore(session, catalog, sink, Actor("EMAIL", channel.handle))
    MessageImporter(session, store, channel).import_messages(
        [(MailPlace(SENT_FOLDER, last + 1), parsed)]
    )
    # Inputs: the workspace and the message's Message-ID. Answer: its record and thread.
    key = session.execute(
        sa.select(KEYS.c.message_id, KEYS.c.thread_id).where(
            KEYS.c.workspace_id == channel.workspace_id,
            KEYS.c.digest == key_digest(parsed.header_message_id),
        )
    ).one()
    return SentMessage(key.message_id, parsed.header_message_id, key.thread_id)


def _file_in_sent(parameters: ServiceParameters, settings: AccountSettings, raw: bytes) -> None:
    """Put a copy in the mailbox's Sent folder. The message is sent and recorded already: a
    failure here is logged, not answered."""
    try:
        with imap_connection(parameters, settings) as client:
            client.append(_sent_folder(client), raw, flags=(b"\\Seen",), msg_time=datetime.now(UTC))
    except ServiceUnreachable as failure:
        log.warning("sending: no copy in the Sent folder: %s", failure)
    except (OSError, IMAPClientError) as error:
        log.warning(
            "sending: no copy in the Sent folder: connectionParameters.IMAP: %s:%s failed: %s",
            parameters.host,
            parameters.port,
            server_text(error),
        )


def _sent_folder(client: IMAPClient) -> str:
    """The folder flagged ``\\Sent`` (RFC 6154), else the one named Sent (created if need
    be)."""
    folders = client.list_folders()
    for flags, _delimiter, name in folders:
        if b"\\Sent" in flags:
            return name
    for _flags, _delimiter, name in folders:
        if name.lower() == "sent":
            return name
    client.create_folder("Sent")
    return "Sent"
