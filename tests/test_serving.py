"""Both servers as real processes: ``hookwire serve`` (embedded, waitress) and ``hookwire serve
--production`` (gunicorn): slow clients, request limits, a taken port, trusted proxies, and
the one webhook dispatcher of the production server."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

import hookwire.web
from browser.web import Browser
from conftest import APP_SECRET, WEBHOOK_TEST_ENV, Client, Database, free_port, new_workspace
from conftest import open_database as open_test_database
from hooks_support import create_person, subscribe, wait_until
from hookwire.config import TrustedProxies, parse_networks
from hookwire.server import trust_proxies
from hookwire.server.framing import RequestFramer
from processes import stop_process
from receiver import Receiver

MODES = ["embedded", "production"]
HALF_A_HEADER = b"GET /rest/people HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthoriz"
MAX_BODY = 1_000_000
MAX_BATCH = 50
HEADER_TIMEOUT = 3
# Uncapped per client, so that every slow connection below stays open; short deadlines.
GUARDED_ENV = {
    "HOOKWIRE_MAX_CONNECTIONS_PER_CLIENT": "0",
    "HOOKWIRE_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
    "HOOKWIRE_BODY_TIMEOUT": str(HEADER_TIMEOUT),
    "HOOKWIRE_MAX_BODY_BYTES": str(MAX_BODY),
    "HOOKWIRE_MAX_BATCH": str(MAX_BATCH),
    "HOOKWIRE_TRUSTED_PROXIES": "127.0.0.1/32",
}
PER_CLIENT_CAP = 5
LARGE_RESPONSE = 64 * 1024  # bytes: more than one write of a response can send


class ServerProcess:
    """``hookwire serve [--production]`` on a free port, with its output in a log file."""

    def __init__(self, mode: str, database: Database, log_path: Path, env: dict[str, str]):
        self.mode = mode
        self.database = database
        self.log_path = log_path
        base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        self.env = {
            **base,
            **WEBHOOK_TEST_ENV,
            "DATABASE_URL": database.url,
            "APP_SECRET": APP_SECRET,
            **env,
        }
        for _attempt in range(3):  # another test may take the free port first
            if self.start():
                return
        raise AssertionError(f"server did not start: {self.log()}")

    def start(self) -> bool:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        args = ["serve", "--port", str(self.port)]
        if self.mode == "production":
            args += ["--production", "--workers", "2", "--threads", "2"]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hookwire.cli", *args],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                assert "already in use" in self.log(), f"server exited: {self.log()}"
                return False
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError(f"server not ready after 60 s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        stop_process(self.process, grace=40)  # gunicorn's graceful_timeout is 30 s
        self._log.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with open_test_database("sqlite", tmp_path_factory) as opened:
        yield opened


def _server(
    request: pytest.FixtureRequest,
    database: Database,
    tmp_path_factory: pytest.TempPathFactory,
    env: dict[str, str],
    name: str,
) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("serving") / f"{name}-{request.param}.log"
    running = ServerProcess(request.param, database, log, env)
    yield running
    running.stop()


@pytest.fixture(scope="module", params=MODES)
def guarded(
    request: pytest.FixtureRequest, database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    yield from _server(request, database, tmp_path_factory, GUARDED_ENV, "guarded")


@pytest.fixture(scope="module", params=MODES)
def capped(
    request: pytest.FixtureRequest, database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    env = {"HOOKWIRE_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT_CAP)}
    yield from _server(request, database, tmp_path_factory, env, "capped")


def client_of(server: ServerProcess) -> Client:
    workspace_id, token = new_workspace(server.database)
    return Client(server.base_url, token, workspace_id)


# --- slow clients -------------------------------------------------------------------------


def half_open(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each send half a request header, then nothing."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HALF_A_HEADER)
        sockets.append(sock)
    return sockets


def is_open(sock: socket.socket) -> bool:
    """Whether the server still holds ``sock`` open (it has sent nothing and not closed)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def assert_healthz_answers_within_a_second(server: ServerProcess, times: int = 5) -> None:
    for _ in range(times):
        started = time.monotonic()
        response = requests.get(f"{server.base_url}/healthz", timeout=1)  # a new connection
        assert response.status_code == 200
        assert time.monotonic() - started < 1.0


def closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closes ``sock`` (fails if it takes longer than ``seconds``)."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {seconds} s")
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_300_half_open_connections_leave_healthz_answering(guarded: ServerProcess) -> None:
    slow = half_open(guarded.port, 300)
    try:
        assert_healthz_answers_within_a_second(guarded)
        # ... while the server still holds every one of them: they cost it no thread.
        assert sum(is_open(sock) for sock in slow) == 300
        api = client_of(guarded)
        assert api.get("/rest/people").status_code == 200
    finally:
        for sock in slow:
            sock.close()


def test_a_head_not_finished_in_time_is_closed(guarded: ServerProcess) -> None:
    idle = half_open(guarded.port, 1)[0]
    trickling = half_open(guarded.port, 1)[0]
    started = time.monotonic()
    try:
        # A byte every half second still runs into the head's deadline: it is not per read.
        while time.monotonic() - started < HEADER_TIMEOUT + 3:
            try:
                trickling.sendall(b"x")
            except OSError:
                break
            time.sleep(0.5)
        assert not is_open(trickling)
        assert closed_within(idle, 3) < 3
        assert HEADER_TIMEOUT - 1 < time.monotonic() - started < HEADER_TIMEOUT + 4
    finally:
        idle.close()
        trickling.close()


def test_a_body_not_finished_in_time_is_closed(guarded: ServerProcess) -> None:
    sock = socket.create_connection(("127.0.0.1", guarded.port), timeout=5)
    try:
        sock.sendall(
            b"POST /rest/people HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        assert closed_within(sock, HEADER_TIMEOUT + 3) > HEADER_TIMEOUT - 1
    finally:
        sock.close()


def test_a_client_over_its_connection_cap_crowds_out_only_itself(capped: ServerProcess) -> None:
    slow = half_open(capped.port, 300)
    try:
        assert_healthz_answers_within_a_second(capped)
        time.sleep(1.5)  # the embedded server closes the crowded-out ones in its next round
        held = sum(is_open(sock) for sock in slow)
        processes = 2 if capped.mode == "production" else 1  # the cap is per process
        assert 0 < held <= PER_CLIENT_CAP * processes
        assert is_open(slow[-1])  # the oldest idle ones go first
        if capped.mode == "embedded":
            assert not any(is_open(sock) for sock in slow[: 300 - PER_CLIENT_CAP])
    finally:
        for sock in slow:
            sock.close()


def test_large_responses_arrive_whole_and_the_connection_stays_usable(
    guarded: ServerProcess,
) -> None:
    """A file (sent with sendfile on the production server, after its head) and a JSON
    document larger than a socket's send buffer, then a small answer, all on one kept-alive
    connection."""
    vendor = Path(hookwire.web.__file__).parent / "static" / "vendor"
    script = max(vendor.glob("*.js"), key=lambda path: path.stat().st_size)
    with requests.Session() as http:
        served = http.get(f"{guarded.base_url}/web-static/vendor/{script.name}", timeout=10)
        assert served.status_code == 200
        assert served.content == script.read_bytes()
        _workspace_id, token = new_workspace(guarded.database)
        document = http.get(
            f"{guarded.base_url}/open-api/core",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert document.status_code == 200, document.text
        assert len(document.content) > LARGE_RESPONSE and document.json()["openapi"] == "3.1.0"
        assert http.get(f"{guarded.base_url}/healthz", timeout=5).status_code == 200


def test_keepalive_and_pipelined_requests_are_answered_in_order(guarded: ServerProcess) -> None:
    sock = socket.create_connection(("127.0.0.1", guarded.port), timeout=5)
    try:
        one = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        two = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(one + two + one[:10])
        time.sleep(0.3)
        sock.sendall(one[10:])
        received = b""
        while received.count(b"HTTP/1.1 ") < 3:
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
        statuses = re.findall(rb"HTTP/1\.1 (\d{3})", received)
        assert statuses == [b"200", b"404", b"200"]
    finally:
        sock.close()


def test_a_client_expecting_100_continue_gets_it_before_sending_the_body(
    guarded: ServerProcess,
) -> None:
    sock = socket.create_connection(("127.0.0.1", guarded.port), timeout=2)
    try:
        sock.sendall(
            b"POST /rest/people HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(b"{}")
        received = b""
        while b"HTTP/1.1 401" not in received:  # no API key: the request itself was read
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
    finally:
        sock.close()


def exchange(server: ServerProcess, data: bytes) -> bytes:
    """Send ``data`` on a new connection; everything received until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_conflicting_framing_is_400_json_and_the_connection_closes(
    guarded: ServerProcess,
) -> None:
    """Request smuggling's raw material: refused, never guessed at."""
    workspace_id, token = new_workspace(guarded.database)
    for framing in (
        b"Content-Length: 2\r\nTransfer-Encoding: chunked",
        b"Content-Length: 2\r\nContent-Length: 3",
    ):
        received = exchange(
            guarded,
            b"POST /rest/people HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + token.encode()
            + b"\r\nContent-Type: application/json\r\n"
            + framing
            + b"\r\n\r\n2\r\n{}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), (framing, received)
        assert json.loads(body)["statusCode"] == 400, received
        assert received.count(b"HTTP/1.1 ") == 1  # nothing after the refusal was served
    api = Client(guarded.base_url, token, workspace_id)
    assert api.get("/rest/people").json()["totalCount"] == 0  # nothing was created


def test_a_chunked_body_an_http_1_0_request_and_a_head_request_are_served(
    guarded: ServerProcess,
) -> None:
    api = client_of(guarded)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": {"firstName": "Chun'
        yield b'ked"}}'

    created = api.post("/rest/people", data=chunks(), headers={"Content-Type": "application/json"})
    assert created.status_code == 201, created.text
    assert created.json()["data"]["createPerson"]["name"]["firstName"] == "Chunked"

    old = exchange(guarded, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert re.match(rb"HTTP/1\.[01] 200 ", old) and old.endswith(b"}\n"), old

    head = exchange(guarded, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n"), head
    assert b"Content-Length: " in head


# --- request limits -----------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_json(guarded: ServerProcess) -> None:
    api = client_of(guarded)
    body = json.dumps({"name": {"firstName": "x" * (MAX_BODY + 10)}})
    response = api.post("/rest/people", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {
        "statusCode": 413,
        "error": "PayloadTooLargeException",
        "messages": [
            f"request body: {len(body):,} bytes; the limit is {MAX_BODY:,} "
            "(HOOKWIRE_MAX_BODY_BYTES)"
        ],
    }
    assert api.get("/rest/people").status_code == 200


def test_a_chunked_body_over_the_limit_is_413_json(guarded: ServerProcess) -> None:
    api = client_of(guarded)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": {"firstName": "'
        for _ in range(MAX_BODY // 10_000 + 1):
            yield b"x" * 10_000
        yield b'"}}'

    response = api.post("/rest/people", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLargeException"
    assert "HOOKWIRE_MAX_BODY_BYTES" in response.json()["messages"][0]


def test_a_head_over_64_kib_is_431_json(guarded: ServerProcess) -> None:
    response = requests.get(
        f"{guarded.base_url}/healthz", headers={"X-Big": "x" * 70_000}, timeout=10
    )
    assert response.status_code == 431
    assert response.json()["error"] == "RequestHeaderFieldsTooLargeException"


def test_a_batch_over_the_cap_is_400_naming_the_count_and_the_limit(
    guarded: ServerProcess,
) -> None:
    api = client_of(guarded)
    people = [{"name": {"firstName": f"P{n}", "lastName": "Batch"}} for n in range(MAX_BATCH + 1)]
    response = api.post("/rest/batch/people", json=people)
    assert response.status_code == 400
    assert response.json()["messages"] == [
        f"body: {MAX_BATCH + 1} records in one batch; the limit is {MAX_BATCH} (HOOKWIRE_MAX_BATCH)"
    ]
    assert api.post("/rest/batch/people", json=people[:MAX_BATCH]).status_code == 201
    query = "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }"
    graphql = api.post("/graphql", json={"query": query, "variables": {"data": people}})
    assert "HOOKWIRE_MAX_BATCH" in json.dumps(graphql.json()["errors"])
    assert api.get("/rest/people").json()["totalCount"] == MAX_BATCH


# --- trusted proxies ----------------------------------------------------------------------


def test_sign_in_throttling_counts_the_forwarded_client(guarded: ServerProcess) -> None:
    """The peer (127.0.0.1) is a trusted proxy: the failed sign-in counts against the
    address it forwards, after skipping the proxies in the chain."""
    browser = Browser(guarded.base_url)
    browser.http.headers["X-Forwarded-For"] = "203.0.113.9, 198.51.100.7, 127.0.0.1"
    assert browser.sign_in("nobody@example.com", "wrong").status_code == 401
    with guarded.database.engine.connect() as connection:
        keys = set(connection.execute(sa.text("SELECT key FROM sign_in_throttle")).scalars())
    assert "client:198.51.100.7" in keys
    assert "client:127.0.0.1" not in keys


# --- the port -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_taken_port_is_one_line_and_a_failure(mode: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--port", str(port)] + (["--production"] if mode == "production" else [])
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PORT")}
        env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'h.db'}", APP_SECRET=APP_SECRET)
        result = subprocess.run(
            [sys.executable, "-m", "hookwire.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "listening" not in result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"Error: port {port} on 127.0.0.1 is already in use by another program; "
        "pick another port with --port or the PORT variable"
    ]


# --- the production server's dispatcher ---------------------------------------------------

LEADER = re.compile(r"this worker \(pid (\d+)\) runs the webhook dispatcher")


def test_production_runs_one_dispatcher_and_another_worker_takes_over(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with open_test_database("sqlite", tmp_path_factory) as database:
        server = ServerProcess(
            "production", database, tmp_path_factory.mktemp("leader") / "server.log", {}
        )
        receiver = Receiver()
        try:
            api = client_of(server)
            subscribe(api, receiver)
            leaders = wait_until(lambda: LEADER.findall(server.log()))
            assert len(leaders) == 1
            create_person(api, "Before")
            receiver.wait_for(1, timeout=20)
            os.kill(int(leaders[0]), signal.SIGKILL)  # the worker with the loop dies
            now = wait_until(lambda: LEADER.findall(server.log())[1:])
            assert now[0] != leaders[0]
            create_person(api, "After")
            names = lambda: [  # noqa: E731
                r.json["record"]["name"]["lastName"] for r in receiver.received()
            ]
            wait_until(lambda: "After" in names())
            time.sleep(1)
            assert len(LEADER.findall(server.log())) == 2  # never two loops at once
        finally:
            receiver.close()
            server.stop()


def test_gunicorn_settings_on_top_give_an_access_log_and_recycled_workers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """What docs/deployment.md promises of ``GUNICORN_CMD_ARGS``: an access log line per
    request with the client's address as the trusted proxy reports it, and workers recycled
    after ``--max-requests`` requests while the server goes on answering and delivering."""
    env = {
        "GUNICORN_CMD_ARGS": "--access-logfile - --max-requests 5",
        "HOOKWIRE_TRUSTED_PROXIES": "127.0.0.1/32",
    }
    with open_test_database("sqlite", tmp_path_factory) as database:
        server = ServerProcess(
            "production", database, tmp_path_factory.mktemp("access") / "server.log", env
        )
        try:
            for _ in range(20):  # a new connection each: both workers serve, and recycle
                response = requests.get(
                    f"{server.base_url}/healthz",
                    headers={"X-Forwarded-For": "198.51.100.9", "User-Agent": "probe/1"},
                    timeout=10,
                )
                assert response.status_code == 200
            probe = r'^198\.51\.100\.9 .* "GET /healthz HTTP/1\.1" 200 \d+ "-" "probe/1"$'
            wait_until(lambda: len(re.findall(probe, server.log(), re.MULTILINE)) == 20)
            assert server.log().count("Autorestarting worker after current request.") >= 2
            # recycled workers hand the dispatcher loop on: webhooks still go out
            receiver = Receiver()
            try:
                api = client_of(server)
                subscribe(api, receiver)
                create_person(api, "Recycled")
                receiver.wait_for(1, timeout=20)
            finally:
                receiver.close()
            assert "Traceback" not in server.log()
        finally:
            server.stop()


# --- units: the production worker's framing, the proxy middleware ------------------------


def frame(*pieces: bytes, max_head: int = 1024, max_body: int = 100) -> list[str]:
    framer = RequestFramer(max_head, max_body)
    return [framer.feed(piece).value for piece in pieces]


def test_framing_waits_for_the_head_and_a_counted_body() -> None:
    assert frame(b"GET / HTTP/1.1\r\nHost: x\r", b"\n\r\n") == ["more", "complete"]
    head = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
    assert frame(head, b"abc", b"de") == ["more", "more", "complete"]
    assert frame(head + b"abcdeGET / HTTP/1.1\r\n") == ["complete"]  # pipelined bytes after


def test_framing_follows_chunks_to_the_last_one_and_its_trailers() -> None:
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert frame(head, b"3\r\nabc\r\n", b"0\r\n", b"\r\n") == ["more", "more", "more", "complete"]
    assert frame(head + b"2;ext=1\r\nab\r\n0\r\nX-T: 1\r\n\r\n") == ["complete"]
    assert frame(head + b"40\r\n" + b"x" * 64 + b"\r\n41\r\n") == ["body too large"]


def test_framing_refuses_what_is_too_large_and_hands_on_what_it_cannot_frame() -> None:
    assert frame(b"GET / HTTP/1.1\r\nX: " + b"x" * 2000) == ["head too large"]
    assert frame(b"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n") == ["body too large"]
    for odd in (
        b"Content-Length: 1, 2",
        b"Content-Length: 5\r\nContent-Length: 5",
        b"Content-Length: -1",
        b"Transfer-Encoding: gzip",
        b"Transfer-Encoding: chunked\r\nContent-Length: 3",
    ):
        assert frame(b"POST / HTTP/1.1\r\n" + odd + b"\r\n\r\n") == ["hand on"], odd
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert frame(head + b"zz\r\n") == ["hand on"]


def seen_by_app(proxies: TrustedProxies, peer: str, headers: dict[str, str]) -> tuple[str, str]:
    seen: dict[str, str] = {}

    def app(environ: dict, start_response):  # type: ignore[no-untyped-def]
        seen.update(addr=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"])
        start_response("204 No Content", [])
        return [b""]

    environ = EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ()
    b"".join(trust_proxies(app, proxies)(environ, lambda *args: None))
    return seen["addr"], seen["scheme"]


def test_a_proxy_count_reads_that_many_hops_from_the_right() -> None:
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.0.0.2", "X-Forwarded-Proto": "https"}
    assert seen_by_app(TrustedProxies(count=1), "10.0.0.3", headers) == ("10.0.0.2", "https")
    assert seen_by_app(TrustedProxies(count=2), "10.0.0.3", headers)[0] == "203.0.113.9"
    assert seen_by_app(TrustedProxies(), "10.0.0.3", headers) == ("10.0.0.3", "http")


def test_named_proxies_are_skipped_and_others_are_not_believed() -> None:
    proxies = TrustedProxies(networks=parse_networks("10.0.0.0/8"))
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.0.0.2", "X-Forwarded-Proto": "https"}
    assert seen_by_app(proxies, "10.0.0.3", headers) == ("203.0.113.9", "https")
    # a peer that is not a named proxy: its headers change nothing
    assert seen_by_app(proxies, "198.51.100.1", headers) == ("198.51.100.1", "http")
    # every hop a proxy: the leftmost address
    inner = {"X-Forwarded-For": "10.9.9.9, 10.0.0.2"}
    assert seen_by_app(proxies, "10.0.0.3", inner)[0] == "10.9.9.9"
