"""What the connected-account sync tests share: the accounts API's path, waiting for a
channel's sync to end (its ``lastAttemptAt`` moving on), asking for one now, and reading the
seed messages' conversations and addresses."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from conftest import Client

ACCOUNTS = "/rest/metadata/connectedAccounts"
SYNC_TIMEOUT = 120.0
SYNC_ENV = {
    "HOOKWIRE_SYNC_LEASE_SECONDS": "3",  # a killed sync's channel is free again soon
    "HOOKWIRE_SYNC_MAX_FAILURES": "3",
    "HOOKWIRE_SYNC_BATCH": "50",
}


def channel_of(client: Client, account_id: str, kind: str = "messaging") -> dict[str, Any]:
    """The account's channel of ``kind``, as the API shows it."""
    answer = client.get(f"{ACCOUNTS}/{account_id}")
    assert answer.status_code == 200, answer.text
    channels = answer.json()["data"]["connectedAccount"]["channels"]
    return next(c for c in channels if c["type"] == kind)


def wait_for_sync(
    client: Client, account_id: str, after: str | None = None, kind: str = "messaging"
) -> dict[str, Any]:
    """The channel of ``kind`` once a sync that ended after ``after`` (its
    ``lastAttemptAt`` then) has, whether it worked or failed."""
    deadline = time.monotonic() + SYNC_TIMEOUT
    while time.monotonic() < deadline:
        channel = channel_of(client, account_id, kind)
        if channel["lastAttemptAt"] and channel["lastAttemptAt"] != after:
            return channel
        time.sleep(0.2)
    raise AssertionError(f"no sync ended within {SYNC_TIMEOUT}s: {channel}")


def sync_again(client: Client, account_id: str, kind: str = "messaging") -> dict[str, Any]:
    """Ask for a sync now; the channel of ``kind`` once it has ended."""
    before = channel_of(client, account_id, kind)["lastAttemptAt"]
    answer = client.post(f"{ACCOUNTS}/{account_id}/sync")
    assert answer.status_code == 202, answer.text
    return wait_for_sync(client, account_id, before, kind)


def thread_of(message: EmailMessage) -> str:
    """The seed's conversation of a message: its subject ends with "(seed-thread)"."""
    found = re.search(r"\((\d+-\d+)\)$", str(message["Subject"]))
    assert found is not None
    return found.group(1)


def addresses(message: EmailMessage, header: str) -> list[str]:
    return [a.lower() for _, a in getaddresses([str(v) for v in message.get_all(header, [])])]
