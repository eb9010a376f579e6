"""Google accounts through a running server on SQLite and PostgreSQL, against a fake of
Google's OAuth and APIs on loopback (tests/fake_google.py, reached through
HOOKWIRE_GOOGLE_BASE_URL): connected through the web flow as a signed-in user would, then
synced by the server's scheduler into the same records as IMAP and CalDAV accounts.

Covered: the first import of a mailbox (exactly its recent messages outside spam and trash,
threaded, with their participants) and of the primary calendar (timed, whole-day and
recurring events, attendees and their answers, video links); an incremental sync after
messages come, are deleted and are trashed and events change and are cancelled; a history id
and a sync token Google forgot (a full import, nothing twice); an expired access token
refreshed and the new one kept sealed; a revoked refresh token failing the channel, naming
Google, until it waits for a new connection; the provider switched off (no route, no request
to Google); and that no token or client secret shows in an answer or a log.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlmodel import select

from account_syncs import SYNC_ENV, addresses, channel_of, thread_of, wait_for_sync
from browser.web import Browser, new_admin
from conftest import APP_SECRET, Client, Database, Server, free_port, open_database
from fake_google import CLIENT_ID, CLIENT_SECRET, FakeGoogle
from hookwire.connected_accounts import CredentialSealer
from hookwire.database import transaction
from hookwire.identity import issue_api_key
from hookwire.models import AccountChannel, ConnectedAccount, User, utcnow
from mail_servers import build_thread_messages

ACCOUNTS = "/rest/metadata/connectedAccounts"
KINDS = ("messaging", "calendar")
OTHERS = ["ada@acme.example", "grace@acme.example", "hedy@globex.example"]
GOOGLE_ENV = {
    "MESSAGING_PROVIDER_GMAIL_ENABLED": "true",
    "CALENDAR_PROVIDER_GOOGLE_ENABLED": "true",
    "AUTH_GOOGLE_CLIENT_ID": CLIENT_ID,
    "AUTH_GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
}
ANSWERS: list[str] = []  # every answer a server gave here
LOGS: list[Path] = []
TOKENS: set[str] = set()  # every token a fake handed out


class GoogleSetup:
    """A fake Google holding one account's mailbox and calendar, a server of its own
    pointed at it, and a signed-in user of a new workspace (with an API key).

    Arguments:
        database: the server's database.
        directory: where the server's log goes.
        flags: the provider's environment (GOOGLE_ENV: switched on).
    """

    def __init__(self, database: Database, directory: Path, flags: dict[str, str]) -> None:
        self.address = f"user-{secrets.token_hex(4)}@gmail.example"
        self.fake = FakeGoogle(self.address)
        port = free_port()
        log = directory / "server.log"
        LOGS.append(log)
        env = {
            **SYNC_ENV,
            **flags,
            "HOOKWIRE_GOOGLE_BASE_URL": self.fake.url,
            "SERVER_URL": f"http://127.0.0.1:{port}",  # the OAuth callback's host
        }
        self.server = Server(database, log, env, port)
        admin = new_admin(database)
        with transaction(database.engine) as session:
            issued = issue_api_key(session, APP_SECRET, admin.workspace_id, "owner")
        self.client = Client(self.server.base_url, issued.token, admin.workspace_id, ANSWERS)
        self.browser = Browser(self.server.base_url)
        assert self.browser.sign_in(admin.email, admin.password).status_code in (302, 303)

    def stop(self) -> None:
        TOKENS.update(self.fake.state.issued)
        self.server.stop()
        self.fake.stop()

    def start_connection(self) -> requests.Response:
        """GET the connection route, following every redirect: to the fake's consent,
        back to the callback, on to the accounts page."""
        answer = self.browser.get("/settings/accounts/oauth/google")
        ANSWERS.append(answer.text)
        return answer

    def connect(self) -> str:
        """Connect the account through the web flow; its id, once both channels synced."""
        answer = self.start_connection()
        assert answer.status_code == 200, answer.text
        assert [r.status_code for r in answer.history] == [303, 302, 303]
        assert urlsplit(answer.url).path == "/settings/accounts"
        listed = self.client.get(ACCOUNTS).json()["data"]["connectedAccounts"]
        assert [(a["provider"], a["handle"]) for a in listed] == [("google", self.address)]
        account_id = listed[0]["id"]
        for kind in KINDS:
            assert wait_for_sync(self.client, account_id, kind=kind)["status"] == "active"
        return account_id

    def sync_again(self, account_id: str) -> dict[str, dict[str, Any]]:
        """Both channels once a sync asked for now has ended."""
        before = {
            kind: channel_of(self.client, account_id, kind)["lastAttemptAt"] for kind in KINDS
        }
        answer = self.client.post(f"{ACCOUNTS}/{account_id}/sync")
        assert answer.status_code == 202, answer.text
        return {kind: wait_for_sync(self.client, account_id, before[kind], kind) for kind in KINDS}

    def sealed_token(self, account_id: str) -> tuple[str, dict[str, Any]]:
        """The account's sealed credentials as stored, and the token they hold."""
        with transaction(self.server.database.engine, write=False) as session:
            sealed = session.get(ConnectedAccount, account_id).sealed_credentials
        keys = [k for k in os.environ.get("ENCRYPTION_KEY", "").split(",") if k]
        return sealed, CredentialSealer(keys, APP_SECRET).open(sealed)["token"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with open_database(request.param, tmp_path_factory) as opened:
        yield opened


@pytest.fixture
def google(database: Database, tmp_path: Path) -> Iterator[GoogleSetup]:
    setup = GoogleSetup(database, tmp_path, GOOGLE_ENV)
    yield setup
    setup.stop()


def _at(moment: dt.datetime) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": "UTC"}


def seed_calendar(fake: FakeGoogle, owner: str) -> list[dt.datetime]:
    """A meeting with attendees and a Meet link, a whole-day offsite, a review with a video
    conference, three occurrences of a weekly stand-up, and one event beyond the window;
    the stand-ups' starts."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    kickoff = now + dt.timedelta(days=2)
    fake.put_event(
        {
            "id": "kickoff",
            "summary": "Kickoff",
            "description": "Plans for the quarter",
            "location": "Room 4",
            "start": _at(kickoff),
            "end": _at(kickoff + dt.timedelta(hours=1)),
            "organizer": {"email": owner, "self": True},
            "attendees": [
                {"email": owner, "organizer": True, "responseStatus": "accepted", "self": True},
                {"email": "Ada@acme.example", "displayName": "Ada L", "responseStatus": "accepted"},
                {"email": "grace@acme.example", "responseStatus": "declined"},
                {"email": "hedy@globex.example", "responseStatus": "tentative"},
                {"email": "alan@globex.example", "responseStatus": "needsAction"},
            ],
            "hangoutLink": "https://meet.google.com/abc-defg-hij",
        }
    )
    offsite = (now + dt.timedelta(days=5)).date()
    fake.put_event(
        {
            "id": "offsite",
            "summary": "Offsite",
            "start": {"date": offsite.isoformat()},
            "end": {"date": (offsite + dt.timedelta(days=1)).isoformat()},
            "organizer": {"email": "ada@acme.example", "displayName": "Ada L"},
        }
    )
    review = now - dt.timedelta(days=3)
    fake.put_event(
        {
            "id": "review",
            "summary": "Review",
            "start": _at(review),
            "end": _at(review + dt.timedelta(minutes=30)),
            "organizer": {"email": owner},
            "conferenceData": {
                "entryPoints": [
                    {"entryPointType": "phone", "uri": "tel:+1-555-0100"},
                    {"entryPointType": "video", "uri": "https://zoom.example/j/42"},
                ]
            },
        }
    )
    standups = [now + dt.timedelta(days=1 + 7 * week) for week in range(3)]
    for start in standups:
        fake.put_event(
            {
                "id": f"standup_{start:%Y%m%dT%H%M%SZ}",
                "iCalUID": "standup@google.com",
                "recurringEventId": "standup",
                "originalStartTime": _at(start),
                "summary": "Stand-up",
                "start": _at(start),
                "end": _at(start + dt.timedelta(minutes=15)),
                "organizer": {"email": owner},
            }
        )
    far = now + dt.timedelta(days=400)
    fake.put_event(
        {"id": "far", "summary": "Far", "start": _at(far), "end": _at(far + dt.timedelta(hours=1))}
    )
    return standups


def headers(messages: list[EmailMessage]) -> set[str]:
    return {str(m["Message-ID"]) for m in messages}


def assert_mailbox(setup: GoogleSetup, held: list[EmailMessage]) -> dict[str, dict[str, Any]]:
    """The CRM holds exactly ``held``: one record each, in one thread per conversation,
    with every From/To/Cc address as a participant; the records by Message-ID."""
    messages = setup.client.every("messages")
    by_header = {m["headerMessageId"]: m for m in messages}
    assert len(messages) == len(held) and set(by_header) == headers(held)
    threads = {thread_of(m): by_header[str(m["Message-ID"])]["messageThreadId"] for m in held}
    assert len(set(threads.values())) == len(threads) == len(setup.client.every("messageThreads"))
    expected = Counter(
        (str(m["Message-ID"]), role, address)
        for m in held
        for header, role in (("From", "FROM"), ("To", "TO"), ("Cc", "CC"))
        for address in addresses(m, header)
    )
    header_of = {m["id"]: m["headerMessageId"] for m in messages}
    participants = setup.client.every("messageParticipants")
    assert Counter((header_of[p["messageId"]], p["role"], p["handle"]) for p in participants) == (
        expected
    )
    return by_header


def events_by_title(setup: GoogleSetup) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in setup.client.every("calendarEvents"):
        found.setdefault(event["title"], []).append(event)
    return found


def test_a_google_account_connects_imports_then_keeps_in_step(google: GoogleSetup) -> None:
    fake, owner = google.fake, google.address
    seeded = build_thread_messages(12, 4, owner=owner, others=OTHERS, seed=31)
    ids = [fake.add_message(m) for m in seeded]
    fake.add_message(build_thread_messages(1, 1, owner=owner, others=OTHERS, seed=32)[0], ("SPAM",))
    trashed = build_thread_messages(1, 1, owner=owner, others=OTHERS, seed=33)[0]
    fake.add_message(trashed, ("TRASH",))
    long_ago = utcnow() - dt.timedelta(days=200)
    old = build_thread_messages(1, 1, owner=owner, others=OTHERS, seed=34, now=long_ago)
    fake.add_message(old[0])
    standups = seed_calendar(fake, owner)
    account_id = google.connect()

    # The first import: the recent messages outside spam and trash; the window's events.
    by_header = assert_mailbox(google, seeded)
    events = events_by_title(google)
    assert {title: len(found) for title, found in events.items()} == {
        "Kickoff": 1, "Offsite": 1, "Review": 1, "Stand-up": 3,
    }  # fmt: skip
    assert {e["iCalUID"] for found in events.values() for e in found} == {
        "kickoff@google.com", "offsite@google.com", "review@google.com", "standup@google.com",
    }  # fmt: skip
    kickoff, offsite, review = events["Kickoff"][0], events["Offsite"][0], events["Review"][0]
    assert (kickoff["isFullDay"], offsite["isFullDay"]) == (False, True)
    assert kickoff["conferenceLink"]["primaryLinkUrl"] == "https://meet.google.com/abc-defg-hij"
    assert review["conferenceLink"]["primaryLinkUrl"] == "https://zoom.example/j/42"
    assert (kickoff["description"], kickoff["location"]) == ("Plans for the quarter", "Room 4")
    participants = google.client.every("calendarEventParticipants")
    of_kickoff = {
        p["handle"]: (p["displayName"], p["isOrganizer"], p["responseStatus"])
        for p in participants
        if p["calendarEventId"] == kickoff["id"]
    }
    assert of_kickoff == {
        owner: ("", True, "ACCEPTED"),
        "ada@acme.example": ("Ada L", False, "ACCEPTED"),
        "grace@acme.example": ("", False, "DECLINED"),
        "hedy@globex.example": ("", False, "TENTATIVE"),
        "alan@globex.example": ("", False, "NEEDS_ACTION"),
    }
    of_offsite = [p for p in participants if p["calendarEventId"] == offsite["id"]]
    assert [(p["handle"], p["isOrganizer"]) for p in of_offsite] == [("ada@acme.example", True)]

    # Two messages come, one is deleted, one goes to the trash; one event moves, one
    # occurrence of the stand-up is cancelled.
    new = build_thread_messages(2, 1, owner=owner, others=OTHERS, seed=35)
    for message in new:
        fake.add_message(message)
    fake.delete_message(ids[3])
    fake.label_message(ids[5], "TRASH")
    moved = dict(fake.state.events["kickoff"].body, summary="Kickoff (moved)")
    moved["start"] = _at(dt.datetime.fromisoformat(moved["end"]["dateTime"]))
    moved["end"] = _at(dt.datetime.fromisoformat(moved["end"]["dateTime"]) + dt.timedelta(hours=1))
    fake.put_event(moved)
    fake.cancel_event(f"standup_{standups[1]:%Y%m%dT%H%M%SZ}")
    cancelled = next(
        e for e in events["Stand-up"] if e["startsAt"].startswith(f"{standups[1]:%Y-%m-%dT%H:%M}")
    )
    channels = google.sync_again(account_id)
    assert all(c["status"] == "active" for c in channels.values()), channels

    held = [m for i, m in enumerate(seeded) if i not in (3, 5)] + new
    after = assert_mailbox(google, held)
    assert all(after[h]["id"] == by_header[h]["id"] for h in headers(seeded[6:]))
    changed = events_by_title(google)
    assert sorted(changed) == ["Kickoff (moved)", "Offsite", "Review", "Stand-up"]
    assert changed["Kickoff (moved)"][0]["id"] == kickoff["id"]
    assert changed["Kickoff (moved)"][0]["startsAt"] == kickoff["endsAt"]
    assert {e["id"] for e in changed["Stand-up"]} == {
        e["id"] for e in events["Stand-up"] if e["id"] != cancelled["id"]
    }
    remaining = {e["id"] for found in changed.values() for e in found}
    assert {
        p["calendarEventId"] for p in google.client.every("calendarEventParticipants")
    } == remaining

    # Google forgot the history id and the sync token: full imports, nothing twice.
    fake.forget_history()
    fake.forget_sync_tokens()
    late = build_thread_messages(1, 1, owner=owner, others=OTHERS, seed=36)
    fake.add_message(late[0])
    channels = google.sync_again(account_id)
    assert all(c["status"] == "active" for c in channels.values()), channels
    assert_mailbox(google, held + late)
    assert {e["id"] for e in google.client.every("calendarEvents")} == remaining
    asked = fake.state.requests
    assert sum(r.startswith("GET /gmail/v1/users/me/profile") for r in asked) == 2
    full_listings = [r for r in asked if r.startswith("GET /calendar/") and "timeMin" in r]
    assert sum("pageToken" not in r for r in full_listings) == 2


def test_an_expired_access_token_is_refreshed_and_kept_sealed(google: GoogleSetup) -> None:
    account_id = google.connect()
    sealed, first = google.sealed_token(account_id)
    assert first["access_token"] not in sealed and first["refresh_token"] not in sealed

    google.fake.expire_access_tokens()  # the old one is answered 401 from now on
    message = build_thread_messages(1, 1, owner=google.address, others=OTHERS, seed=37)
    google.fake.add_message(message[0])
    channels = google.sync_again(account_id)
    assert all(c["status"] == "active" for c in channels.values()), channels
    assert {m["headerMessageId"] for m in google.client.every("messages")} == headers(message)

    assert google.fake.state.refreshes >= 1
    sealed, kept = google.sealed_token(account_id)
    assert kept["access_token"] != first["access_token"]
    assert kept["access_token"] in google.fake.state.access_tokens
    assert kept["refresh_token"] == first["refresh_token"]  # a refresh answers none
    assert kept["access_token"] not in sealed


def test_a_revoked_refresh_token_fails_the_channel_naming_google(google: GoogleSetup) -> None:
    account_id = google.connect()
    google.fake.revoke_refresh_tokens()
    reasons = []
    for _ in range(3):  # HOOKWIRE_SYNC_MAX_FAILURES
        channel = google.sync_again(account_id)["messaging"]
        reasons.append(channel["statusReason"])
    assert "GOOGLE" in reasons[0] and "Google refused the account's token" in reasons[0]
    assert "connect the account again" in reasons[0]
    assert channel["status"] == "needs_reauthentication" and channel["nextSyncAt"] is None


def test_the_provider_switched_off_offers_no_route_and_asks_google_nothing(
    database: Database, tmp_path: Path
) -> None:
    flags = {"AUTH_GOOGLE_CLIENT_ID": CLIENT_ID, "AUTH_GOOGLE_CLIENT_SECRET": CLIENT_SECRET}
    setup = GoogleSetup(database, tmp_path, flags)
    try:
        answer = setup.browser.get("/settings/accounts/oauth/google", allow_redirects=False)
        ANSWERS.append(answer.text)
        assert answer.status_code == 404
        # An account connected while the provider was on: its channel fails without a call.
        with transaction(database.engine) as session:
            account = ConnectedAccount(
                workspace_id=setup.client.workspace_id,
                user_id=_owner_id(setup),
                handle=setup.address,
                provider="google",
                sealed_credentials=CredentialSealer(
                    [k for k in os.environ.get("ENCRYPTION_KEY", "").split(",") if k], APP_SECRET
                ).seal({"token": {"access_token": "x", "refresh_token": "y"}}),
            )
            session.add(account)
            session.flush()
            session.add(
                AccountChannel(
                    connected_account_id=account.id,
                    workspace_id=account.workspace_id,
                    kind="messaging",
                    next_sync_at=utcnow(),
                )
            )
            account_id = account.id
        channel = wait_for_sync(setup.client, account_id)
        assert channel["status"] == "failed"
        assert "Google accounts are not enabled" in channel["statusReason"]
        assert setup.fake.state.requests == []
    finally:
        setup.stop()


def _owner_id(setup: GoogleSetup) -> str:
    """The signed-in user's id."""
    with transaction(setup.server.database.engine, write=False) as session:
        return session.exec(
            select(User.id).where(User.workspace_id == setup.client.workspace_id)
        ).one()


def test_no_token_shows_in_answers_or_logs() -> None:
    assert TOKENS and ANSWERS and LOGS
    texts = ANSWERS + [log.read_text() for log in LOGS if log.exists()]
    leaked = sorted(t for t in TOKENS | {CLIENT_SECRET} if any(t in text for text in texts))
    assert leaked == []
