"""An outgoing message as a client asks for it: checked field by field, then composed as an
RFC 5322 message from the account's address."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr

from hookwire.errors import BadRequest

DRAFT_FIELDS = frozenset({"to", "cc", "bcc", "subject", "text", "html", "inReplyToMessageId"})
RECIPIENT_FIELDS = ("to", "cc", "bcc")
MAX_RECIPIENTS = 50
MAX_SUBJECT = 998  # RFC 5322's longest line
MAX_BYTES = 1024 * 1024  # the whole message as sent
MAX_REFERENCES = 20  # Message-IDs a reply's References names: the thread's first and latest
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_REPLY_PREFIX = re.compile(r"^\s*re\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class OutgoingDraft:
    """A checked request to send: recipients as given (``ada@example.com`` or
    ``Ada <ada@example.com>``), and the record id of the message it answers, if any."""

    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    in_reply_to: str | None

    @property
    def recipients(self) -> list[str]:
        """Every envelope recipient: the bare addresses of To, Cc and Bcc."""
        return [parseaddr(value)[1] for value in (*self.to, *self.cc, *self.bcc)]


@dataclass(frozen=True)
class ReplyContext:
    """What a reply takes from the message it answers: its Message-ID, the thread's
    Message-IDs before it (oldest first), and its subject."""

    header_message_id: str
    references: tuple[str, ...]
    subject: str


def check_draft(body: Mapping[str, object]) -> OutgoingDraft:
    """The draft ``body`` describes; a BadRequest naming the first wrong field otherwise."""
    unknown = sorted(set(body) - DRAFT_FIELDS)
    if unknown:
        raise BadRequest(f"{unknown[0]}: unknown field; expected {', '.join(sorted(DRAFT_FIELDS))}")
    if "to" not in body:
        raise BadRequest("to: required, a list of e-mail addresses")
    to, cc, bcc = (_addresses(body.get(name), name) for name in RECIPIENT_FIELDS)
    count = len(to) + len(cc) + len(bcc)
    if not 1 <= count <= MAX_RECIPIENTS:
        raise BadRequest(
            f"to: expected 1 to {MAX_RECIPIENTS} recipients in to, cc and bcc together, got {count}"
        )
    subject = body.get("subject", "")
    if not isinstance(subject, str) or any(c in subject for c in "\r\n\0"):
        raise BadRequest("subject: expected one line of text")
    if len(subject) > MAX_SUBJECT:
        raise BadRequest(f"subject: at most {MAX_SUBJECT} characters, got {len(subject)}")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("text: required, the message's plain-text body")
    html = body.get("html")
    if html is not None and not isinstance(html, str):
        raise BadRequest("html: expected the message's HTML body as a string")
    in_reply_to = body.get("inReplyToMessageId")
    if in_reply_to is not None:
        in_reply_to = _record_id(in_reply_to, "inReplyToMessageId")
    return OutgoingDraft(to, cc, bcc, subject.strip(), text, html or None, in_reply_to)


def compose(draft: OutgoingDraft, sender: str, reply: ReplyContext | None = None) -> EmailMessage:
    """The message ``sender`` sends: a new Message-ID in the sender's domain, the Date now,
    Bcc kept (the sender's copy shows it; SMTP sending leaves it out), threading headers for
    a reply."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    for name in RECIPIENT_FIELDS:
        values = getattr(draft, name)
        if values:
            message[name.capitalize()] = ", ".join(values)
    subject = draft.subject
    if reply is not None:
        subject = subject or reply.subject
        if not _REPLY_PREFIX.match(subject):
            subject = f"Re: {subject}"[:MAX_SUBJECT]
        message["In-Reply-To"] = reply.header_message_id
        message["References"] = " ".join(_references(reply))
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{uuid.uuid4()}@{sender.rpartition('@')[2]}>"
    message.set_content(draft.text)
    if draft.html is not None:
        message.add_alternative(draft.html, subtype="html")
    raw_size = len(message.as_bytes())
    if raw_size > MAX_BYTES:
        raise BadRequest(
            f"text: the message would be {raw_size} bytes with its html; at most {MAX_BYTES} (1 MB)"
        )
    return message


def _references(reply: ReplyContext) -> list[str]:
    """The thread's Message-IDs, the answered one last; a long thread keeps its first and
    its latest (RFC 5322 lets a References header drop the middle)."""
    ids = [i for i in reply.references if i != reply.header_message_id]
    if len(ids) >= MAX_REFERENCES:
        ids = [ids[0], *ids[len(ids) - MAX_REFERENCES + 2 :]]
    return [*ids, reply.header_message_id]


def _addresses(raw: object, name: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise BadRequest(f"{name}: expected a list of e-mail addresses")
    if len(raw) > MAX_RECIPIENTS:
        raise BadRequest(f"{name}: at most {MAX_RECIPIENTS} recipients, got {len(raw)}")
    return tuple(_address(value, f"{name}[{index}]") for index, value in enumerate(raw))


def _address(value: object, where: str) -> str:
    """``ada@example.com`` or ``Ada Lovelace <ada@example.com>``, trimmed."""
    expected = "expected an e-mail address (ada@example.com or Ada <ada@example.com>)"
    if not isinstance(value, str) or any(c in value for c in "\r\n\0") or len(value) > 320:
        raise BadRequest(f"{where}: {expected}, got {value!r}")
    found = getaddresses([value.strip()])
    if len(found) != 1 or not _ADDRESS.fullmatch(found[0][1]) or len(found[0][1]) > 254:
        raise BadRequest(f"{where}: {expected}, got {value!r}")
    return value.strip()


def _record_id(value: object, where: str) -> str:
    try:
        if isinstance(value, str):
            return str(uuid.UUID(value))
    except ValueError:
        pass
    raise BadRequest(f"{where}: expected the id (a UUID) of a message record, got {value!r}")
