"""What an imported message says: an RFC 5322 message read into the fields its records keep.

The ``compat32`` parser and explicit header decoding: the modern email policy parses every
header into objects, several times slower, and an import reads thousands of messages.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

MAX_TEXT = 100_000  # characters of body text a message record keeps
MAX_SUBJECT = 1_000
_PARSER = BytesParser(policy=policy.compat32)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|tr|h[1-6]|li)>|<br\s*/?>", re.IGNORECASE)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
ROLES = (("from", "FROM"), ("to", "TO"), ("cc", "CC"), ("bcc", "BCC"))


@dataclass(frozen=True)
class Participant:
    role: str  # FROM, TO, CC, BCC
    handle: str  # the address, lower case
    display_name: str


@dataclass(frozen=True)
class ParsedMessage:
    """A message as its records keep it, and what threads it."""

    header_message_id: str
    subject: str
    text: str
    received_at: datetime
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    participants: tuple[Participant, ...]

    @property
    def sender(self) -> str | None:
        return next((p.handle for p in self.participants if p.role == "FROM"), None)

    @property
    def related_ids(self) -> tuple[str, ...]:
        """The Message-IDs it answers or refers to: its thread's other messages."""
        return tuple(dict.fromkeys((*self.references, *self.in_reply_to)))


def parse_message(raw: bytes, internal_date: datetime | None = None) -> ParsedMessage:
    """Read ``raw``; ``internal_date`` (the server's arrival time) stands in for a missing or
    broken Date header."""
    message = _PARSER.parsebytes(raw)
    own_ids = _MESSAGE_ID.findall(message.get("Message-ID", "") or "")
    header_message_id = own_ids[0] if own_ids else _made_up_id(raw)
    participants: list[Participant] = []
    for header, role in ROLES:
        values = [_decoded(value) for value in message.get_all(header, [])]
        for name, address in getaddresses(values):
            if "@" in address:
                participants.append(Participant(role, address.strip().lower(), name.strip()))
    return ParsedMessage(
        header_message_id=header_message_id,
        subject=_decoded(message.get("Subject", ""))[:MAX_SUBJECT],
        text=_body_text(message)[:MAX_TEXT],
        received_at=_date(message.get("Date"), internal_date),
        in_reply_to=tuple(_MESSAGE_ID.findall(message.get("In-Reply-To", "") or "")),
        references=tuple(_MESSAGE_ID.findall(message.get("References", "") or "")),
        participants=tuple(participants),
    )


def key_digest(message_id: str) -> str:
    """The stored key of a Message-ID (fixed length, whatever the ID's)."""
    return hashlib.sha256(message_id.strip().encode()).hexdigest()


def thread_subject(subject: str) -> str:
    """A subject without its reply and forward prefixes: the thread's."""
    return re.sub(r"^\s*((re|fw|fwd|aw|wg)\s*(\[\d+\])?\s*:\s*)+", "", subject, flags=re.I)


def _made_up_id(raw: bytes) -> str:
    # A message without a Message-ID still needs one identity across folders and re-runs:
    # its header block's digest gives the same answer every time it is read.
    head = raw.split(b"\r\n\r\n", 1)[0]
    return f"<{hashlib.sha256(head).hexdigest()[:32]}@hookwire.invalid>"


def _decoded(value: object) -> str:
    text = str(value or "")
    if "=?" not in text:
        return " ".join(text.split())
    try:
        return " ".join(str(make_header(decode_header(text))).split())
    except (ValueError, LookupError, UnicodeError):  # a malformed encoded word: as it came
        return " ".join(text.split())


def _date(header: str | None, internal_date: datetime | None) -> datetime:
    try:
        parsed = parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError, IndexError):
        parsed = None
    found = parsed or internal_date or datetime.now(UTC)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _body_text(message: Message) -> str:
    plain = html_text = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _payload_text(part)
        elif kind == "text/html" and html_text is None:
            html_text = _payload_text(part)
    if plain is not None:
        return plain.strip()
    return _html_to_text(html_text).strip() if html_text else ""


def _payload_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def _html_to_text(markup: str) -> str:
    text = _BLOCK_END.sub("\n", _SCRIPT.sub("", markup))
    return html.unescape(_TAG.sub("", text))
