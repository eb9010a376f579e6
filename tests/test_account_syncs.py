"""Connected accounts' syncs against a real Dovecot and Radicale on loopback, through a
running server on SQLite and PostgreSQL: the server's scheduler starts each sync (or an RQ
worker runs it), the results are read over REST. The sync logic's details are in
test_calendar_sync.py; here, what a user of the API sees.

Covered: the first import of a mailbox (500 messages in 60 threads: exactly them, threaded,
their participants matched to people and people created per the channel's policy), an
incremental sync after appends, moves and deletes, a sync with nothing new, a kill -9 of the
server mid-import (the next run finishes without duplicates), a wrong password (the channel
fails with the reason, then stops retrying), the blocklist and contact policy, disconnecting
(orphans destroyed, messages another mailbox holds kept), webhooks for imported messages
through the bundled connector's ``trigger_record``, a calendar imported and webhooks fired
for its events, syncs on an RQ worker, and that no password shows in an answer or a log.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from account_syncs import (
    ACCOUNTS,
    SYNC_ENV,
    SYNC_TIMEOUT,
    addresses,
    sync_again,
    thread_of,
    wait_for_sync,
)
from conftest import (
    APP_SECRET,
    Client,
    Database,
    Server,
    new_workspace,
    open_database,
    service_env,
)
from hookwire.database import transaction
from hookwire.identity import create_user
from hookwire.models import MailboxMessage
from mail_servers import (
    AccountServers,
    Mailbox,
    account_servers,
    append_messages,
    build_events,
    build_thread_messages,
    create_calendar,
    delete_messages,
    move_messages,
    new_mailbox,
    put_events,
)
from processes import LineReader, RedisServer, Worker
from receiver import Receiver

OTHERS = [f"{name}@acme.example" for name in ("ada", "grace", "alan", "kath", "linus")] + [
    f"{name}@globex.example" for name in ("hedy", "barbara", "edsger")
]
PASSWORDS: set[str] = set()  # every password handed out here: none may show anywhere
ANSWERS: list[str] = []


@pytest.fixture(scope="module")
def servers() -> Iterator[AccountServers]:
    with account_servers() as running:
        yield running


class SyncServer:
    """A server of its own (on a private database) whose scheduler runs the syncs."""

    def __init__(self, database: Database, log: Path, extra_env: dict[str, str] | None = None):
        self.database = database
        self.log = log
        self.env = {**SYNC_ENV, **(extra_env or {})}
        self.server = Server(database, log, self.env)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def restart(self) -> None:
        """After a kill: a new server process on the same database (and log)."""
        with open(self.log, "a") as log:
            log.write("\n--- restarted ---\n")
        self.server = Server(
            self.database, self.log.with_suffix(".restarted.log"), self.env, self.server.port
        )

    def new_client(self) -> Client:
        workspace_id, token = new_workspace(self.database)
        return Client(self.base_url, token, workspace_id, ANSWERS)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def sync_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SyncServer]:
    with open_database(request.param, tmp_path_factory) as database:
        log = tmp_path_factory.mktemp("messaging") / f"{request.param}.log"
        running = SyncServer(database, log)
        yield running
        running.server.stop()


def mailbox(servers: AccountServers) -> Mailbox:
    def password() -> str:
        value = f"pw-{secrets.token_urlsafe(12)}"
        PASSWORDS.add(value)
        return value

    return new_mailbox(servers, password)


def parameters_of(box: Mailbox, servers: AccountServers, *, calendar: bool) -> dict[str, Any]:
    """Twenty's ``connectionParameters`` for ``box``: its IMAP mailbox, and its CalDAV
    calendars if asked."""
    services: dict[str, Any] = {
        "IMAP": {
            "host": servers.imap.host,
            "port": servers.imap.port,
            "secure": False,
            "password": box.imap_password,
        }
    }
    if calendar:
        services["CALDAV"] = {
            "host": servers.caldav.url,
            "username": box.caldav_user,
            "password": box.caldav_password,
        }
    return services


def connect(client: Client, database: Database, box: Mailbox, servers: AccountServers) -> str:
    """Connect ``box``'s IMAP mailbox for a new user of the workspace; the account's id."""
    with transaction(database.engine) as session:
        owner = create_user(
            session,
            client.workspace_id,
            f"o-{secrets.token_hex(4)}@corp.example",
            "owner password 123",
        )
    body = {
        "handle": box.handle,
        "provider": "imap_smtp_caldav",
        "accountOwnerId": owner.id,
        "connectionParameters": parameters_of(box, servers, calendar=False),
    }
    answer = client.post(ACCOUNTS, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["createConnectedAccount"]["id"]


def test_a_mailbox_is_imported_then_kept_in_step(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    client = sync_server.new_client()
    box = mailbox(servers)
    seeded = build_thread_messages(500, 60, owner=box.handle, others=OTHERS, seed=16)
    append_messages(servers.imap, box.handle, box.imap_password, seeded)
    account_id = connect(client, sync_server.database, box, servers)

    channel = wait_for_sync(client, account_id)
    assert channel["status"] == "active", channel

    messages = client.every("messages")
    by_header = {m["headerMessageId"]: m for m in messages}
    assert len(messages) == 500 and set(by_header) == {str(m["Message-ID"]) for m in seeded}
    # Threads: one per conversation of the seed, each holding exactly its messages.
    threads = client.every("messageThreads")
    assert len(threads) == 60
    conversation_threads = defaultdict(set)
    for message in seeded:
        record = by_header[str(message["Message-ID"])]
        conversation_threads[thread_of(message)].add(record["messageThreadId"])
        sender = addresses(message, "From")[0]
        assert record["direction"] == ("OUTGOING" if sender == box.handle else "INCOMING")
        assert record["subject"] == str(message["Subject"])
    assert all(len(ids) == 1 for ids in conversation_threads.values())
    assert len({next(iter(ids)) for ids in conversation_threads.values()}) == 60

    # Participants: every From/To/Cc address of every message, with its role.
    participants = client.every("messageParticipants")
    expected = Counter(
        (str(m["Message-ID"]), role, address)
        for m in seeded
        for header, role in (("From", "FROM"), ("To", "TO"), ("Cc", "CC"))
        for address in addresses(m, header)
    )
    header_of = {m["id"]: m["headerMessageId"] for m in messages}
    found = Counter((header_of[p["messageId"]], p["role"], p["handle"]) for p in participants)
    assert found == expected
    # People: those this mailbox wrote to (Twenty's default policy, SENT), each linked.
    written_to = {
        address
        for m in seeded
        if addresses(m, "From")[0] == box.handle
        for header in ("To", "Cc")
        for address in addresses(m, header)
        if address != box.handle
    }
    people = {p["emails"]["primaryEmail"]: p["id"] for p in client.every("people")}
    assert set(people) == written_to
    for participant in participants:
        assert participant["personId"] == people.get(participant["handle"])

    # Nothing new: nothing written.
    channel = sync_again(client, account_id)
    assert channel["status"] == "active"
    assert len(client.every("messages")) == 500

    # Ten new messages, two moved to another folder, three deleted.
    new = build_thread_messages(10, 3, owner=box.handle, others=OTHERS, seed=17)
    append_messages(servers.imap, box.handle, box.imap_password, new)
    moved = [str(m["Message-ID"]) for m in seeded[100:102]]
    deleted = [str(m["Message-ID"]) for m in seeded[200:203]]
    assert move_messages(servers.imap, box.handle, box.imap_password, moved, "INBOX", "Archive")
    assert delete_messages(servers.imap, box.handle, box.imap_password, deleted) == 3
    sync_again(client, account_id)

    after = {m["headerMessageId"]: m for m in client.every("messages")}
    assert len(after) == 507
    assert set(after) == (set(by_header) - set(deleted)) | {str(m["Message-ID"]) for m in new}
    assert all(after[h]["id"] == by_header[h]["id"] for h in moved)  # same record, moved
    kept_ids = {m["id"] for m in after.values()}
    assert all(p["messageId"] in kept_ids for p in client.every("messageParticipants"))
    assert len(client.every("messageThreads")) == 63
    with transaction(sync_server.database.engine, write=False) as session:
        folders = dict(
            session.execute(
                sa.select(MailboxMessage.message_id, MailboxMessage.folder).where(
                    MailboxMessage.workspace_id == client.workspace_id
                )
            ).all()
        )
    assert {folders[after[h]["id"]] for h in moved} == {"Archive"}


def test_a_server_killed_mid_import_finishes_without_duplicates(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    client = sync_server.new_client()
    box = mailbox(servers)
    seeded = build_thread_messages(1500, 100, owner=box.handle, others=OTHERS, seed=18)
    append_messages(servers.imap, box.handle, box.imap_password, seeded)
    account_id = connect(client, sync_server.database, box, servers)

    engine = sync_server.database.engine
    count = sa.select(sa.func.count()).where(MailboxMessage.workspace_id == client.workspace_id)
    deadline = time.monotonic() + SYNC_TIMEOUT
    while True:
        with engine.connect() as connection:
            imported = connection.execute(count).scalar_one()
        if imported > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    sync_server.server.kill()  # kill -9, between two batches or inside one
    assert 0 < imported < 1500, f"the kill came too late to test anything: {imported}"

    sync_server.restart()  # its scheduler takes the channel once the lease runs out
    channel = wait_for_sync(client, account_id)
    assert channel["status"] == "active", channel
    messages = client.every("messages")
    headers = Counter(m["headerMessageId"] for m in messages)
    assert len(messages) == 1500 and max(headers.values()) == 1
    assert set(headers) == {str(m["Message-ID"]) for m in seeded}
    assert len(client.every("messageThreads")) == 100


def test_a_wrong_password_fails_the_channel_then_stops_retrying(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    client = sync_server.new_client()
    box = mailbox(servers)
    account_id = connect(client, sync_server.database, box, servers)
    wait_for_sync(client, account_id)
    changed = f"pw-{secrets.token_urlsafe(12)}"
    PASSWORDS.add(changed)
    servers.imap.add_user(box.handle.split("@")[0], changed)

    reasons = []
    for _ in range(3):
        channel = sync_again(client, account_id)
        reasons.append(channel["statusReason"])
    assert "connectionParameters.IMAP" in reasons[0] and "refused the login" in reasons[0]
    assert channel["status"] == "needs_reauthentication" and channel["nextSyncAt"] is None
    refused = client.post(f"{ACCOUNTS}/{account_id}/sync")
    assert refused.status_code == 409 and "new password" in refused.json()["messages"][0]

    # The new password: tested, saved, and the channel syncs again.
    services = parameters_of(box, servers, calendar=False)
    services["IMAP"]["password"] = changed
    answer = client.patch(f"{ACCOUNTS}/{account_id}", json={"connectionParameters": services})
    assert answer.status_code == 200, answer.text
    channel = wait_for_sync(client, account_id, channel["lastAttemptAt"])
    assert channel["status"] == "active" and channel["statusReason"] is None


def test_the_blocklist_and_contact_policy_decide_what_comes_in(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    client = sync_server.new_client()
    box = mailbox(servers)
    seeded = build_thread_messages(80, 10, owner=box.handle, others=OTHERS, seed=19)
    account_id = connect(client, sync_server.database, box, servers)
    wait_for_sync(client, account_id)
    settings = {"contactAutoCreationPolicy": "NONE", "blocklist": ["@Globex.example"]}
    answer = client.patch(f"{ACCOUNTS}/{account_id}/channels/messaging", json=settings)
    assert answer.status_code == 200, answer.text
    channel = next(
        c for c in answer.json()["data"]["updateConnectedAccount"]["channels"]
        if c["type"] == "messaging"
    )  # fmt: skip
    assert channel["blocklist"] == ["@globex.example"]
    append_messages(servers.imap, box.handle, box.imap_password, seeded)
    sync_again(client, account_id)

    def touches_globex(message: EmailMessage) -> bool:
        return any(
            a.endswith("@globex.example")
            for header in ("From", "To", "Cc")
            for a in addresses(message, header)
        )

    wanted = {str(m["Message-ID"]) for m in seeded if not touches_globex(m)}
    assert 0 < len(wanted) < 80
    assert {m["headerMessageId"] for m in client.every("messages")} == wanted
    assert client.every("people") == []

    bad = client.patch(
        f"{ACCOUNTS}/{account_id}/channels/messaging",
        json={"blocklist": ["not an address"], "contactAutoCreationPolicy": "ALL"},
    )
    assert bad.status_code == 400 and "contactAutoCreationPolicy" in bad.text


def test_disconnecting_destroys_only_what_no_other_mailbox_holds(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    client = sync_server.new_client()
    first, second = mailbox(servers), mailbox(servers)
    shared = build_thread_messages(30, 5, owner=first.handle, others=OTHERS, seed=20)
    own = build_thread_messages(20, 4, owner=first.handle, others=OTHERS, seed=21)
    append_messages(servers.imap, first.handle, first.imap_password, shared + own)
    append_messages(servers.imap, second.handle, second.imap_password, shared)
    first_id = connect(client, sync_server.database, first, servers)
    second_id = connect(client, sync_server.database, second, servers)
    wait_for_sync(client, first_id)
    wait_for_sync(client, second_id)
    assert len(client.every("messages")) == 50  # the shared ones once

    answer = client.delete(f"{ACCOUNTS}/{first_id}")
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + SYNC_TIMEOUT
    while len(client.every("messages")) != 30 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert {m["headerMessageId"] for m in client.every("messages")} == {
        str(m["Message-ID"]) for m in shared
    }
    assert len(client.every("messageThreads")) == 5
    assert client.get(f"{ACCOUNTS}/{first_id}").status_code == 404
    with sync_server.database.engine.connect() as connection:
        stored = connection.execute(
            sa.text("select count(*) from connected_account where id = :id"), {"id": first_id}
        ).scalar_one()
    assert stored == 0  # its sealed credentials with it


def test_imported_messages_reach_the_connectors_trigger_record(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    client = sync_server.new_client()
    box = mailbox(servers)
    account_id = connect(client, sync_server.database, box, servers)  # brings `message`
    wait_for_sync(client, account_id)
    seeded = build_thread_messages(12, 3, owner=box.handle, others=OTHERS, seed=22)
    listen = subprocess.Popen(
        [
            sys.executable, "-m", "hookwire.cli", "connector", "listen", "trigger_record",
            "--auth", f"apiKey={client.token}", "--auth", f"apiUrl={sync_server.base_url}",
            "--input", "nameSingular=message", "--input", "operation=created",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )  # fmt: skip
    out, err = LineReader(listen.stdout), LineReader(listen.stderr)
    try:
        err.until("catch URL")
        append_messages(servers.imap, box.handle, box.imap_password, seeded)
        sync_again(client, account_id)
        received = [json.loads(out.next(SYNC_TIMEOUT)) for _ in seeded]
    finally:
        listen.terminate()
        listen.wait(timeout=10)
    assert {r["headerMessageId"] for r in received} == {str(m["Message-ID"]) for m in seeded}
    assert all(r["createdBy"]["source"] == "EMAIL" for r in received)


def test_a_calendar_is_imported_with_webhooks_and_goes_with_its_account(
    sync_server: SyncServer, servers: AccountServers, receiver: Receiver
) -> None:
    client = sync_server.new_client()
    box = mailbox(servers)
    url = create_calendar(servers.caldav, box.caldav_user, box.caldav_password, "Work")
    seeded = build_events(12, 2, seed=24, owner=box.handle)
    put_events(url, box.caldav_user, box.caldav_password, seeded)
    account_id = connect(client, sync_server.database, box, servers)  # brings calendarEvent
    subscribed = client.post(
        "/rest/webhooks",
        json={"targetUrl": receiver.url + "/events", "operations": ["calendarEvent.created"]},
    )
    assert subscribed.status_code == 201, subscribed.text
    with_calendar = {"connectionParameters": parameters_of(box, servers, calendar=True)}
    answer = client.patch(f"{ACCOUNTS}/{account_id}", json=with_calendar)
    assert answer.status_code == 200, answer.text
    channel = wait_for_sync(client, account_id, kind="calendar")
    assert channel["status"] == "active", channel

    events = client.every("calendarEvents")
    uids = {text.split("UID:", 1)[1].split("\r\n", 1)[0] for text in seeded}
    assert {e["iCalUID"] for e in events} == uids
    assert len(events) == 10 + 2 * 4  # two weekly events of four occurrences each
    participants = client.every("calendarEventParticipants")
    assert {p["calendarEventId"] for p in participants} == {e["id"] for e in events}
    deadline = time.monotonic() + SYNC_TIMEOUT
    while len(receiver.received("/events")) < len(events) and time.monotonic() < deadline:
        time.sleep(0.2)
    delivered = {r.json["record"]["id"] for r in receiver.received("/events")}
    assert delivered == {e["id"] for e in events}

    assert client.delete(f"{ACCOUNTS}/{account_id}").status_code == 200
    deadline = time.monotonic() + SYNC_TIMEOUT
    while client.every("calendarEvents") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.every("calendarEvents") == []
    assert client.every("calendarEventParticipants") == []


def test_syncs_run_on_the_rq_worker_with_redis(
    servers: AccountServers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("messaging-redis")
    redis_server = RedisServer(directory / "redis.log")
    with open_database("postgres", tmp_path_factory) as database:
        env = {**SYNC_ENV, "REDIS_URL": redis_server.url}
        running = SyncServer(database, directory / "server.log", env)
        worker = Worker(service_env(database, env), directory / "worker.log")
        try:
            client = running.new_client()
            box = mailbox(servers)
            seeded = build_thread_messages(40, 6, owner=box.handle, others=OTHERS, seed=23)
            append_messages(servers.imap, box.handle, box.imap_password, seeded)
            account_id = connect(client, database, box, servers)
            assert wait_for_sync(client, account_id)["status"] == "active"
            assert len(client.every("messages")) == 40
        finally:
            worker.stop()
            running.server.stop()
            redis_server.stop()
        assert "messaging: sync messaging" in (directory / "worker.log").read_text()


def test_no_password_shows_in_answers_or_logs(
    sync_server: SyncServer, servers: AccountServers
) -> None:
    assert PASSWORDS and ANSWERS
    logs = [sync_server.log, sync_server.log.with_suffix(".restarted.log")]
    texts = ANSWERS + [p.read_text() for p in logs if p.exists()]
    leaked = sorted(p for p in PASSWORDS if any(p in text for text in texts))
    assert leaked == []
    assert APP_SECRET not in "".join(texts)
