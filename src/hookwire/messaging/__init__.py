"""Mailbox sync: the messages of connected IMAP mailboxes imported into message, thread and
participant records, and deleted again when no mailbox holds them.

``mailbox`` reads folders over IMAP, ``parsing`` reads a message, ``importer`` writes one
batch, ``cleanup`` destroys what no mailbox holds, and ``sync`` runs a channel's sync.
``drafts`` checks and composes an outgoing message, ``sending`` sends and imports it, and
``api`` is its REST route and GraphQL mutation.
"""

from hookwire.messaging.api import messaging_mutations, sending_api
from hookwire.messaging.cleanup import Removed, remove_orphan_messages
from hookwire.messaging.drafts import OutgoingDraft, check_draft
from hookwire.messaging.sending import SendRefused, SentMessage, send_message
from hookwire.messaging.sync import SyncReport, sync_mailbox

__all__ = [
    "OutgoingDraft",
    "Removed",
    "SendRefused",
    "SentMessage",
    "SyncReport",
    "check_draft",
    "messaging_mutations",
    "remove_orphan_messages",
    "send_message",
    "sending_api",
    "sync_mailbox",
]
