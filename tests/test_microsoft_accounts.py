"""Microsoft accounts, connected through the web OAuth flow and synced over Microsoft Graph,
against a fake of Microsoft's endpoints on loopback (tests/fake_microsoft.py), through a
running server on SQLite and PostgreSQL: the server's scheduler runs each sync, the results
are read over REST.

Covered: connecting (the consent, the code exchanged with its PKCE verifier), the first
import of the inbox and sent items (threads, participants) and of the calendar view
(occurrences, answers, times in UTC), an incremental sync after messages added and deleted
and events changed, cancelled and removed, a delta link Graph forgot (410: listed again, no
duplicates), an expired access token refreshed and sealed again, a revoked refresh token
failing the channel until it needs reauthentication, the provider switched off (its route
answers 404 and no sync reaches Microsoft), and that no token shows in an answer or a log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from account_syncs import ACCOUNTS, SYNC_ENV, channel_of, wait_for_sync
from browser.web import Browser, new_admin
from conftest import (
    APP_SECRET,
    WEBHOOK_TEST_ENV,
    Client,
    Database,
    Server,
    free_port,
    new_workspace,
    open_database,
)
from fake_microsoft import CLIENT_ID, CLIENT_SECRET, FakeAccount, FakeMicrosoft, running_fake
from hookwire.config import AccountSettings, OAuthProvider, load_config
from hookwire.connected_accounts import CredentialSealer, connect_oauth_account
from hookwire.database import transaction
from hookwire.identity import create_user, issue_api_key
from hookwire.messaging import sync_mailbox
from hookwire.models import AccountChannel, ConnectedAccount, MailboxMessage, User
from mail_servers import build_thread_messages

OTHERS = [f"{name}@acme.example" for name in ("ada", "grace", "alan", "kath")]
ANSWERS: list[str] = []
LOGS: list[Path] = []
KINDS = ("messaging", "calendar")


def provider_env(fake: FakeMicrosoft, port: int) -> dict[str, str]:
    return {
        **SYNC_ENV,
        "MESSAGING_PROVIDER_MICROSOFT_ENABLED": "true",
        "CALENDAR_PROVIDER_MICROSOFT_ENABLED": "true",
        "AUTH_MICROSOFT_CLIENT_ID": CLIENT_ID,
        "AUTH_MICROSOFT_CLIENT_SECRET": CLIENT_SECRET,
        "HOOKWIRE_MICROSOFT_BASE_URL": fake.url,
        "SERVER_URL": f"http://127.0.0.1:{port}",  # the callback the consent returns to
    }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeMicrosoft]:
    yield from running_fake()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def ms_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    fake: FakeMicrosoft,
) -> Iterator[Server]:
    with open_database(request.param, tmp_path_factory) as database:
        log = tmp_path_factory.mktemp("microsoft") / f"{request.param}.log"
        LOGS.append(log)
        port = free_port()
        running = Server(database, log, provider_env(fake, port), port)
        yield running
        running.stop()


def signed_in(server: Server) -> tuple[Browser, Client]:
    """A browser signed in as the admin of a new workspace, and an API client of it."""
    admin = new_admin(server.database)
    browser = Browser(server.base_url)
    assert browser.sign_in(admin.email, admin.password).status_code in (302, 303)
    with transaction(server.database.engine) as session:
        key = issue_api_key(session, APP_SECRET, admin.workspace_id, "tests")
    return browser, Client(server.base_url, key.token, admin.workspace_id, ANSWERS)


def connect(
    server: Server,
    fake: FakeMicrosoft,
    account: FakeAccount,
    user: tuple[Browser, Client] | None = None,
) -> tuple[Client, str]:
    """Connect ``account`` through the settings page's OAuth flow, as ``user`` (the admin
    of a new workspace by default); (an API client of the workspace, the account's id)."""
    browser, client = user or signed_in(server)
    fake.next_account = account
    start = browser.get("/settings/accounts/oauth/microsoft", allow_redirects=False)
    assert start.status_code == 303, start.text
    assert start.headers["Location"].startswith(f"{fake.url}/common/oauth2/v2.0/authorize?")
    done = browser.http.get(start.headers["Location"], timeout=30)  # consent, callback
    ANSWERS.append(done.text)
    assert done.status_code == 200 and "connected" in done.url, done.text
    answer = client.get(ACCOUNTS)
    ANSWERS.append(answer.text)
    found = [
        a for a in answer.json()["data"]["connectedAccounts"] if a["handle"] == account.address
    ]
    assert len(found) == 1 and found[0]["provider"] == "microsoft", found
    return client, found[0]["id"]


def wait_for_both(client: Client, account_id: str, after: dict[str, str | None]) -> dict:
    return {kind: wait_for_sync(client, account_id, after.get(kind), kind) for kind in KINDS}


def sync_both(client: Client, account_id: str) -> dict[str, dict[str, Any]]:
    """Both channels, once a sync asked for now has ended for each."""
    before = {kind: channel_of(client, account_id, kind)["lastAttemptAt"] for kind in KINDS}
    answer = client.post(f"{ACCOUNTS}/{account_id}/sync")
    ANSWERS.append(answer.text)
    assert answer.status_code == 202, answer.text
    return wait_for_both(client, account_id, before)


def new_account(fake: FakeMicrosoft) -> FakeAccount:
    return fake.add_account(f"ms-{secrets.token_hex(4)}@contoso.example")


def add_messages(account: FakeAccount, messages: list[EmailMessage]) -> dict[str, str]:
    """Each message into the sent items (the account's own) or the inbox; Graph id by
    Message-ID."""
    ids = {}
    for message in messages:
        sender = getaddresses([str(message["From"])])[0][1].lower()
        folder = "sentitems" if sender == account.address else "inbox"
        received = parsedate_to_datetime(str(message["Date"])).astimezone(UTC)
        ids[str(message["Message-ID"])] = account.add_message(
            folder, message.as_bytes(), received.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    return ids


def at(day: int, hour: int) -> datetime:
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=day, hours=hour)


def when(moment: datetime, zone: str = "UTC") -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone}


def person(address: str, response: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"emailAddress": {"address": address, "name": address.split("@")[0]}}
    if response is not None:
        entry |= {"type": "required", "status": {"response": response, "time": ""}}
    return entry


def seed_events(account: FakeAccount) -> dict[str, dict[str, Any]]:
    """A meeting with every kind of answer, a whole day, three occurrences of a weekly
    series, and a meeting set in Paris time; by Graph id."""
    owner = account.address
    events = [
        {
            "id": "ev-kickoff",
            "iCalUId": "uid-kickoff",
            "type": "singleInstance",
            "subject": "Kickoff",
            "start": when(at(1, 9)),
            "end": when(at(1, 10)),
            "isAllDay": False,
            "isCancelled": False,
            "bodyPreview": "Agenda: scope",
            "location": {"displayName": "Room 4"},
            "onlineMeeting": {"joinUrl": "https://teams.example/meet/1"},
            "organizer": person(owner),
            "attendees": [
                person(OTHERS[0], "accepted"),
                person(OTHERS[1], "tentativelyAccepted"),
                person(OTHERS[2], "declined"),
                person(OTHERS[3], "notResponded"),
                person(owner, "organizer"),
            ],
        },
        {
            "id": "ev-offsite",
            "iCalUId": "uid-offsite",
            "type": "singleInstance",
            "subject": "Offsite",
            "start": when(at(3, 0)),
            "end": when(at(4, 0)),
            "isAllDay": True,
            "organizer": person(owner),
            "attendees": [person(OTHERS[0], "none")],
        },
        *(
            {
                "id": f"ev-weekly-{week}",
                "iCalUId": "uid-weekly",
                "type": "occurrence",
                "seriesMasterId": "ev-weekly",
                "originalStart": at(7 * week, 14).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "subject": "Weekly",
                "start": when(at(7 * week, 14)),
                "end": when(at(7 * week, 15)),
                "organizer": person(OTHERS[1]),
                "attendees": [person(owner, "accepted")],
            }
            for week in range(3)
        ),
        {
            "id": "ev-paris",
            "iCalUId": "uid-paris",
            "type": "singleInstance",
            "subject": "Paris call",
            "start": when(datetime(2026, 12, 20, 10), "Europe/Paris"),
            "end": when(datetime(2026, 12, 20, 11), "Europe/Paris"),
            "organizer": person(owner),
            "attendees": [],
        },
    ]
    for event in events:
        account.put_event(event)
    return {event["id"]: event for event in events}


def test_an_account_connects_imports_mail_and_calendar_then_follows_changes(
    ms_server: Server, fake: FakeMicrosoft
) -> None:
    account = new_account(fake)
    seeded = build_thread_messages(30, 6, owner=account.address, others=OTHERS, seed=41)
    graph_ids = add_messages(account, seeded)
    seed_events(account)
    client, account_id = connect(ms_server, fake, account)
    channels = wait_for_both(client, account_id, {})
    assert all(c["status"] == "active" for c in channels.values()), channels

    messages = {m["headerMessageId"]: m for m in client.every("messages")}
    assert set(messages) == set(graph_ids)
    threads = {m["messageThreadId"] for m in messages.values()}
    assert len(threads) == 6 and len(client.every("messageThreads")) == 6
    for message in seeded:
        sender = getaddresses([str(message["From"])])[0][1].lower()
        record = messages[str(message["Message-ID"])]
        assert record["direction"] == ("OUTGOING" if sender == account.address else "INCOMING")
        assert record["subject"] == str(message["Subject"])
    participants = client.every("messageParticipants")
    expected = {
        (str(m["Message-ID"]), role, address.lower())
        for m in seeded
        for header, role in (("From", "FROM"), ("To", "TO"), ("Cc", "CC"))
        for _, address in getaddresses([str(v) for v in m.get_all(header, [])])
    }
    header_of = {m["id"]: h for h, m in messages.items()}
    assert {(header_of[p["messageId"]], p["role"], p["handle"]) for p in participants} == expected

    events = client.every("calendarEvents")
    assert len(events) == 6
    by_uid: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_uid.setdefault(event["iCalUID"], []).append(event)
    kickoff = by_uid["uid-kickoff"][0]
    assert kickoff["title"] == "Kickoff" and kickoff["location"] == "Room 4"
    assert kickoff["description"] == "Agenda: scope"
    assert kickoff["conferenceLink"]["primaryLinkUrl"] == "https://teams.example/meet/1"
    assert kickoff["startsAt"] == at(1, 9).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert by_uid["uid-offsite"][0]["isFullDay"] is True
    assert sorted(e["startsAt"] for e in by_uid["uid-weekly"]) == [
        at(7 * week, 14).strftime("%Y-%m-%dT%H:%M:%S.000Z") for week in range(3)
    ]
    assert by_uid["uid-paris"][0]["startsAt"] == "2026-12-20T09:00:00.000Z"  # CET is UTC+1
    answers = {
        p["handle"]: (p["responseStatus"], p["isOrganizer"])
        for p in client.every("calendarEventParticipants")
        if p["calendarEventId"] == kickoff["id"]
    }
    assert answers == {
        account.address: ("ACCEPTED", True),
        OTHERS[0]: ("ACCEPTED", False),
        OTHERS[1]: ("TENTATIVE", False),
        OTHERS[2]: ("DECLINED", False),
        OTHERS[3]: ("NEEDS_ACTION", False),
    }

    # Two messages come, one goes; one event moves, one is cancelled, one removed.
    new = build_thread_messages(2, 1, owner=account.address, others=OTHERS, seed=42)
    new_ids = add_messages(account, new)
    deleted = str(seeded[5]["Message-ID"])
    folder = next(n for n, f in account.folders.items() if graph_ids[deleted] in f.items)
    account.delete_message(folder, graph_ids[deleted])
    moved = {**account.calendar.items["ev-kickoff"], "start": when(at(2, 11))}
    account.put_event({**moved, "end": when(at(2, 12)), "subject": "Kickoff (moved)"})
    account.put_event({**account.calendar.items["ev-offsite"], "isCancelled": True})
    account.calendar.remove("ev-paris")
    before = {e["id"]: e for e in events}
    channels = sync_both(client, account_id)
    assert all(c["status"] == "active" for c in channels.values()), channels

    after = {m["headerMessageId"]: m for m in client.every("messages")}
    assert set(after) == (set(messages) - {deleted}) | set(new_ids)
    assert all(after[h]["id"] == messages[h]["id"] for h in messages if h != deleted)
    kept = {m["id"] for m in after.values()}
    assert {p["messageId"] for p in client.every("messageParticipants")} == kept
    events_after = {e["id"]: e for e in client.every("calendarEvents")}
    assert set(events_after) == set(before) - {by_uid["uid-paris"][0]["id"]}
    changed = events_after[kickoff["id"]]
    assert changed["title"] == "Kickoff (moved)"
    assert changed["startsAt"] == at(2, 11).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert events_after[by_uid["uid-offsite"][0]["id"]]["isCanceled"] is True
    for event in by_uid["uid-weekly"]:
        assert events_after[event["id"]] == before[event["id"]]  # untouched


def test_a_delta_link_graph_forgot_lists_again_without_duplicates(
    ms_server: Server, fake: FakeMicrosoft
) -> None:
    account = new_account(fake)
    seeded = build_thread_messages(12, 3, owner=account.address, others=OTHERS, seed=43)
    add_messages(account, seeded)
    seed_events(account)
    client, account_id = connect(ms_server, fake, account)
    wait_for_both(client, account_id, {})
    fake.forget_deltas()
    new = build_thread_messages(3, 1, owner=account.address, others=OTHERS, seed=44)
    add_messages(account, new)
    channels = sync_both(client, account_id)
    assert all(c["status"] == "active" for c in channels.values()), channels
    headers = [m["headerMessageId"] for m in client.every("messages")]
    assert sorted(headers) == sorted(str(m["Message-ID"]) for m in seeded + new)
    assert len(client.every("calendarEvents")) == 6


def test_a_sync_stopped_by_graph_resumes_after_its_last_page_without_duplicates(
    fake: FakeMicrosoft, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with open_database("sqlite", tmp_path_factory) as database:
        env = {**WEBHOOK_TEST_ENV, "DATABASE_URL": database.url, "APP_SECRET": APP_SECRET}
        config = load_config({**env, **provider_env(fake, 3000), "HOOKWIRE_SYNC_BATCH": "5"})
        account = new_account(fake)
        seeded = build_thread_messages(23, 4, owner=account.address, others=OTHERS, seed=46)
        add_messages(account, seeded)
        workspace_id, _ = new_workspace(database)
        with transaction(database.engine) as session:
            owner = create_user(session, workspace_id, "owner@corp.example", "owner pw 1234")
            connected = connect_oauth_account(
                session, workspace_id, owner.id, "microsoft", account.address,
                fake.issue(account), config.accounts, CredentialSealer.of(config),
            )  # fmt: skip
            channel = session.exec(
                select(AccountChannel).where(
                    AccountChannel.connected_account_id == connected.id,
                    AccountChannel.kind == "messaging",
                )
            ).one()
            channel_id = channel.id

        def held() -> list[str]:
            with transaction(database.engine, write=False) as session:
                query = select(MailboxMessage.message_id).where(
                    MailboxMessage.channel_id == channel_id
                )
                return list(session.exec(query))

        fake.fail_messages(after=12, status=503)
        report = sync_mailbox(database.engine, config, channel_id, None)
        assert report is not None and report.failure is not None
        assert "MICROSOFT" in report.failure and "503" in report.failure
        assert 0 < len(held()) <= 12  # whole pages only: the one that failed is not kept

        fake.fail_messages(None)
        report = sync_mailbox(database.engine, config, channel_id, None)
        assert report is not None and report.failure is None
        assert len(held()) == len(set(held())) == 23
        fetched = len(fake.requests)
        report = sync_mailbox(database.engine, config, channel_id, None)
        assert report is not None and report.failure is None and report.imported == 0
        assert not any(r.endswith("/$value") for r in fake.requests[fetched:])


def sealed_token(database: Database, account_id: str) -> tuple[str, dict[str, Any]]:
    with transaction(database.engine, write=False) as session:
        sealed = session.get(ConnectedAccount, account_id).sealed_credentials
    return sealed, CredentialSealer((), APP_SECRET).open(sealed)["token"]


def test_an_expired_access_token_is_refreshed_and_sealed_again(
    ms_server: Server, fake: FakeMicrosoft
) -> None:
    account = new_account(fake)
    add_messages(account, build_thread_messages(4, 2, owner=account.address, others=OTHERS))
    client, account_id = connect(ms_server, fake, account)
    wait_for_both(client, account_id, {})
    _, first = sealed_token(ms_server.database, account_id)

    fake.expire_access_tokens()  # Graph now refuses the token the account has
    refreshes = fake.refreshes
    new = build_thread_messages(2, 1, owner=account.address, others=OTHERS, seed=45)
    add_messages(account, new)
    channels = sync_both(client, account_id)
    assert all(c["status"] == "active" for c in channels.values()), channels
    assert fake.refreshes > refreshes
    assert len(client.every("messages")) == 6

    sealed, token = sealed_token(ms_server.database, account_id)
    assert token["access_token"] != first["access_token"]
    assert token["access_token"] in fake.access_tokens and token["refresh_token"]
    assert not any(issued in sealed for issued in fake.issued)


def test_a_revoked_refresh_token_fails_the_channel_naming_microsoft(
    ms_server: Server, fake: FakeMicrosoft
) -> None:
    account = new_account(fake)
    user = signed_in(ms_server)
    client, account_id = connect(ms_server, fake, account, user)
    wait_for_both(client, account_id, {})
    account.refresh_revoked = True
    fake.expire_access_tokens()

    for _ in range(3):  # HOOKWIRE_SYNC_MAX_FAILURES
        channels = sync_both(client, account_id)
        for channel in channels.values():
            assert channel["status"] in ("failed", "needs_reauthentication"), channel
            assert "Microsoft refused the account's token" in channel["statusReason"]
            assert "connect the account again" in channel["statusReason"]
    assert all(c["status"] == "needs_reauthentication" for c in channels.values()), channels
    assert all(c["nextSyncAt"] is None for c in channels.values())

    # Connected again: the same account, syncing with the new token.
    account.refresh_revoked = False
    add_messages(account, build_thread_messages(2, 1, owner=account.address, others=OTHERS))
    assert connect(ms_server, fake, account, user) == (client, account_id)
    after = {kind: c["lastAttemptAt"] for kind, c in channels.items()}
    channels = wait_for_both(client, account_id, after)
    assert all(c["status"] == "active" for c in channels.values()), channels
    assert len(client.every("messages")) == 2


def test_a_provider_switched_off_has_no_route_and_no_sync_reaches_it(
    fake: FakeMicrosoft, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with open_database("sqlite", tmp_path_factory) as database:
        log = tmp_path_factory.mktemp("microsoft-off") / "server.log"
        LOGS.append(log)
        env = {**SYNC_ENV, "HOOKWIRE_MICROSOFT_BASE_URL": fake.url}
        server = Server(database, log, env)
        try:
            browser, client = signed_in(server)
            answer = browser.get("/settings/accounts/oauth/microsoft", allow_redirects=False)
            assert answer.status_code == 404
            answer = browser.get("/settings/accounts/oauth/microsoft/callback?code=x&state=y")
            assert answer.status_code in (400, 404)

            # An account connected while the provider was on: its syncs stay away from it.
            address = f"off-{secrets.token_hex(4)}@contoso.example"
            token = {"access_token": f"at-{secrets.token_hex(8)}", "refresh_token": "rt-off"}
            fake.issued.add(token["access_token"])
            switched_on = AccountSettings(
                providers={
                    "microsoft": OAuthProvider(
                        "microsoft", CLIENT_ID, CLIENT_SECRET, True, True, fake.url
                    )
                }
            )
            with transaction(database.engine) as session:
                owner = session.exec(
                    select(User).where(User.workspace_id == client.workspace_id)
                ).one()
                account = connect_oauth_account(
                    session, client.workspace_id, owner.id, "microsoft", address, token,
                    switched_on, CredentialSealer((), APP_SECRET),
                )  # fmt: skip
                account_id = account.id
            reached = len(fake.requests)
            channels = wait_for_both(client, account_id, {})
            for channel in channels.values():
                assert channel["status"] == "failed"
                assert "switched off" in channel["statusReason"], channel
            assert len(fake.requests) == reached
        finally:
            server.stop()


def test_no_token_shows_in_answers_or_logs(ms_server: Server, fake: FakeMicrosoft) -> None:
    assert fake.issued and ANSWERS and LOGS
    texts = ANSWERS + [log.read_text() for log in LOGS if log.exists()]
    leaked = sorted(token for token in fake.issued if any(token in text for text in texts))
    assert leaked == []
    assert CLIENT_SECRET not in "".join(texts)
