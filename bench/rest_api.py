"""Records over REST against direct SQLAlchemy, on SQLite and PostgreSQL.

For each backend: a fresh database, a workspace and API key, N people, a real
``hookwire serve`` subprocess; then three operations timed over HTTP (one keep-alive
``requests.Session``) and, on the same database in the same run, directly with SQLAlchemy:

* creating one person (``POST /rest/people`` vs the INSERTs of its record and its outbox row
  in one transaction: what the server must write), with the bound no create over HTTP can
  pass: those INSERTs plus one empty request (``GET /healthz``) to the same server;
* a list filtered on ``name.lastName[eq]`` (vs the same SELECT on the same JSON expression,
  plus the count the endpoint returns);
* a page fetched by a cursor deep in the set (vs the same keyset SELECT).

It prints a table of both figures and their ratio, the server process's CPU time per
filtered list and per get-by-id (from ``/proc``), the size of ``record``'s indexes, the plans
of the SQL the server runs for the two reads (captured from ``RecordStore.list`` itself), and
PASS/FAIL against the target of a filtered-list p50 under 25 ms.

Then the production server (``hookwire serve --production``: gunicorn, a worker per CPU) is
started on the same database beside the embedded one, and both serve a get-by-id and the
filtered list to 1, 8 and 32 concurrent keep-alive connections (a thread each, in this
process), in seven rounds of two seconds per cell that alternate the two servers. It
prints the median requests/s and p50 of each, the median of the rounds' production/embedded
ratios (each round runs both back to back, so the machine's swings cancel), how much those
ratios vary, and PASS/FAIL
against the target that the production server is never slower (requests/s) than the embedded
one (a shortfall smaller than the rounds' own variation is reported as such). It prints; it
does not assert.

    python bench/rest_api.py [--backend sqlite|postgres|both] [--people N] [--quick]
                             [--server-seconds S]

``--scale`` measures only the reads (first page, a page after a cursor 90% in, the filtered
list, get-by-id) at 10k, 100k and 1M people (SQLite: to 100k), loaded step by step into one
workspace by bulk INSERTs of ``record`` rows, each p50 beside the same read as plain
SQLAlchemy, alternately; with the size of ``record``'s indexes per 100k rows.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from hookwire.crm.actors import SYSTEM
from hookwire.crm.catalog import ObjectSpec, load_catalog
from hookwire.crm.documents import new_document
from hookwire.crm.expressions import document_expression_sql
from hookwire.crm.field_types import ValueKind
from hookwire.crm.filters import parse_filter
from hookwire.crm.indexes import index_name
from hookwire.crm.query import encode_cursor
from hookwire.crm.records import DEFAULT_LIMIT, MAX_LIMIT, ListQuery, RecordStore
from hookwire.crm.workspaces import create_workspace
from hookwire.database import create_db_engine, migrate, transaction
from hookwire.identity import issue_api_key
from hookwire.models import OutboxEvent, Record, new_id, utcnow

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_FILTER_P50_MS = 25.0
LAST_NAME_PATH = ("name", "lastName")
LAST_NAME_INDEX = index_name(LAST_NAME_PATH, ValueKind.TEXT)
POSITION_INDEX = "ix_record_object_position"
STORE_BATCH = 5_000
HTTP_BATCH = 200
WARMUP = 20
RECORD = Record.__table__
OUTBOX = OutboxEvent.__table__
CPU_REQUESTS = 500  # requests per server CPU figure: ~1 s of CPU, against a 10 ms clock tick


@dataclass(frozen=True)
class Settings:
    """How much to load and how many times to repeat each measurement."""

    people: int
    creates: int
    lists: int
    pages: int
    load: str  # "store" or "http"
    seed: int = 20_261_123
    seconds: float = 2.0  # per round of a cell of the server comparison; 0 skips it

    @property
    def pool_size(self) -> int:
        """Distinct last names: about 100 people share each one (1,000 names for 100,000)."""
        return max(10, self.people // 100)


@dataclass(frozen=True)
class Latency:
    samples: list[float]  # seconds

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] * 1000

    @property
    def per_second(self) -> float:
        return len(self.samples) / sum(self.samples)


@dataclass(frozen=True)
class Row:
    """One line of the results table; ``higher_is_better`` flips the ratio for rates."""

    operation: str
    http: float
    direct: float
    unit: str
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        """How many times the HTTP path costs what the direct one does."""
        return self.direct / self.http if self.higher_is_better else self.http / self.direct


@dataclass(frozen=True)
class Target:
    workspace_id: str
    token: str
    person: ObjectSpec


# --- databases and the server ------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, admin_url: str) -> Iterator[str]:
    """The URL of a new, empty database, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hookwire-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'hookwire.db'}"
        return
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"hookwire_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(
    database_url: str,
    app_secret: str,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    on_start: Callable[[subprocess.Popen], None] = lambda _process: None,
) -> Iterator[str]:
    """Start ``hookwire serve [args]`` on a free port (``on_start`` gets its process); yield
    its base URL; stop it."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update({"DATABASE_URL": database_url, "APP_SECRET": app_secret, **(extra_env or {})})
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hookwire.cli", "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        on_start(process)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_ready(process, base_url, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log_path.read_text()}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # refused, or queued while workers boot
            time.sleep(0.1)
    raise RuntimeError(f"server not ready after 60 s:\n{log_path.read_text()}")


def new_target(engine: Engine, app_secret: str) -> Target:
    """A workspace with the standard objects and an API key, created directly."""
    with transaction(engine) as session:
        workspace = create_workspace(session, f"bench-{secrets.token_hex(4)}")
        token = issue_api_key(session, app_secret, workspace.id, "bench").token
        person = load_catalog(session, workspace.id).object_by_plural("people")
    return Target(workspace.id, token, person)


# --- data ----------------------------------------------------------------------------------


def name_pool(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct pronounceable names (``Kavelo``, ``Mirasu``...)."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    names: set[str] = set()
    while len(names) < size:
        syllables = rng.randint(2, 4)
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
        names.add(word.capitalize())
    return sorted(names)


class People:
    """Random person payloads whose last names come from a fixed pool."""

    def __init__(self, rng: random.Random, pool_size: int) -> None:
        self.rng = rng
        self.last_names = name_pool(rng, pool_size)
        self.first_names = name_pool(rng, 200)
        self.serials = itertools.count(1)  # e-mail addresses are unique per person

    def payload(self) -> dict[str, Any]:
        first, last = self.rng.choice(self.first_names), self.rng.choice(self.last_names)
        return {
            "name": {"firstName": first, "lastName": last},
            "emails": {"primaryEmail": f"{first}.{last}.{next(self.serials)}@example.com"},
            "jobTitle": self.rng.choice(("Engineer", "Analyst", "Founder", "Sales", "")),
            "city": self.rng.choice(("London", "Paris", "Lyon", "Berlin", "Madrid")),
        }

    def batch(self, size: int) -> list[dict[str, Any]]:
        return [self.payload() for _ in range(size)]


def load_with_store(engine: Engine, target: Target, people: People, count: int) -> None:
    """Insert ``count`` people through ``RecordStore.create_many``, one transaction per batch."""
    with transaction(engine) as session:
        catalog = load_catalog(session, target.workspace_id)
    for start in range(0, count, STORE_BATCH):
        with transaction(engine) as session:
            store = RecordStore(session, catalog)
            store.create_many(target.person, people.batch(min(STORE_BATCH, count - start)))


def load_over_http(api: Api, people: People, count: int) -> None:
    """Insert ``count`` people with ``POST /rest/batch/people``, ``HTTP_BATCH`` per request."""
    for start in range(0, count, HTTP_BATCH):
        api.call(
            "POST", "/rest/batch/people", 201, json=people.batch(min(HTTP_BATCH, count - start))
        )


def load_people(
    engine: Engine, api: Api, target: Target, people: People, settings: Settings
) -> str:
    """Load the people; return a line saying how."""
    started = time.perf_counter()
    if settings.load == "http":
        load_over_http(api, people, settings.people)
        how = f"POST /rest/batch/people, {HTTP_BATCH} per request"
    else:
        load_with_store(engine, target, people, settings.people)
        how = f"RecordStore.create_many directly, {STORE_BATCH:,} per transaction"
    elapsed = time.perf_counter() - started
    return (
        f"loaded {settings.people:,} people ({settings.pool_size:,} last names) via {how} "
        f"in {elapsed:.1f} s ({settings.people / elapsed:,.0f}/s)"
    )


def analyze(engine: Engine) -> None:
    """Refresh planner statistics, as PostgreSQL's autovacuum would after a bulk load."""
    with engine.begin() as connection:
        for table in ("record", "search_document"):
            connection.execute(sa.text(f"ANALYZE {table}"))


# --- HTTP ----------------------------------------------------------------------------------


class Api:
    """A keep-alive HTTP client for one workspace."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, f"{self.base_url}{path}", timeout=60, **kwargs)
        if response.status_code != status:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def people(self, **params: Any) -> dict[str, Any]:
        return self.call("GET", "/rest/people", params=params)


def timed(operation: Callable[[int], Any], count: int, warmup: int = 0) -> Latency:
    """Run ``operation(i)`` for i below ``warmup`` untimed, then for the next ``count`` i timed
    (every i once: a create never repeats a warm-up's unique e-mail address)."""
    for i in range(warmup):
        operation(i)
    samples = []
    for i in range(warmup, warmup + count):
        started = time.perf_counter()
        operation(i)
        samples.append(time.perf_counter() - started)
    return Latency(samples)


def deep_cursor(api: Api, position: int) -> tuple[str, int]:
    """Page with the largest limit until about ``position`` records are behind; the cursor."""
    seen, cursor = 0, None
    while seen + MAX_LIMIT <= position:
        params: dict[str, Any] = {"limit": MAX_LIMIT}
        if cursor:
            params["starting_after"] = cursor
        page = api.people(**params)
        seen += len(page["data"]["people"])
        cursor = page["pageInfo"]["endCursor"]
    if cursor is None:
        raise RuntimeError("too few records to page through")
    return cursor, seen


def cursor_values(cursor: str) -> tuple[float, str]:
    """The ``(position, id)`` a default-order cursor carries."""
    position, record_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return float(position), record_id


# --- direct SQLAlchemy ---------------------------------------------------------------------


class Direct:
    """The three operations as plain SQLAlchemy Core on the same tables and expressions."""

    def __init__(self, engine: Engine, target: Target) -> None:
        self.engine = engine
        self.target = target
        dialect = engine.dialect.name
        last_name = sa.literal_column(
            document_expression_sql(dialect, LAST_NAME_PATH, ValueKind.TEXT)
        )
        scope = (
            RECORD.c.object_id == target.person.id,
            RECORD.c.workspace_id == target.workspace_id,
            RECORD.c.deleted_at.is_(None),
        )
        wanted = last_name == sa.bindparam("last_name", type_=sa.String)
        order = (RECORD.c.position.asc(), RECORD.c.id.asc())
        self.filtered = (
            sa.select(RECORD).where(*scope, wanted).order_by(*order).limit(DEFAULT_LIMIT + 1)
        )
        self.filtered_count = sa.select(sa.func.count()).select_from(RECORD).where(*scope, wanted)
        position, record_id = sa.bindparam("position"), sa.bindparam("record_id")
        keyset = sa.and_(
            RECORD.c.position >= position,
            sa.or_(
                RECORD.c.position > position,
                sa.and_(RECORD.c.position == position, RECORD.c.id > record_id),
            ),
        )
        self.page = (
            sa.select(RECORD).where(*scope, keyset).order_by(*order).limit(DEFAULT_LIMIT + 1)
        )

    def insert(self, payload: dict[str, Any]) -> None:
        """The record and its outbox event in one transaction: what a create must write."""
        now = utcnow()
        row = {
            "id": new_id(),
            "workspace_id": self.target.workspace_id,
            "object_id": self.target.person.id,
            "data": new_document(self.target.person, payload, SYSTEM),
            "position": time.time(),
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
        }
        person = self.target.person
        event = OutboxEvent(
            workspace_id=self.target.workspace_id,
            event_name=f"{person.name_singular}.created",
            object_metadata_id=person.id,
            record_id=row["id"],
            payload={
                "nameSingular": person.name_singular,
                "record": {"id": row["id"], **row["data"]},
            },
        )
        with self.engine.begin() as connection:
            connection.execute(sa.insert(RECORD), row)
            connection.execute(sa.insert(OUTBOX), event.model_dump())

    def filtered_list(self, last_name: str) -> tuple[list[Any], int]:
        with self.engine.begin() as connection:
            rows = connection.execute(self.filtered, {"last_name": last_name}).all()
            total = connection.execute(self.filtered_count, {"last_name": last_name}).scalar_one()
        return rows, total

    def deep_page(self, position: float, record_id: str) -> list[Any]:
        with self.engine.begin() as connection:
            params = {"position": position, "record_id": record_id}
            return connection.execute(self.page, params).all()


# --- plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Captured:
    sql: str
    parameters: Any


def server_statements(engine: Engine, target: Target, query: ListQuery) -> list[Captured]:
    """The SELECTs ``RecordStore.list`` sends for ``query`` (the page with its capped count,
    and the planner's estimate past the cap), captured from the driver calls."""
    captured: list[Captured] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "EXPLAIN")):
            captured.append(Captured(statement, parameters))

    with transaction(engine) as session:
        store = RecordStore(session, load_catalog(session, target.workspace_id))
        sa.event.listen(engine, "before_cursor_execute", capture)
        try:
            store.list(target.person, query)
        finally:
            sa.event.remove(engine, "before_cursor_execute", capture)
    return captured


def explain(engine: Engine, statement: Captured) -> list[str]:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement.sql}", statement.parameters
            ).all()
        depth: dict[int, int] = {0: 0}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append(f"{'  ' * (depth[node] - 1)}{detail}")
        return lines
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN ANALYZE {statement.sql}", statement.parameters
        ).all()
    return [row[0] for row in rows]


def one_line(sql: str) -> str:
    return " ".join(sql.split())


def print_plans(engine: Engine, title: str, statements: list[Captured], index: str) -> None:
    keyword = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE"
    print(f"\n-- {title}: the SQL the server runs, with {keyword}")
    labels = ("page and its capped totalCount", "totalCount estimate past the cap")
    for label, statement in zip(labels, statements, strict=False):
        if statement.sql.lstrip().upper().startswith("EXPLAIN"):
            print(f"\n[{label}] {one_line(statement.sql)}")
            continue
        plan = explain(engine, statement)
        uses = "yes" if any(index in line for line in plan) else "NO"
        print(f"\n[{label}] {one_line(statement.sql)}")
        print(f"  parameters: {statement.parameters}")
        for line in plan:
            print(f"    {line}")
        print(f"  uses {index}: {uses}")


# --- one backend ---------------------------------------------------------------------------


def measure_lists(api: Api, direct: Direct, people: People, settings: Settings) -> list[Row]:
    """The filtered list, over HTTP and directly, for the same random last names."""
    names = [people.rng.choice(people.last_names) for _ in range(settings.lists + WARMUP)]
    http = timed(
        lambda i: api.people(filter=f"name.lastName[eq]:{names[i]}"), settings.lists, WARMUP
    )
    plain = timed(lambda i: direct.filtered_list(names[i]), settings.lists, WARMUP)
    label = f"filtered list name.lastName[eq] ({settings.lists} req)"
    return [
        Row(f"{label} p50", http.p50_ms, plain.p50_ms, "ms"),
        Row(f"{label} p99", http.p99_ms, plain.p99_ms, "ms"),
    ]


def measure_pages(
    api: Api, direct: Direct, cursor: str, seen: int, settings: Settings
) -> list[Row]:
    """The page after a deep cursor, over HTTP and as the same keyset SELECT."""
    position, record_id = cursor_values(cursor)
    http = timed(
        lambda _: api.people(starting_after=cursor, limit=DEFAULT_LIMIT), settings.pages, WARMUP
    )
    plain = timed(lambda _: direct.deep_page(position, record_id), settings.pages, WARMUP)
    label = f"page after cursor #{seen:,}, limit {DEFAULT_LIMIT} ({settings.pages} req)"
    return [
        Row(f"{label} p50", http.p50_ms, plain.p50_ms, "ms"),
        Row(f"{label} p99", http.p99_ms, plain.p99_ms, "ms"),
    ]


def measure_creates(api: Api, direct: Direct, people: People, settings: Settings) -> list[Row]:
    """Single creates: ``POST /rest/people`` against one INSERT per transaction."""
    half = settings.creates + WARMUP
    payloads = people.batch(2 * half)
    http = timed(
        lambda i: api.call("POST", "/rest/people", 201, json=payloads[i]), settings.creates, WARMUP
    )
    plain = timed(lambda i: direct.insert(payloads[half + i]), settings.creates, WARMUP)
    empty = timed(lambda _: api.http.get(f"{api.base_url}/healthz", timeout=60), settings.creates)
    label = f"create person ({settings.creates} single POSTs; direct: record + outbox row)"
    # The best any create over HTTP can do: the direct writes plus a request that does
    # nothing (WSGI server, Flask, the client's own side). Its ratio bounds the create's.
    floor = 1 / (1 / plain.per_second + 1 / empty.per_second)
    return [
        Row(label, http.per_second, plain.per_second, "/s", higher_is_better=True),
        Row("  bound: direct + an empty GET /healthz", floor, plain.per_second, "/s", True),
    ]


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time process ``pid`` has used so far (Linux ``/proc``)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(after_name[11]), int(after_name[12])  # fields 14 and 15 of stat
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def server_cpu_ms(api: Api, pid: int, paths: list[str], count: int = CPU_REQUESTS) -> float:
    """Milliseconds of the server process's CPU per GET of ``paths`` (in turn), over ``count``
    sequential requests after a warm-up."""
    for path in paths[:WARMUP]:
        api.call("GET", path)
    before = process_cpu_seconds(pid)
    for i in range(count):
        api.call("GET", paths[i % len(paths)])
    return (process_cpu_seconds(pid) - before) * 1000 / count


def measure_server_cpu(api: Api, pid: int, people: People) -> None:
    """Server CPU per filtered list and per get-by-id, from the process's own CPU time."""
    page = api.people(limit=MAX_LIMIT)["data"]["people"]
    by_id = [f"/rest/people/{record['id']}" for record in page]
    names = [people.rng.choice(people.last_names) for _ in range(50)]
    lists = [f"/rest/people?filter=name.lastName%5Beq%5D%3A{quote(name)}" for name in names]
    print(f"\nserver CPU per request (process CPU time over {CPU_REQUESTS} sequential GETs):")
    for label, paths in (("filtered list name.lastName[eq]", lists), ("get person by id", by_id)):
        print(f"  {label:<32} {server_cpu_ms(api, pid, paths):6.2f} ms")


def figure(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if unit == "/s" else f"{value:,.2f} {unit}"


def print_table(rows: list[Row]) -> None:
    width = max(len(row.operation) for row in rows)
    print(f"\n{'operation':<{width}} | {'HTTP':>12} | {'direct SQLAlchemy':>17} | ratio")
    print(f"{'-' * width}-+-{'-' * 12}-+-{'-' * 17}-+------")
    for row in rows:
        print(
            f"{row.operation:<{width}} | {figure(row.http, row.unit):>12} | "
            f"{figure(row.direct, row.unit):>17} | {row.ratio:5.1f}x"
        )
    print("(ratio: how many times the HTTP figure costs the direct one; higher = more overhead)")


def verdict(backend: str, filtered_p50_ms: float) -> str:
    outcome = "PASS" if filtered_p50_ms < TARGET_FILTER_P50_MS else "FAIL"
    return (
        f"{backend}: filtered list p50 over HTTP {filtered_p50_ms:.2f} ms "
        f"(target < {TARGET_FILTER_P50_MS:.0f} ms): {outcome}"
    )


@dataclass(frozen=True)
class Served:
    """A migrated throwaway database with one workspace, and a server running on it."""

    database_url: str
    app_secret: str
    engine: Engine
    target: Target
    api: Api
    pid: int  # the server process's


@contextmanager
def served_backend(backend: str, admin_url: str) -> Iterator[Served]:
    """A fresh database, a workspace with an API key and ``hookwire serve``; all removed after."""
    app_secret = "bench-" + secrets.token_hex(24)
    with fresh_database(backend, admin_url) as url, tempfile.TemporaryDirectory() as scratch:
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        engine = create_db_engine(url)
        try:
            migrate(engine)
            target = new_target(engine, app_secret)
            log_path = Path(scratch) / "server.log"
            started: list[subprocess.Popen] = []
            with running_server(url, app_secret, log_path, on_start=started.append) as base_url:
                print(f"server: python -m hookwire.cli serve at {base_url} (log {log_path})")
                api = Api(base_url, target.token)
                yield Served(url, app_secret, engine, target, api, started[0].pid)
        finally:
            engine.dispose()


def run_backend(backend: str, admin_url: str, settings: Settings) -> list[str]:
    """Benchmark one backend end to end; return its PASS/FAIL lines."""
    print(f"\n=== {backend} ===")
    with served_backend(backend, admin_url) as served:
        line = bench_server(served, settings, backend)
        if not settings.seconds:
            return [line]
        people = People(random.Random(settings.seed), settings.pool_size)
        return [line, compare_servers(served, people, settings, backend)]


def load_and_analyze(engine: Engine, api: Api, target: Target, settings: Settings) -> People:
    """Load the people (printing how), refresh PostgreSQL's statistics; the payload source."""
    people = People(random.Random(settings.seed), settings.pool_size)
    print(load_people(engine, api, target, people, settings))
    if engine.dialect.name == "postgresql":
        analyze(engine)
        print("ran ANALYZE record (what autovacuum does shortly after a bulk load)")
    else:
        print("no ANALYZE on SQLite (hookwire never runs it: the planner has no statistics)")
    return people


def bench_server(served: Served, settings: Settings, backend: str) -> str:
    """Load, measure, explain; return the PASS/FAIL line."""
    engine, api, target = served.engine, served.api, served.target
    people = load_and_analyze(engine, api, target, settings)
    print("\n" + index_size_line(engine))
    direct = Direct(engine, target)
    cursor, seen = deep_cursor(api, int(settings.people * 0.9))
    lists = measure_lists(api, direct, people, settings)
    pages = measure_pages(api, direct, cursor, seen, settings)
    rows = [*measure_creates(api, direct, people, settings), *lists, *pages]  # reads on N rows
    print_table(rows)
    measure_server_cpu(api, served.pid, people)

    last_name = people.last_names[0]
    filtered = ListQuery(filter=parse_filter(f"name.lastName[eq]:{last_name}"))
    title = f"filtered list (name.lastName[eq]:{last_name})"
    print_plans(engine, title, server_statements(engine, target, filtered), LAST_NAME_INDEX)
    page = ListQuery(limit=DEFAULT_LIMIT, after=cursor)
    title = f"page after cursor #{seen:,}"
    print_plans(engine, title, server_statements(engine, target, page), POSITION_INDEX)
    line = verdict(backend, lists[0].http)
    print(f"\n{line}")
    return line


# --- the production server beside the embedded one ----------------------------------------

CONCURRENCY = (1, 8, 32)
# Per cell and server: many short rounds rather than a few long ones, so that the machine's
# slow swings in speed (measured: 20-30% over tens of seconds on a shared VM) hit both alike.
ROUNDS = 7
PRODUCTION_ARGS = ("--production",)  # default workers (one per CPU, at least 2) and threads


@dataclass(frozen=True)
class Throughput:
    requests: int
    seconds: float
    p50_ms: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def drive(
    base_url: str, token: str, paths: list[str], connections: int, seconds: float
) -> Throughput:
    """``connections`` threads, each with its own keep-alive connection, send GETs of ``paths``
    (in turn) back to back for ``seconds`` after a warm-up; requests/s and the p50."""
    url = urlsplit(base_url)
    headers = {"Authorization": f"Bearer {token}"}
    start = threading.Barrier(connections + 1)
    stop = threading.Event()
    samples: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def client(n: int) -> None:
        http = HTTPConnection(url.hostname, url.port, timeout=60)
        try:
            for i in range(3):  # warm-up: the connection, the caches
                http.request("GET", paths[(n + i) % len(paths)], headers=headers)
                http.getresponse().read()
            start.wait()
            i = n
            while not stop.is_set():
                began = time.perf_counter()
                http.request("GET", paths[i % len(paths)], headers=headers)
                response = http.getresponse()
                response.read()
                samples[n].append(time.perf_counter() - began)
                errors[n] += response.status != 200
                i += 1
        finally:
            http.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = [sample for mine in samples for sample in mine]
    return Throughput(len(latencies), elapsed, statistics.median(latencies) * 1000, sum(errors))


@dataclass(frozen=True)
class ServerRow:
    operation: str
    connections: int
    embedded: list[Throughput]  # one per round
    production: list[Throughput]

    @staticmethod
    def rate(rounds: list[Throughput]) -> float:
        return statistics.median(r.per_second for r in rounds)

    @staticmethod
    def p50_ms(rounds: list[Throughput]) -> float:
        return statistics.median(r.p50_ms for r in rounds)

    @property
    def round_ratios(self) -> list[float]:
        """Per round, the production server's requests/s over the embedded one's: the two ran
        back to back, so a swing of the machine's speed mostly cancels out."""
        pairs = zip(self.production, self.embedded, strict=True)
        return [production.per_second / embedded.per_second for production, embedded in pairs]

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios."""
        return statistics.median(self.round_ratios)

    @property
    def noise(self) -> float:
        """How far a round's ratio typically strays from the median (median absolute
        deviation, 0.03: 3 points)."""
        return statistics.median(abs(r - self.ratio) for r in self.round_ratios)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.embedded + self.production)


def compare_servers(served: Served, people: People, settings: Settings, backend: str) -> str:
    """Get-by-id and the filtered list at 1, 8 and 32 connections on ``hookwire serve`` (the
    one running) and ``hookwire serve --production`` (started here on the same database),
    in ``ROUNDS`` rounds per cell that alternate the two servers (and which goes first), so
    that load from elsewhere hits both alike and each cell shows its own noise."""
    page = served.api.people(limit=MAX_LIMIT)["data"]["people"]
    by_id = [f"/rest/people/{record['id']}" for record in page]
    names = [people.rng.choice(people.last_names) for _ in range(50)]
    lists = [f"/rest/people?filter=name.lastName%5Beq%5D%3A{quote(name)}" for name in names]
    operations = {"get person by id": by_id, "filtered list name.lastName[eq]": lists}
    with tempfile.TemporaryDirectory() as scratch:
        log_path = Path(scratch) / "production.log"
        with running_server(
            served.database_url, served.app_secret, log_path, args=PRODUCTION_ARGS
        ) as production_url:
            print(f"\nproduction server: hookwire serve --production at {production_url}")
            urls = {"embedded": served.api.base_url, "production": production_url}
            rows = []
            for operation, paths in operations.items():
                for connections in CONCURRENCY:
                    measured: dict[str, list[Throughput]] = {kind: [] for kind in urls}
                    for round_number in range(ROUNDS):
                        order = list(urls) if round_number % 2 else list(urls)[::-1]
                        for kind in order:
                            measured[kind].append(
                                drive(
                                    urls[kind],
                                    served.target.token,
                                    paths,
                                    connections,
                                    settings.seconds,
                                )
                            )
                    rows.append(ServerRow(operation, connections, **measured))
    print_server_table(rows, settings.seconds)
    slowest = min(rows, key=lambda row: row.ratio)
    if slowest.ratio >= 1:
        outcome = "PASS"
    elif slowest.ratio >= 1 - slowest.noise:
        outcome = f"PASS within noise (its rounds' ratios vary by {slowest.noise:.0%})"
    else:
        outcome = f"FAIL (beyond its rounds' {slowest.noise:.0%} variation)"
    return (
        f"{backend}: production / embedded requests/s at its lowest {slowest.ratio:.2f}x "
        f"({slowest.operation}, {slowest.connections} connections; target >= 1.00x): {outcome}"
    )


def print_server_table(rows: list[ServerRow], seconds: float) -> None:
    width = max(len(row.operation) for row in rows)
    print(
        f"\n{ROUNDS} rounds of {seconds:g} s per cell and server, alternating; median "
        "requests/s and p50 per server; each connection a thread"
    )
    print(
        f"{'operation':<{width}} | conns | {'embedded req/s':>14} {'p50':>9} | "
        f"{'production req/s':>16} {'p50':>9} | ratio | noise"
    )
    print(f"{'-' * width}-+-------+-{'-' * 24}-+-{'-' * 26}-+-------+------")
    for row in rows:
        print(
            f"{row.operation:<{width}} | {row.connections:>5} | "
            f"{row.rate(row.embedded):>14,.0f} {row.p50_ms(row.embedded):>6.2f} ms | "
            f"{row.rate(row.production):>16,.0f} {row.p50_ms(row.production):>6.2f} ms | "
            f"{row.ratio:4.2f}x | {row.noise:4.0%}"
            + (f"  ({row.errors} non-200 answers)" if row.errors else "")
        )
    print(
        "(ratio: the median over rounds of production requests/s over embedded in the same "
        "round; noise: how far a round's ratio typically strays from it; target: ratio >= 1.00x "
        "in every row)"
    )


# --- scale: the same reads at 10k, 100k and 1M people ----------------------------------------

SCALE_STEPS = {"postgres": (10_000, 100_000, 1_000_000), "sqlite": (10_000, 100_000)}
QUICK_SCALE_STEPS = (1_000, 10_000)
SCALE_BATCH = 10_000
SCALE_REQUESTS = 200
SCALE_TARGET_MS = 25.0
ID_SAMPLE_EVERY = 500  # every 500th inserted id is kept for the get-by-id figures


class ScaleDirect(Direct):
    """The scale reads as plain SQLAlchemy Core: what the endpoints cost without HTTP, JSON
    and the API's work."""

    def __init__(self, engine: Engine, target: Target) -> None:
        super().__init__(engine, target)
        scope = (
            RECORD.c.object_id == target.person.id,
            RECORD.c.workspace_id == target.workspace_id,
            RECORD.c.deleted_at.is_(None),
        )
        order = (RECORD.c.position.asc(), RECORD.c.id.asc())
        self.first = sa.select(RECORD).where(*scope).order_by(*order).limit(DEFAULT_LIMIT + 1)
        self.one = sa.select(RECORD).where(
            RECORD.c.workspace_id == target.workspace_id,
            RECORD.c.id == sa.bindparam("record_id"),
        )

    def first_page(self) -> list[Any]:
        with self.engine.begin() as connection:
            return connection.execute(self.first).all()

    def by_id(self, record_id: str) -> Any:
        with self.engine.begin() as connection:
            return connection.execute(self.one, {"record_id": record_id}).one()


def bulk_insert_people(
    engine: Engine, target: Target, people: People, start: int, count: int
) -> list[str]:
    """Insert people ``start`` to ``start + count`` as plain INSERTs of ``record`` rows
    (``SCALE_BATCH`` per statement and transaction), positions in insertion order; return a
    sample of their ids. Only the rows lists and reads touch are written (no unique keys, no
    search index): a million load in minutes, not the hours ``create_many`` would take."""
    sample: list[str] = []
    for batch_start in range(start, start + count, SCALE_BATCH):
        size = min(SCALE_BATCH, start + count - batch_start)
        now = utcnow()
        rows = [
            {
                "id": new_id(),
                "workspace_id": target.workspace_id,
                "object_id": target.person.id,
                "data": new_document(target.person, payload, SYSTEM),
                "position": float(batch_start + index),
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
            }
            for index, payload in enumerate(people.batch(size))
        ]
        with engine.begin() as connection:
            connection.execute(sa.insert(RECORD), rows)
        sample.extend(row["id"] for row in rows[::ID_SAMPLE_EVERY])
    return sample


def cursor_at(engine: Engine, target: Target, offset: int) -> str:
    """The cursor of the live person at ``offset`` in the default order, read directly."""
    statement = (
        sa.select(RECORD.c.position, RECORD.c.id)
        .where(
            RECORD.c.object_id == target.person.id,
            RECORD.c.workspace_id == target.workspace_id,
            RECORD.c.deleted_at.is_(None),
        )
        .order_by(RECORD.c.position, RECORD.c.id)
        .offset(offset)
        .limit(1)
    )
    with engine.connect() as connection:
        position, record_id = connection.execute(statement).one()
    return encode_cursor([position, record_id])


def paired(
    http: Callable[[int], Any], direct: Callable[[int], Any], count: int
) -> tuple[Latency, Latency]:
    """``http(i)`` and ``direct(i)`` alternately, so the machine's swings hit both alike."""
    for i in range(WARMUP):
        http(i)
        direct(i)
    http_samples, direct_samples = [], []
    for i in range(WARMUP, WARMUP + count):
        for operation, samples in ((http, http_samples), (direct, direct_samples)):
            started = time.perf_counter()
            operation(i)
            samples.append(time.perf_counter() - started)
    return Latency(http_samples), Latency(direct_samples)


@dataclass(frozen=True)
class ScaleRow:
    operation: str
    people: int
    http: Latency
    direct: Latency
    total_count: int | None = None  # what the list answered as totalCount

    @property
    def passed(self) -> bool:
        return self.http.p50_ms < SCALE_TARGET_MS


def measure_scale(
    api: Api, direct: ScaleDirect, people: People, ids: list[str], size: int, requests: int
) -> list[ScaleRow]:
    """First page, deep page (90% in), filtered list and get-by-id at ``size`` people."""
    engine, target = direct.engine, direct.target
    cursor = cursor_at(engine, target, int(size * 0.9))
    position, record_id = cursor_values(cursor)
    names = [people.rng.choice(people.last_names) for _ in range(requests + WARMUP)]
    picks = [people.rng.choice(ids) for _ in range(requests + WARMUP)]
    first = api.people(limit=DEFAULT_LIMIT)["totalCount"]
    deep = api.people(starting_after=cursor, limit=DEFAULT_LIMIT)["totalCount"]
    filtered = api.people(filter=f"name.lastName[eq]:{names[0]}")["totalCount"]
    return [
        ScaleRow(
            "first page",
            size,
            *paired(
                lambda _: api.people(limit=DEFAULT_LIMIT),
                lambda _: direct.first_page(),
                requests,
            ),
            first,
        ),
        ScaleRow(
            f"page after cursor #{int(size * 0.9):,}",
            size,
            *paired(
                lambda _: api.people(starting_after=cursor, limit=DEFAULT_LIMIT),
                lambda _: direct.deep_page(position, record_id),
                requests,
            ),
            deep,
        ),
        ScaleRow(
            "filtered list name.lastName[eq]",
            size,
            *paired(
                lambda i: api.people(filter=f"name.lastName[eq]:{names[i]}"),
                lambda i: direct.filtered_list(names[i]),
                requests,
            ),
            filtered,
        ),
        ScaleRow(
            "get person by id",
            size,
            *paired(
                lambda i: api.call("GET", f"/rest/people/{picks[i]}"),
                lambda i: direct.by_id(picks[i]),
                requests,
            ),
        ),
    ]


def index_size_line(engine: Engine) -> str:
    """The ``record`` table's index and heap sizes per 100k rows (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return "index size: not measured on SQLite"
    with engine.connect() as connection:
        indexes, heap, rows, count = connection.execute(
            sa.text(
                "SELECT pg_indexes_size('record'), pg_table_size('record'), "
                "(SELECT count(*) FROM record), "
                "(SELECT count(*) FROM pg_indexes WHERE tablename = 'record')"
            )
        ).one()
    per = 100_000 / max(rows, 1) / 2**20
    return (
        f"record: {rows:,} rows, {count} indexes; per 100k records: indexes "
        f"{indexes * per:,.1f} MB, table {heap * per:,.1f} MB"
    )


def print_scale_table(rows: list[ScaleRow]) -> None:
    width = max(len(row.operation) for row in rows)
    print(
        f"\n{'operation':<{width}} | {'people':>9} | {'HTTP p50':>10} | {'direct p50':>10} | "
        f"ratio | {'totalCount':>10} | target < {SCALE_TARGET_MS:.0f} ms"
    )
    print(f"{'-' * width}-+-{'-' * 9}-+-{'-' * 10}-+-{'-' * 10}-+-------+-{'-' * 10}-+-------")
    for row in rows:
        count = "" if row.total_count is None else f"{row.total_count:,}"
        print(
            f"{row.operation:<{width}} | {row.people:>9,} | {row.http.p50_ms:>7.2f} ms | "
            f"{row.direct.p50_ms:>7.2f} ms | {row.http.p50_ms / row.direct.p50_ms:4.1f}x | "
            f"{count:>10} | {'PASS' if row.passed else 'FAIL'}"
        )


def flatness(rows: list[ScaleRow]) -> list[str]:
    """Per operation, the p50 at the largest size over the p50 at the smallest."""
    lines = []
    for operation in dict.fromkeys(row.operation.split(" #")[0] for row in rows):
        mine = [row for row in rows if row.operation.split(" #")[0] == operation]
        smallest, largest = mine[0], mine[-1]
        lines.append(
            f"  {operation}: {smallest.http.p50_ms:.2f} ms at {smallest.people:,} -> "
            f"{largest.http.p50_ms:.2f} ms at {largest.people:,} "
            f"({largest.http.p50_ms / smallest.http.p50_ms:.2f}x)"
        )
    return lines


def run_scale(backend: str, admin_url: str, steps: tuple[int, ...], requests: int) -> list[str]:
    """Load people step by step into one workspace and measure the reads at each size;
    return the verdict lines."""
    print(f"\n=== {backend}: scale {', '.join(f'{n:,}' for n in steps)} people ===")
    with served_backend(backend, admin_url) as served:
        people = People(random.Random(20_261_123), max(10, steps[-1] // 100))
        direct = ScaleDirect(served.engine, served.target)
        ids: list[str] = []
        rows: list[ScaleRow] = []
        loaded = 0
        for size in steps:
            started = time.perf_counter()
            ids += bulk_insert_people(served.engine, served.target, people, loaded, size - loaded)
            elapsed = time.perf_counter() - started
            print(
                f"\nloaded {size - loaded:,} people (to {size:,}) by bulk INSERT in "
                f"{elapsed:.1f} s ({(size - loaded) / elapsed:,.0f}/s)"
            )
            loaded = size
            if served.engine.dialect.name == "postgresql":
                analyze(served.engine)
            print(index_size_line(served.engine))
            step_rows = measure_scale(served.api, direct, people, ids, size, requests)
            print_scale_table(step_rows)
            rows += step_rows
    print(f"\n{backend}: HTTP p50 at the largest size over the smallest (flat: about 1x)")
    lines = flatness(rows)
    print("\n".join(lines))
    largest = [row for row in rows if row.people == steps[-1]]
    return [
        f"{backend} at {row.people:,}: {row.operation} p50 {row.http.p50_ms:.2f} ms "
        f"(direct {row.direct.p50_ms:.2f} ms; target < {SCALE_TARGET_MS:.0f} ms): "
        f"{'PASS' if row.passed else 'FAIL'}"
        for row in largest
    ]


def scale_main(args: argparse.Namespace) -> None:
    """``--scale``: the reads at growing sizes, per backend."""
    backends, admin_url = backends_from(args)
    requests = 50 if args.quick else SCALE_REQUESTS
    verdicts = []
    for backend in backends:
        steps = QUICK_SCALE_STEPS if args.quick else SCALE_STEPS[backend]
        verdicts += run_scale(backend, admin_url, steps, requests)
    print(f"\n=== targets: p50 < {SCALE_TARGET_MS:.0f} ms at the largest size, flat in N ===")
    print("\n".join(verdicts))


# --- command line --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server-seconds",
        type=float,
        default=None,
        help="seconds per cell of the embedded/production comparison (default 2, quick 1; "
        "0 skips it)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="only the reads at 10k, 100k and 1M people (SQLite: to 100k), bulk loaded",
    )
    return parser.parse_args(argv)


def argument_parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark here takes: backend, PostgreSQL URL, size, load, quick."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres", "both"),
        default=None,
        help="default: both when a PostgreSQL URL is given, else sqlite",
    )
    parser.add_argument(
        "--postgres-url",
        default=None,
        help="admin URL to create a throwaway database from "
        "(default: $HOOKWIRE_TEST_DATABASE_URL or " + DEFAULT_ADMIN_URL + ")",
    )
    parser.add_argument("--people", type=int, default=None, help="default 100,000 (5,000 quick)")
    parser.add_argument(
        "--load",
        choices=("store", "http"),
        default="store",
        help="bulk load through RecordStore (default) or POST /rest/batch",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: few people, few requests"
    )
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    seconds = getattr(args, "server_seconds", None)
    if args.quick:
        return Settings(
            people=args.people or 5_000,
            creates=50,
            lists=50,
            pages=50,
            load=args.load,
            seconds=1.0 if seconds is None else seconds,
        )
    return Settings(
        people=args.people or 100_000,
        creates=500,
        lists=300,
        pages=300,
        load=args.load,
        seconds=2.0 if seconds is None else seconds,
    )


def backends_from(args: argparse.Namespace) -> tuple[list[str], str]:
    given_url = args.postgres_url or os.environ.get("HOOKWIRE_TEST_DATABASE_URL")
    choice = args.backend or ("both" if given_url else "sqlite")
    backends = ["sqlite", "postgres"] if choice == "both" else [choice]
    return backends, given_url or DEFAULT_ADMIN_URL


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.scale:
        scale_main(args)
        return
    settings = settings_from(args)
    backends, admin_url = backends_from(args)
    print(
        f"hookwire REST benchmark: {settings.people:,} people, {settings.creates} creates, "
        f"{settings.lists} filtered lists, {settings.pages} deep pages on {', '.join(backends)}"
    )
    verdicts = [run_backend(backend, admin_url, settings) for backend in backends]
    print("\n=== target: filtered list p50 < 25 ms ===")
    for lines in verdicts:
        print(lines[0])
    if settings.seconds:
        print("\n=== target: the production server never slower than the embedded one ===")
        for lines in verdicts:
            print(lines[1])


if __name__ == "__main__":
    main()
