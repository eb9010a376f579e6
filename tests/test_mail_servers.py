"""The connected-account test harness itself (tests/mail_servers.py): a private Dovecot answers
IMAP (and IMAPS) with the extensions the sync relies on and takes seeded conversations, and a
private Radicale serves CalDAV calendars, each refusing wrong passwords."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator

import caldav
import pytest
from imapclient.exceptions import LoginError

from mail_servers import (
    CaldavServer,
    ImapServer,
    append_messages,
    build_events,
    build_thread_messages,
    calendar_events,
    create_calendar,
    dav_client,
    delete_messages,
    imap_session,
    message_ids,
    move_messages,
    put_events,
)

PASSWORD = "correct horse battery"
OTHERS = [
    "bob.jones@acme.example",
    "carol@globex.example",
    "dan.smith@initech.example",
    "erin@hooli.example",
]
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def imap() -> Iterator[ImapServer]:
    with ImapServer(tls=True) as server:
        yield server


@pytest.fixture(scope="module")
def dav() -> Iterator[CaldavServer]:
    with CaldavServer() as server:
        yield server


# --- IMAP ------------------------------------------------------------------------------------


def _log_in(imap: ImapServer, address: str, password: str) -> None:
    with imap_session(imap, address, password):
        pass


def test_a_user_added_while_running_logs_in_and_a_wrong_password_is_refused(
    imap: ImapServer,
) -> None:
    address = imap.add_user("login", PASSWORD)
    assert address == "login@example.test"
    with imap_session(imap, address, PASSWORD) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    with pytest.raises(LoginError):
        _log_in(imap, address, "wrong password")
    with pytest.raises(LoginError):
        _log_in(imap, "nobody-here@example.test", PASSWORD)


def test_a_changed_password_takes_over_from_the_old_one(imap: ImapServer) -> None:
    address = imap.add_user("rotated", PASSWORD)
    _log_in(imap, address, PASSWORD)
    imap.add_user("rotated", "a new password")
    _log_in(imap, address, "a new password")
    with pytest.raises(LoginError):
        _log_in(imap, address, PASSWORD)


def test_the_server_offers_what_the_sync_relies_on(imap: ImapServer) -> None:
    address = imap.add_user("capabilities", PASSWORD)
    with imap_session(imap, address, PASSWORD) as client:
        capabilities = set(client.capabilities())
    assert {b"CONDSTORE", b"QRESYNC", b"IDLE", b"UIDPLUS", b"MOVE"} <= capabilities


def test_implicit_tls_verifies_against_the_self_signed_certificate(imap: ImapServer) -> None:
    address = imap.add_user("tls", PASSWORD)
    with imap_session(imap, address, PASSWORD, tls=True) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_built_threads_chain_their_references_and_are_deterministic() -> None:
    owner = "owner@example.test"
    messages = build_thread_messages(40, 6, owner=owner, others=OTHERS, seed=7, now=NOW)
    again = build_thread_messages(40, 6, owner=owner, others=OTHERS, seed=7, now=NOW)
    assert [bytes(m) for m in messages] == [bytes(m) for m in again]
    assert len({m["Message-ID"] for m in messages}) == 40
    by_id = {m["Message-ID"]: m for m in messages}
    roots = [m for m in messages if m["In-Reply-To"] is None]
    assert len(roots) == 6
    for message in messages:
        date = dt.datetime.fromisoformat(message["Date"].datetime.isoformat())
        assert NOW - dt.timedelta(days=30) <= date <= NOW
        parent_id = message["In-Reply-To"]
        if parent_id is None:
            assert not message["Subject"].startswith("Re: ")
            continue
        parent = by_id[parent_id]
        assert parent["Date"].datetime <= message["Date"].datetime
        assert message["Subject"] == "Re: " + parent["Subject"].removeprefix("Re: ")
        assert message["References"].split() == [
            *str(parent["References"] or "").split(),
            parent_id,
        ]
    kinds = Counter(m.get_content_type() for m in messages)
    assert kinds["text/plain"] and kinds["multipart/alternative"]


def test_seeding_500_messages_in_60_threads_lands_them_in_the_inbox(imap: ImapServer) -> None:
    address = imap.add_user("seeded", PASSWORD)
    messages = build_thread_messages(500, 60, owner=address, others=OTHERS, seed=1, now=NOW)
    started = time.monotonic()
    uids = append_messages(imap, address, PASSWORD, messages)
    print(f"appended {len(uids)} messages in {time.monotonic() - started:.2f} s")
    assert len(uids) == 500
    with imap_session(imap, address, PASSWORD) as client:
        client.select_folder("INBOX", readonly=True)
        assert len(client.thread()) == 60
        first = messages[0]
        fetched = client.fetch([uids[0]], ["INTERNALDATE", "ENVELOPE"])[uids[0]]
    assert fetched[b"ENVELOPE"].message_id.decode() == first["Message-ID"]
    internal = fetched[b"INTERNALDATE"]
    assert internal.astimezone(dt.UTC) == first["Date"].datetime.astimezone(dt.UTC)
    assert message_ids(imap, address, PASSWORD) == [m["Message-ID"] for m in messages]


def test_messages_move_between_folders_and_are_expunged_by_message_id(
    imap: ImapServer,
) -> None:
    address = imap.add_user("mover", PASSWORD)
    messages = build_thread_messages(12, 3, owner=address, others=OTHERS, seed=2, now=NOW)
    append_messages(imap, address, PASSWORD, messages)
    ids = [m["Message-ID"] for m in messages]

    assert move_messages(imap, address, PASSWORD, ids[:4], "INBOX", "Archive") == 4
    assert delete_messages(imap, address, PASSWORD, ids[4:6]) == 2
    assert delete_messages(imap, address, PASSWORD, ["<not-there@example.test>"]) == 0

    assert message_ids(imap, address, PASSWORD, "Archive") == ids[:4]
    assert message_ids(imap, address, PASSWORD) == ids[6:]


def test_a_killed_server_restarts_on_the_same_port_with_its_mail(imap: ImapServer) -> None:
    address = imap.add_user("survivor", PASSWORD)
    messages = build_thread_messages(3, 1, owner=address, others=OTHERS, seed=3, now=NOW)
    append_messages(imap, address, PASSWORD, messages)
    port = imap.port
    imap.kill()
    with pytest.raises(OSError):
        _log_in(imap, address, PASSWORD)
    imap.start()
    assert imap.port == port
    assert message_ids(imap, address, PASSWORD) == [m["Message-ID"] for m in messages]


# --- CalDAV ----------------------------------------------------------------------------------


def _principal(dav: CaldavServer, user: str, password: str) -> None:
    with dav_client(dav.url, user, password) as client:
        client.principal()


def test_built_events_have_the_fields_the_sync_reads() -> None:
    events = build_events(30, 4, seed=5, now=NOW)
    assert events == build_events(30, 4, seed=5, now=NOW)
    assert sum("RRULE:FREQ=WEEKLY;COUNT=4" in e for e in events) == 4
    assert any("DTSTART;VALUE=DATE:" in e for e in events)
    for event in events:
        unfolded = event.replace("\r\n ", "")
        for field in ("UID:", "DTSTART", "DTEND", "SUMMARY:", "LOCATION:", "ORGANIZER;CN="):
            assert field in unfolded
        assert "URL:https://" in unfolded or "X-GOOGLE-CONFERENCE:https://" in unfolded
        assert "ATTENDEE;CN=" in unfolded and "PARTSTAT=" in unfolded


def test_a_calendar_with_50_events_lists_them_back(dav: CaldavServer) -> None:
    dav.add_user("planner", PASSWORD)
    url = create_calendar(dav, "planner", PASSWORD, "Work")
    events = build_events(50, 5, seed=1, now=NOW)
    started = time.monotonic()
    put_events(url, "planner", PASSWORD, events)
    print(f"put 50 events in {time.monotonic() - started:.2f} s")

    listed = calendar_events(url, "planner", PASSWORD)
    assert len(listed) == 50
    assert sum("RRULE:FREQ=WEEKLY;COUNT=4" in text for text in listed) == 5
    with dav.client("planner", PASSWORD) as client:
        calendars = client.principal().calendars()
    assert [c.get_display_name() for c in calendars] == ["Work"]


def test_caldav_refuses_a_wrong_password_and_other_users_calendars(dav: CaldavServer) -> None:
    dav.add_user("owner", PASSWORD)
    dav.add_user("snoop", PASSWORD)
    url = create_calendar(dav, "owner", PASSWORD, "Private")
    with pytest.raises(caldav.lib.error.AuthorizationError):
        _principal(dav, "owner", "wrong password")
    with pytest.raises(caldav.lib.error.DAVError):
        calendar_events(url, "snoop", PASSWORD)
