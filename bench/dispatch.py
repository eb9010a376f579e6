"""Webhook dispatch end to end, embedded and on RQ, against a plain keep-alive ceiling.

Every figure is measured in one run on this machine, with real processes: a ``hookwire serve``
server (and, for RQ, a private ``redis-server`` and ``hookwire worker`` processes), and a
receiver in its own process that answers 200 and notes when it answered each event.

* throughput: a backlog of events (records created in batches of 50) delivered to one webhook;
  deliveries/s from the first answer to the last (RQ workers start once the backlog is
  written; the embedded dispatcher delivers while it is written), and the latency of each
  event (``eventDate`` → answered) under that load;
* latency at half the measured rate (records written in small batches every 50 ms), where
  what it shows is the wake-up on commit and the path itself rather than a backlog;
* the ceiling: the same receiver hit by plain ``requests.Session`` keep-alive loops, one per
  process, from as many processes as the mode delivers from (1 embedded, N workers for RQ;
  RQ runs once per worker count given);
* fan-out: one event to 100 webhooks, commit → last answer;
* REST create latency (paced at 2/s) with 0 and with 100 subscribed webhooks.

    python bench/dispatch.py [--modes embedded-sqlite,embedded-postgres,rq-postgres]
                             [--events N] [--workers 1,2,4] [--quick]

It prints; it does not assert. Targets: every mode at least 80% of its ceiling (throughput
follows the ceiling as workers are added); p99 commit -> answer under 100 ms at half the
rate; create latency with 100 subscribers within 1.2x of none.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from hookwire.database import create_db_engine, migrate
from rest_api import (
    DEFAULT_ADMIN_URL,
    Api,
    Latency,
    free_port,
    fresh_database,
    new_target,
    running_server,
)

FANOUT_WEBHOOKS = 100
BATCH = 50
TARGET_SHARE = 0.8
TARGET_PACED_P99_MS = 100.0
TARGET_CREATE_RATIO = 1.2
PACE_TICK = 0.05  # seconds between two writes of the paced run
HOOKS_ENV = {"HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}


@dataclass(frozen=True)
class Settings:
    events: int
    paced_seconds: float
    creates: int
    fanout_rounds: int
    workers: list[int]


# --- the receiver: its own process, so its work never competes with the bench's ------------


def serve_receiver(port: int) -> None:
    """Answer every POST with 200; keep (path, eventDate, record id, answered at) per POST."""
    arrivals: list[tuple[str, str | None, str | None, float]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            answered = time.time()
            try:
                event = json.loads(body)
                noted = (self.path, event.get("eventDate"), event["record"]["id"], answered)
            except (ValueError, KeyError, TypeError):
                noted = (self.path, None, None, answered)
            with lock:
                arrivals.append(noted)

        def do_GET(self) -> None:
            with lock:
                payload = json.dumps(arrivals).encode()
            self._reply(payload)

        def do_DELETE(self) -> None:
            with lock:
                arrivals.clear()
            self._reply(b"[]")

        def _reply(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


@dataclass(frozen=True)
class Arrival:
    path: str
    event_date: float | None
    record_id: str | None
    answered: float


class ReceiverProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "receiver", "--port", str(self.port)]
        )
        self.http = requests.Session()
        deadline = time.monotonic() + 20
        while True:
            try:
                self.reset()
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def reset(self) -> None:
        self.http.delete(self.url + "/arrivals", timeout=10)

    def arrivals(self, path: str) -> list[Arrival]:
        rows = self.http.get(self.url + "/arrivals", timeout=30).json()
        return [
            Arrival(p, _epoch(date) if date else None, record_id, answered)
            for p, date, record_id, answered in rows
            if p == path
        ]

    def wait(self, path: str, count: int, timeout: float = 180) -> list[Arrival]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.arrivals(path)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(got)} of {count} deliveries reached {path}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# --- the ceiling: plain keep-alive loops, one per process ----------------------------------


def ceiling_loop(url: str, count: int) -> None:
    """POST a representative signed event ``count`` times; print start and end times."""
    body = json.dumps(
        {
            "eventName": "person.created",
            "objectMetadata": {"id": secrets.token_hex(16), "nameSingular": "person"},
            "workspaceId": secrets.token_hex(16),
            "webhookId": secrets.token_hex(16),
            "eventDate": "2026-01-01T00:00:00.000Z",
            "record": {"id": secrets.token_hex(16), "name": {"firstName": "A", "lastName": "B"}},
        }
    )
    headers = {
        "Content-Type": "application/json",
        "webhook-id": secrets.token_hex(16),
        "webhook-timestamp": "1767225600",
        "webhook-signature": "v1," + secrets.token_urlsafe(32),
        "X-Twenty-Webhook-Signature": secrets.token_hex(32),
    }
    session = requests.Session()
    started = time.time()
    for _ in range(count):
        session.post(url, data=body, headers=headers, timeout=10).content  # noqa: B018
    print(json.dumps([started, time.time()]))


def measure_ceiling(receiver: ReceiverProcess, processes: int, count: int) -> float:
    """Requests per second from ``processes`` keep-alive loops together."""
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "ceiling",
                "--url",
                receiver.url + "/ceiling",
                "--count",
                str(count),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    spans = [json.loads(child.communicate(timeout=300)[0]) for child in children]
    return processes * count / (max(end for _, end in spans) - min(start for start, _ in spans))


# --- a deployment under test ----------------------------------------------------------------


@dataclass
class Deployment:
    mode: str
    api: Api
    receiver: ReceiverProcess
    processes: int  # how many processes deliver
    start_workers: Callable[[], None]  # RQ: workers start once the throughput backlog exists

    def subscribe(self, path: str) -> str:
        body = {"targetUrl": self.receiver.url + path, "operations": ["person.created"]}
        return self.api.call("POST", "/rest/webhooks", 201, json=body)["data"]["createWebhook"][
            "id"
        ]

    def unsubscribe(self, webhook_id: str) -> None:
        self.api.call("DELETE", f"/rest/webhooks/{webhook_id}")

    def create_one(self, tag: str) -> str:
        body = {"name": {"firstName": "Bench", "lastName": tag}}
        return self.api.call("POST", "/rest/people", 201, json=body)["data"]["createPerson"]["id"]


@contextmanager
def private_redis(directory: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not on PATH; the RQ mode needs it")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--logfile", str(directory / "redis.log")],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout:
                break
            time.sleep(0.05)
        yield url
    finally:
        process.kill()
        process.wait()


@contextmanager
def workers(count: int, env: dict[str, str], directory: Path) -> Iterator[None]:
    processes = []
    for index in range(count):
        log = open(directory / f"worker-{index}.log", "w")  # noqa: SIM115 - closed below
        processes.append(
            (
                subprocess.Popen(
                    [sys.executable, "-m", "hookwire.cli", "worker"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )
    try:
        yield
    finally:
        for process, log in processes:
            process.terminate()
            process.wait(timeout=10)
            log.close()


@contextmanager
def deployment(
    mode: str, worker_count: int, receiver: ReceiverProcess, settings: Settings, admin_url: str
) -> Iterator[Deployment]:
    backend = mode.split("-")[1]
    app_secret = "bench-" + secrets.token_hex(24)
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(backend, admin_url))
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        engine = create_db_engine(url)
        migrate(engine)
        target = new_target(engine, app_secret)
        engine.dispose()
        env = dict(HOOKS_ENV)
        processes = 1
        if mode.startswith("rq"):
            env["REDIS_URL"] = stack.enter_context(private_redis(directory))
            worker_env = {
                **os.environ,
                "DATABASE_URL": url,
                "APP_SECRET": app_secret,
                **env,
            }
            processes = worker_count
        base_url = stack.enter_context(
            running_server(url, app_secret, directory / "server.log", env)
        )

        def start_workers() -> None:
            if mode.startswith("rq"):
                stack.enter_context(workers(worker_count, worker_env, directory))

        try:
            yield Deployment(mode, Api(base_url, target.token), receiver, processes, start_workers)
        except Exception:
            for log in sorted(directory.glob("*.log")):
                print(
                    f"--- {log.name} (last 40 lines)\n"
                    + "\n".join(log.read_text().splitlines()[-40:])
                )
            raise


# --- measurements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    per_second: float
    latency: Latency


def measure_throughput(run: Deployment, events: int) -> Throughput:
    """Drain rate: first answer to last. RQ workers start once the whole backlog is written;
    the embedded dispatcher, which cannot wait, delivers while the bench is still writing."""
    run.receiver.reset()
    webhook = run.subscribe("/throughput")
    for start in range(0, events, BATCH):
        size = min(BATCH, events - start)
        people = [{"name": {"firstName": "Bench", "lastName": str(start + i)}} for i in range(size)]
        run.api.call("POST", "/rest/batch/people", 201, json=people)
    run.start_workers()
    arrivals = run.receiver.wait("/throughput", events)
    run.unsubscribe(webhook)
    first_answer = min(a.answered for a in arrivals)
    last_answer = max(a.answered for a in arrivals)
    delays = [a.answered - a.event_date for a in arrivals if a.event_date]
    return Throughput(len(arrivals) / (last_answer - first_answer), Latency(delays))


def measure_paced_latency(run: Deployment, seconds: float, rate: float) -> Latency:
    """Commit → answer while ``rate`` events/s are written, a batch every ``PACE_TICK``."""
    run.receiver.reset()
    webhook = run.subscribe("/paced")
    size = max(1, round(rate * PACE_TICK))
    ticks = max(1, round(seconds / PACE_TICK))
    started = time.monotonic()
    for tick in range(ticks):
        people = [{"name": {"firstName": "Paced", "lastName": f"{tick}.{i}"}} for i in range(size)]
        run.api.call("POST", "/rest/batch/people", 201, json=people)
        time.sleep(max(0.0, started + (tick + 1) * PACE_TICK - time.monotonic()))
    events = ticks * size
    arrivals = run.receiver.wait("/paced", events)
    run.unsubscribe(webhook)
    return Latency([a.answered - a.event_date for a in arrivals if a.event_date])


def measure_creates(run: Deployment, count: int, rate: float = 2.0) -> Latency:
    """Single creates at a pace the dispatcher sustains with 100 webhooks (200 deliveries/s)."""
    samples = []
    for index in range(count):
        started = time.perf_counter()
        run.create_one(f"create {index}")
        elapsed = time.perf_counter() - started
        samples.append(elapsed)
        time.sleep(max(0.0, 1 / rate - elapsed))
    return Latency(samples)


def measure_fanout(run: Deployment, rounds: int) -> Latency:
    """Commit → the 100th answer, for one event at a time; the webhooks stay subscribed."""
    paths = [f"/fanout/{index}" for index in range(FANOUT_WEBHOOKS)]
    for path in paths:
        run.subscribe(path)
    spans = []
    for _ in range(rounds):
        run.receiver.reset()
        record_id = run.create_one("fan-out")
        deadline = time.monotonic() + 120
        while True:
            rows = run.receiver.http.get(run.receiver.url + "/arrivals", timeout=30).json()
            mine = [row for row in rows if row[2] == record_id]
            if len(mine) >= FANOUT_WEBHOOKS:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"fan-out: {len(mine)} of {FANOUT_WEBHOOKS} arrived")
            time.sleep(0.05)
        spans.append(max(row[3] for row in mine) - _epoch(mine[0][1]))
    return Latency(spans)


@dataclass(frozen=True)
class ModeResult:
    mode: str
    processes: int
    paced_rate: float
    throughput: Throughput
    paced: Latency
    ceiling: float
    fanout: Latency
    create_without: Latency
    create_with: Latency


def run_mode(mode: str, workers: int, settings: Settings, admin_url: str) -> ModeResult:
    print(f"\n=== {mode}{f' ({workers} workers)' if mode.startswith('rq') else ''} ===", flush=True)
    receiver = ReceiverProcess()
    try:
        with deployment(mode, workers, receiver, settings, admin_url) as run:
            create_without = measure_creates(run, settings.creates)
            throughput = measure_throughput(run, settings.events)
            print(f"throughput: {throughput.per_second:,.0f} deliveries/s", flush=True)
            paced_rate = throughput.per_second / 2
            paced = measure_paced_latency(run, settings.paced_seconds, paced_rate)
            fanout = measure_fanout(run, settings.fanout_rounds)
            create_with = measure_creates(run, settings.creates)
        # The deployment is stopped: the ceiling has the machine to itself, as the mode did.
        ceiling = measure_ceiling(receiver, run.processes, settings.events // run.processes)
    finally:
        receiver.stop()
    return ModeResult(
        mode,
        run.processes,
        paced_rate,
        throughput,
        paced,
        ceiling,
        fanout,
        create_without,
        create_with,
    )


# --- report ---------------------------------------------------------------------------------


def print_report(results: list[ModeResult]) -> None:
    print("\nend to end: record committed -> receiver answered 200")
    header = (
        f"{'mode':<18} | {'procs':>5} | {'deliveries/s':>12} | {'ceiling/s':>9} | {'share':>6} | "
        f"{'p50 loaded':>10} | {'p99 loaded':>10} | {'half rate':>9} | {'p50 half':>9} | "
        f"{'p99 half':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        share = r.throughput.per_second / r.ceiling
        print(
            f"{r.mode:<18} | {r.processes:>5} | {r.throughput.per_second:>12,.0f} | "
            f"{r.ceiling:>9,.0f} | {share:>6.0%} | {r.throughput.latency.p50_ms:>8.1f}ms | "
            f"{r.throughput.latency.p99_ms:>8.1f}ms | {r.paced_rate:>7,.0f}/s | "
            f"{r.paced.p50_ms:>7.1f}ms | {r.paced.p99_ms:>7.1f}ms"
        )
    print("(ceiling: plain keep-alive requests.Session loops, one per delivering process)")

    print(f"\nfan-out and write path ({FANOUT_WEBHOOKS} webhooks)")
    header = (
        f"{'mode':<18} | {'fan-out p50':>11} | {'fan-out max':>11} | "
        f"{'create p50, 0 hooks':>19} | {'create p50, 100 hooks':>21} | {'ratio':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = r.create_with.p50_ms / r.create_without.p50_ms
        print(
            f"{r.mode:<18} | {r.fanout.p50_ms:>9.1f}ms | {max(r.fanout.samples) * 1000:>9.1f}ms"
            f" | {r.create_without.p50_ms:>17.2f}ms | {r.create_with.p50_ms:>19.2f}ms | "
            f"{ratio:>4.2f}x"
        )

    print("\ntargets")
    for r in results:
        name = f"{r.mode} ({r.processes} proc)"
        ratio = r.create_with.p50_ms / r.create_without.p50_ms
        verdict = "PASS" if ratio <= TARGET_CREATE_RATIO else "FAIL"
        print(f"{name}: create p50 with 100 hooks {ratio:.2f}x of none (<= 1.2x): {verdict}")
        share = r.throughput.per_second / r.ceiling
        verdict = "PASS" if share >= TARGET_SHARE else "FAIL"
        print(f"{name}: {share:.0%} of the ceiling (>= {TARGET_SHARE:.0%}): {verdict}")
        verdict = "PASS" if r.paced.p99_ms < TARGET_PACED_P99_MS else "FAIL"
        print(
            f"{name}: p99 commit -> answer at half rate {r.paced.p99_ms:.0f} ms "
            f"(< {TARGET_PACED_P99_MS:.0f} ms): {verdict}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    receiver = commands.add_parser("receiver", help="(internal) run the receiver")
    receiver.add_argument("--port", type=int, required=True)
    ceiling = commands.add_parser("ceiling", help="(internal) run one ceiling loop")
    ceiling.add_argument("--url", required=True)
    ceiling.add_argument("--count", type=int, required=True)
    parser.add_argument(
        "--modes", default="embedded-sqlite,embedded-postgres,rq-postgres",
        help="comma-separated: embedded-sqlite, embedded-postgres, rq-postgres",
    )  # fmt: skip
    parser.add_argument("--events", type=int, default=None, help="default 3,000 (600 quick)")
    parser.add_argument(
        "--workers", default="1,2,4", help="RQ worker processes: one RQ run per count"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("HOOKWIRE_TEST_DATABASE_URL") or DEFAULT_ADMIN_URL,
        help="admin URL to create throwaway databases from",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "receiver":
        serve_receiver(args.port)
        return
    if args.command == "ceiling":
        ceiling_loop(args.url, args.count)
        return
    settings = Settings(
        events=args.events or (600 if args.quick else 3_000),
        paced_seconds=2.0 if args.quick else 5.0,
        creates=10 if args.quick else 40,
        fanout_rounds=2 if args.quick else 5,
        workers=[int(count) for count in args.workers.split(",")],
    )
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    print(
        f"hookwire dispatch benchmark: {settings.events:,} events per throughput run, "
        f"RQ with {', '.join(map(str, settings.workers))} workers, modes {', '.join(modes)}"
    )
    results = [
        run_mode(mode, count, settings, args.postgres_url)
        for mode in modes
        for count in (settings.workers if mode.startswith("rq") else [1])
    ]
    print_report(results)


if __name__ == "__main__":
    main()
