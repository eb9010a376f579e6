"""Calendar sync against a real Radicale: the first import of a window of events (recurring
ones expanded), incremental syncs that write only what changed, recurrences shortened,
refused logins, and events two calendars share."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import caldav
import icalendar
import pytest
import sqlalchemy as sa

from conftest import APP_SECRET, WEBHOOK_TEST_ENV, Database, open_database
from hookwire.calendar import remove_orphan_events, sync_calendar
from hookwire.calendar import sync as calendar_sync
from hookwire.config import Config, load_config
from hookwire.connected_accounts import (
    CredentialSealer,
    ProbeResult,
    channels_of,
    draft_account,
    save_account,
)
from hookwire.crm import Count, ListQuery, RecordStore, load_catalog
from hookwire.crm.workspaces import create_workspace
from hookwire.database import transaction
from hookwire.hooks import Outbox
from hookwire.identity import create_user
from hookwire.models import AccountChannel, CalendarEventLink, OutboxEvent
from mail_servers import CaldavServer, build_events, create_calendar, dav_client, put_events

DAYS = 30  # the sync's window, either side of now
SEED_DAYS = 20  # where the seeded events start: all inside the window, repeats reach out


@pytest.fixture(scope="module")
def radicale() -> Iterator[CaldavServer]:
    with CaldavServer() as server:
        yield server


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with open_database("sqlite", tmp_path_factory) as database:
        yield database


@dataclass
class Calendar:
    """A Radicale user's calendar, connected as a calendar channel of a workspace."""

    url: str
    user: str
    password: str
    owner_email: str
    owner_id: str
    workspace_id: str
    channel_id: str


def config_of(database: Database) -> Config:
    return load_config(
        {
            **WEBHOOK_TEST_ENV,
            "DATABASE_URL": database.url,
            "APP_SECRET": APP_SECRET,
            "HOOKWIRE_SYNC_FIRST_IMPORT_DAYS": str(DAYS),
            "HOOKWIRE_SYNC_BATCH": "7",  # several batches per calendar
        }
    )


def new_workspace_id(database: Database) -> str:
    with transaction(database.engine) as session:
        return create_workspace(session, f"Calendars {secrets.token_hex(4)}").id


def connect_calendar(
    database: Database, radicale: CaldavServer, workspace_id: str, password: str | None = None
) -> Calendar:
    """A new Radicale user with one calendar, connected for a new user of the workspace
    (with ``password`` in place of the right one, if given)."""
    user, right = f"u{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    radicale.add_user(user, right)
    url = create_calendar(radicale, user, right, "Work")
    email = f"{user}@example.test"
    config = config_of(database)
    with transaction(database.engine) as session:
        owner = create_user(session, workspace_id, email, "password 123456")
        sealer = CredentialSealer.of(config)
        body = {
            "provider": "imap_smtp_caldav",
            "accountOwnerId": owner.id,
            "handle": email,
            "connectionParameters": {
                "CALDAV": {"host": radicale.url, "username": user, "password": password or right}
            },
        }
        draft = draft_account(session, workspace_id, body, sealer)
        account = save_account(session, workspace_id, draft, ProbeResult({"CALDAV": None}), sealer)
        channel_id = channels_of(session, account.id)[0].id
    return Calendar(url, user, right, email, owner.id, workspace_id, channel_id)


def sync(database: Database, calendar: Calendar) -> Any:
    return sync_calendar(database.engine, config_of(database), calendar.channel_id, Outbox())


def records_of(database: Database, workspace_id: str, name: str) -> list[dict[str, Any]]:
    with transaction(database.engine, write=False) as session:
        store = RecordStore(session, load_catalog(session, workspace_id))
        spec = store.catalog.object_by_singular(name)
        found, after = [], None
        while True:
            page = store.list(spec, ListQuery(limit=200, after=after, count=Count.NONE))
            found += page.records
            if not page.has_next_page:
                return found
            after = page.end_cursor


def events_by_uid(database: Database, workspace_id: str) -> dict[str, list[dict[str, Any]]]:
    by_uid: dict[str, list[dict[str, Any]]] = {}
    for record in records_of(database, workspace_id, "calendarEvent"):
        by_uid.setdefault(record["iCalUID"], []).append(record)
    return by_uid


def outbox_names(database: Database, workspace_id: str) -> Counter[str]:
    events = OutboxEvent.__table__
    with transaction(database.engine, write=False) as session:
        # Inputs: the workspace. Answer: the name of every event its changes wrote.
        names = session.execute(
            sa.select(events.c.event_name).where(events.c.workspace_id == workspace_id)
        ).scalars()
        return Counter(names)


def expected_occurrences(texts: list[str], now: dt.datetime) -> Counter[str]:
    """Occurrences by UID within the window around ``now``, read from the seed itself: a
    recurring event repeats weekly, four times."""
    start, end = now - dt.timedelta(days=DAYS), now + dt.timedelta(days=DAYS)
    counts: Counter[str] = Counter()
    for text in texts:
        event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
        begins, ends = _utc(event["DTSTART"].dt), _utc(event["DTEND"].dt)
        for week in range(4 if "RRULE" in event else 1):
            shift = dt.timedelta(weeks=week)
            if begins + shift < end and ends + shift > start:
                counts[str(event["UID"])] += 1
    return counts


def _utc(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def uid_of(text: str) -> str:
    return re.search(r"^UID:(.+?)\r?$", text, re.M).group(1)


def retitled(text: str, title: str) -> str:
    return re.sub(r"^SUMMARY:.*?\r$", f"SUMMARY:{title}\r", text, count=1, flags=re.M)


def moved(text: str, hours: int) -> str:
    def shift(match: re.Match[str]) -> str:
        value = dt.datetime.strptime(match.group(2), "%Y%m%dT%H%M%SZ") + dt.timedelta(hours=hours)
        return f"{match.group(1)}:{value:%Y%m%dT%H%M%SZ}"

    return re.sub(r"^(DTSTART|DTEND):(\d{8}T\d{6}Z)", shift, text, flags=re.M)


def delete_events(calendar: Calendar, urls: list[str]) -> None:
    with dav_client(calendar.url, calendar.user, calendar.password) as client:
        collection = client.calendar(url=calendar.url)
        for url in urls:
            collection.event_by_url(url).delete()


def create_person(database: Database, workspace_id: str, email: str) -> str:
    with transaction(database.engine) as session:
        store = RecordStore(session, load_catalog(session, workspace_id), Outbox())
        spec = store.catalog.object_by_singular("person")
        person = {"name": {"firstName": "Known", "lastName": "Guest"}}
        return store.create(spec, {**person, "emails": {"primaryEmail": email}})["id"]


def links_of(database: Database, channel_id: str) -> int:
    links = CalendarEventLink.__table__
    with transaction(database.engine, write=False) as session:
        # Inputs: a channel. Answer: how many occurrences it links.
        query = sa.select(sa.func.count()).where(links.c.channel_id == channel_id)
        return session.execute(query).scalar_one()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_first_sync_imports_the_window_and_later_ones_only_what_changed(
    backend: str, radicale: CaldavServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with open_database(backend, tmp_path_factory) as database:
        workspace_id = new_workspace_id(database)
        calendar = connect_calendar(database, radicale, workspace_id)
        now = dt.datetime.now(dt.UTC)
        texts = build_events(
            50, 5, seed=7, window_days=SEED_DAYS, owner=calendar.owner_email, now=now
        )
        urls = put_events(calendar.url, calendar.user, calendar.password, texts)
        guest = icalendar.Calendar.from_ical(texts[0]).walk("VEVENT")[0]["ATTENDEE"][1]
        guest_email = str(guest).removeprefix("mailto:")
        person_id = create_person(database, workspace_id, guest_email)

        first = sync(database, calendar)

        expected = expected_occurrences(texts, now)
        assert sum(expected.values()) > 50  # some repeats inside the window, some outside
        assert first.failure is None
        assert first.imported == sum(expected.values())
        events = events_by_uid(database, workspace_id)
        assert {uid: len(found) for uid, found in events.items()} == dict(expected)
        recurring = events[uid_of(texts[0])]
        assert len({e["startsAt"] for e in recurring}) == len(recurring)
        full_day = [e for found in events.values() for e in found if e["isFullDay"]]
        assert full_day and all(e["startsAt"].endswith("T00:00:00.000Z") for e in full_day)
        assert all(e["conferenceLink"]["primaryLinkUrl"] for f in events.values() for e in f)

        participants = records_of(database, workspace_id, "calendarEventParticipant")
        by_event: dict[str, list[dict[str, Any]]] = {}
        for participant in participants:
            by_event.setdefault(participant["calendarEventId"], []).append(participant)
        for text in texts:
            attendees = len(re.findall(r"^ATTENDEE", text, re.M))
            for event in events[uid_of(text)]:
                people = by_event[event["id"]]
                assert len(people) == attendees  # the organizer attends: one participant
                organizer = next(p for p in people if p["isOrganizer"])
                assert organizer["handle"] == calendar.owner_email
                assert organizer["workspaceMemberId"] == calendar.owner_id
                assert organizer["responseStatus"] == "ACCEPTED"
        statuses = {p["responseStatus"] for p in participants}
        assert statuses <= {"NEEDS_ACTION", "DECLINED", "TENTATIVE", "ACCEPTED"}
        assert "NEEDS_ACTION" in statuses
        known = [p for p in participants if p["handle"] == guest_email]
        assert known and all(p["personId"] == person_id for p in known)
        assert all(p["displayName"] for p in participants)
        before = outbox_names(database, workspace_id)
        assert before["calendarEvent.created"] == first.imported

        second = sync(database, calendar)

        assert (second.imported, second.updated, second.removed) == (0, 0, 0)
        assert second.calendars_skipped == 1
        assert outbox_names(database, workspace_id) == before

        timed = [i for i, text in enumerate(texts) if i >= 5 and "VALUE=DATE" not in text]
        retitle, retime, gone = timed[:2], timed[2:4], timed[4:6]
        changed = [retitled(texts[i], f"Renamed {i}") for i in retitle]
        changed += [moved(texts[i], 1) for i in retime]
        added = build_events(1, 0, seed=99, window_days=5, owner=calendar.owner_email, now=now)
        put_events(calendar.url, calendar.user, calendar.password, changed + added)
        delete_events(calendar, [urls[i] for i in gone])
        ids = {uid: found[0]["id"] for uid, found in events.items()}

        third = sync(database, calendar)

        assert (third.imported, third.updated, third.removed) == (1, 4, 2)
        after = events_by_uid(database, workspace_id)
        for i in retitle:
            (event,) = after[uid_of(texts[i])]
            assert (event["id"], event["title"]) == (ids[uid_of(texts[i])], f"Renamed {i}")
        for i in retime:
            (old,), (new,) = events[uid_of(texts[i])], after[uid_of(texts[i])]
            assert new["id"] == old["id"]
            assert _stamp(new["startsAt"]) - _stamp(old["startsAt"]) == dt.timedelta(hours=1)
        assert not any(uid_of(texts[i]) in after for i in gone)
        assert len(after[uid_of(added[0])]) == 1
        participants = records_of(database, workspace_id, "calendarEventParticipant")
        remaining = {p["calendarEventId"] for p in participants}
        assert not remaining & {ids[uid_of(texts[i])] for i in gone}
        names = outbox_names(database, workspace_id) - before
        assert names["calendarEvent.created"] == 1
        assert names["calendarEventParticipant.created"] == added[0].count("\nATTENDEE")
        assert names["calendarEvent.updated"] == 4
        assert names["calendarEvent.destroyed"] == 2
        assert links_of(database, calendar.channel_id) == sum(map(len, after.values()))


def _stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_shortened_recurrence_drops_the_occurrences_gone(
    sqlite: Database, radicale: CaldavServer
) -> None:
    workspace_id = new_workspace_id(sqlite)
    calendar = connect_calendar(sqlite, radicale, workspace_id)
    (text,) = build_events(1, 1, seed=3, window_days=3, owner=calendar.owner_email)
    put_events(calendar.url, calendar.user, calendar.password, [text])
    assert sync(sqlite, calendar).imported == 4
    first = sorted(events_by_uid(sqlite, workspace_id)[uid_of(text)], key=lambda e: e["startsAt"])

    put_events(calendar.url, calendar.user, calendar.password, [text.replace("COUNT=4", "COUNT=2")])
    report = sync(sqlite, calendar)

    assert (report.imported, report.updated, report.removed) == (0, 0, 2)
    kept = sorted(events_by_uid(sqlite, workspace_id)[uid_of(text)], key=lambda e: e["startsAt"])
    assert [e["id"] for e in kept] == [e["id"] for e in first[:2]]
    assert links_of(sqlite, calendar.channel_id) == 2


def test_one_occurrence_moved_on_its_own_keeps_its_record(
    sqlite: Database, radicale: CaldavServer
) -> None:
    workspace_id = new_workspace_id(sqlite)
    calendar = connect_calendar(sqlite, radicale, workspace_id)
    (text,) = build_events(1, 1, seed=21, window_days=3, owner=calendar.owner_email)
    assert sync(sqlite, calendar) is not None
    put_events(calendar.url, calendar.user, calendar.password, [text])
    assert sync(sqlite, calendar).imported == 4
    before = {e["startsAt"]: e["id"] for e in events_by_uid(sqlite, workspace_id)[uid_of(text)]}
    second = sorted(before)[1]
    original = dt.datetime.fromisoformat(second.replace("Z", "+00:00"))
    override = [
        "BEGIN:VEVENT",
        f"UID:{uid_of(text)}",
        f"DTSTAMP:{original:%Y%m%dT%H%M%SZ}",
        f"RECURRENCE-ID:{original:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{original + dt.timedelta(hours=2):%Y%m%dT%H%M%SZ}",
        f"DTEND:{original + dt.timedelta(hours=3):%Y%m%dT%H%M%SZ}",
        "SUMMARY:Moved",
        "END:VEVENT",
    ]
    changed = text.replace("END:VCALENDAR", "\r\n".join([*override, "END:VCALENDAR"]))
    put_events(calendar.url, calendar.user, calendar.password, [changed])

    report = sync(sqlite, calendar)

    assert (report.imported, report.updated, report.removed) == (0, 1, 0)
    after = {e["id"]: e for e in events_by_uid(sqlite, workspace_id)[uid_of(text)]}
    assert set(after) == set(before.values())
    moved_event = after[before[second]]
    assert moved_event["title"] == "Moved"
    assert _stamp(moved_event["startsAt"]) == original + dt.timedelta(hours=2)


def test_a_wrong_caldav_password_marks_the_channel_failed_naming_caldav(
    sqlite: Database, radicale: CaldavServer
) -> None:
    workspace_id = new_workspace_id(sqlite)
    calendar = connect_calendar(sqlite, radicale, workspace_id, password="not the password")

    report = sync(sqlite, calendar)

    assert report is not None and "CALDAV" in report.failure
    assert "not the password" not in report.failure
    with transaction(sqlite.engine, write=False) as session:
        channel = session.get(AccountChannel, calendar.channel_id)
        assert channel.status == "failed"
        assert "CALDAV" in channel.status_reason
        assert channel.lease_token is None
    assert records_of(sqlite, workspace_id, "calendarEvent") == []


def test_two_calendars_holding_one_event_share_its_record_until_both_let_go(
    sqlite: Database, radicale: CaldavServer
) -> None:
    workspace_id = new_workspace_id(sqlite)
    mine = connect_calendar(sqlite, radicale, workspace_id)
    theirs = connect_calendar(sqlite, radicale, workspace_id)
    (text,) = build_events(1, 0, seed=11, window_days=5, owner=mine.owner_email)
    (my_url,) = put_events(mine.url, mine.user, mine.password, [text])
    (their_url,) = put_events(theirs.url, theirs.user, theirs.password, [text])

    assert sync(sqlite, mine).imported == 1
    assert sync(sqlite, theirs).imported == 0
    (event,) = records_of(sqlite, workspace_id, "calendarEvent")
    assert links_of(sqlite, mine.channel_id) == links_of(sqlite, theirs.channel_id) == 1

    delete_events(mine, [my_url])
    assert sync(sqlite, mine).removed == 0
    with transaction(sqlite.engine) as session:
        store = RecordStore(session, load_catalog(session, workspace_id), Outbox())
        assert remove_orphan_events(session, store, workspace_id) == 0
    assert [e["id"] for e in records_of(sqlite, workspace_id, "calendarEvent")] == [event["id"]]

    delete_events(theirs, [their_url])
    assert sync(sqlite, theirs).removed == 1
    assert records_of(sqlite, workspace_id, "calendarEvent") == []
    assert records_of(sqlite, workspace_id, "calendarEventParticipant") == []


def test_a_server_without_sync_tokens_is_synced_by_ctag_and_etags(
    sqlite: Database, radicale: CaldavServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: caldav.Calendar, *args: object, **kwargs: object) -> None:
        raise caldav.lib.error.ReportError("sync-collection is not supported")

    monkeypatch.setattr(caldav.Calendar, "objects_by_sync_token", refused)
    workspace_id = new_workspace_id(sqlite)
    calendar = connect_calendar(sqlite, radicale, workspace_id)
    texts = build_events(6, 1, seed=5, window_days=3, owner=calendar.owner_email)
    urls = put_events(calendar.url, calendar.user, calendar.password, texts)
    assert sync(sqlite, calendar).imported == 4 + 5

    assert sync(sqlite, calendar).calendars_skipped == 1

    put_events(calendar.url, calendar.user, calendar.password, [retitled(texts[1], "Renamed")])
    delete_events(calendar, [urls[2]])
    report = sync(sqlite, calendar)

    assert (report.imported, report.updated, report.removed) == (0, 1, 1)
    titles = {e["iCalUID"]: e["title"] for e in records_of(sqlite, workspace_id, "calendarEvent")}
    assert titles[uid_of(texts[1])] == "Renamed"
    assert uid_of(texts[2]) not in titles


def test_a_sync_cut_off_midway_resumes_without_importing_twice(
    sqlite: Database, radicale: CaldavServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace_id = new_workspace_id(sqlite)
    calendar = connect_calendar(sqlite, radicale, workspace_id)
    now = dt.datetime.now(dt.UTC)
    texts = build_events(30, 3, seed=13, window_days=SEED_DAYS, owner=calendar.owner_email, now=now)
    put_events(calendar.url, calendar.user, calendar.password, texts)
    fetch, fetched = calendar_sync.fetch_objects, []

    def cut_off(collection: caldav.Calendar, hrefs: list[str]) -> list[Any]:
        if len(fetched) == 2:  # the connection drops before the third batch
            raise ConnectionResetError("connection reset by peer")
        fetched.append(hrefs)
        return fetch(collection, hrefs)

    monkeypatch.setattr(calendar_sync, "fetch_objects", cut_off)
    cut = sync(sqlite, calendar)
    assert "CALDAV" in cut.failure and cut.imported > 0
    monkeypatch.undo()

    resumed = sync(sqlite, calendar)

    expected = expected_occurrences(texts, now)
    assert resumed.failure is None
    assert cut.imported + resumed.imported == sum(expected.values())
    events = events_by_uid(sqlite, workspace_id)
    assert {uid: len(found) for uid, found in events.items()} == dict(expected)
    assert outbox_names(sqlite, workspace_id)["calendarEvent.created"] == sum(expected.values())
