"""Nothing is lost when a worker is killed, Redis goes away or the server restarts.

RQ tests run on PostgreSQL with a throwaway ``redis-server`` on a free port, so stopping it
never touches the machine's shared Redis. The topology test runs the production shape without
Docker: one server and two ``hookwire worker`` processes on real PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from rq import Queue
from rq import Worker as RQWorker

from conftest import (
    Client,
    Database,
    Server,
    new_workspace,
    open_database,
    service_env,
    service_unavailable,
)
from hooks_support import create_person, subscribe, wait_until
from hookwire.models import Delivery
from processes import RedisServer, Worker
from receiver import Receiver, Reply

# Enough attempts to outlast the outage; a short lease so what the killed server held comes
# due again within seconds (the lease is what a restart waits for).
BACKLOG_ENV = {
    "HOOKWIRE_WEBHOOK_RETRY_SCHEDULE": "0" + ",0.5" * 30,
    "HOOKWIRE_DELIVERY_LEASE": "1",
}


@pytest.fixture
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A database of its own per test: what one test leaves pending never reaches the next."""
    with open_database("postgres", tmp_path_factory) as database:
        yield database


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    try:
        server = RedisServer(tmp_path / "redis.log")
    except FileNotFoundError as error:
        service_unavailable(f"fault tests start their own Redis: {error}")
    yield server
    server.stop()


class Deployment:
    """A server and its workers on one database and Redis; stopped together."""

    def __init__(self, database: Database, directory: Path, env: dict[str, str]) -> None:
        self.database = database
        self.directory = directory
        self.env = env
        self.server = Server(database, directory / "server.log", env)
        self.workers: list[Worker] = []
        workspace_id, token = new_workspace(database)
        self.api = Client(self.server.base_url, token, workspace_id)

    def add_worker(self) -> Worker:
        log = self.directory / f"worker-{len(self.workers)}.log"
        worker = Worker(service_env(self.database, self.env), log)
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.server.stop()


@pytest.fixture
def rq_env(private_redis: RedisServer) -> dict[str, str]:
    return {
        "REDIS_URL": private_redis.url,
        "HOOKWIRE_WEBHOOK_TIMEOUT": "5",
        "HOOKWIRE_DELIVERY_LEASE": "1",
    }


def delivered_record_ids(receiver: Receiver, path: str) -> set[str]:
    return {r.json["record"]["id"] for r in receiver.received(path) if 200 <= r.status < 300}


def wait_delivered(
    receiver: Receiver, path: str, written: set[str], database: Database, timeout: float = 60
) -> None:
    """Until every written record has been answered 2xx on ``path``; else say what is stuck."""
    deadline = time.monotonic() + timeout
    while not written <= delivered_record_ids(receiver, path):
        if time.monotonic() > deadline:
            with database.engine.connect() as connection:
                states = connection.execute(
                    sa.text("SELECT status, count(*) FROM delivery GROUP BY status")
                ).all()
            missing = len(written - delivered_record_ids(receiver, path))
            pytest.fail(f"{missing} of {len(written)} never reached {path}; deliveries: {states}")
        time.sleep(0.2)


def test_worker_killed_during_a_slow_delivery(
    postgres: Database, tmp_path: Path, rq_env: dict[str, str], receiver: Receiver
) -> None:
    deployment = Deployment(postgres, tmp_path, rq_env)
    try:
        receiver.script("/slow", Reply(200, delay=4))
        hook = subscribe(deployment.api, receiver, "/slow")
        doomed = deployment.add_worker()
        person = create_person(deployment.api)
        [in_flight] = receiver.wait_for(1, "/slow")
        doomed.kill()  # mid-request: the attempt's outcome is never recorded

        deployment.add_worker()
        first, second = receiver.wait_for(2, "/slow", timeout=60)
        assert second.event_id == first.event_id == in_flight.event_id
        assert second.json["record"]["id"] == person["id"]

        def logged() -> list[dict]:
            response = deployment.api.get(f"/rest/webhooks/{hook['id']}/attempts")
            return response.json()["data"]["webhookDeliveryAttempts"]

        # The killed attempt stays in the log, marked interrupted by the claim that took over.
        sent, interrupted = wait_until(lambda: (rows := logged()) and len(rows) == 2 and rows)
        assert (sent["attemptNumber"], sent["statusCode"], sent["error"]) == (2, 200, None)
        assert (interrupted["attemptNumber"], interrupted["statusCode"]) == (1, None)
        assert interrupted["error"].startswith("interrupted:")
    finally:
        deployment.stop()


def test_a_batch_longer_than_its_hold_is_renewed_not_repeated(
    postgres: Database, tmp_path: Path, rq_env: dict[str, str], receiver: Receiver
) -> None:
    """Six answers of 1.5 s each outlast the 6 s (lease 1 s + timeout 5 s) a batch is held at
    a time: the worker renews as it goes, never holds further ahead than that, so a killed
    worker's deliveries come due within it, and the idle second worker repeats nothing."""
    hold = 1 + 5
    deployment = Deployment(postgres, tmp_path, rq_env)
    try:
        receiver.script("/slow", *[Reply(200, delay=1.5)] * 6)
        subscribe(deployment.api, receiver, "/slow")
        deployment.add_worker()
        deployment.add_worker()
        people = [{"name": {"firstName": "Ada", "lastName": f"Batch {i}"}} for i in range(6)]
        response = deployment.api.post("/rest/batch/people", json=people)
        assert response.status_code == 201, response.text
        written = {person["id"] for person in response.json()["data"]["createPeople"]}

        held_ahead: list[float] = []  # seconds the sending deliveries are held beyond now
        latest_lease = sa.select(sa.func.max(Delivery.lease_expires_at)).where(
            Delivery.status == "sending"
        )
        deadline = time.monotonic() + 60
        while len(receiver.received("/slow")) < 6 and time.monotonic() < deadline:
            with postgres.engine.connect() as connection:
                lease_until = connection.execute(latest_lease).scalar()
            if lease_until is not None:
                held_ahead.append((lease_until - datetime.now(UTC)).total_seconds())
            time.sleep(0.1)
        wait_delivered(receiver, "/slow", written, postgres)

        def all_settled() -> bool:
            with postgres.engine.connect() as connection:
                statuses = connection.execute(sa.select(Delivery.status)).scalars().all()
            return len(statuses) == 6 and set(statuses) == {"succeeded"}

        wait_until(all_settled)
        arrivals = receiver.received("/slow")
        assert len(arrivals) == 6, [r.json["record"]["id"] for r in arrivals]
        assert max(held_ahead) <= hold + 0.5, max(held_ahead)
        assert len(held_ahead) > 20  # sampled all along the 9 s the batch took
    finally:
        deployment.stop()


@pytest.fixture
def delivering(
    postgres: Database, tmp_path: Path, rq_env: dict[str, str], receiver: Receiver
) -> Iterator[Deployment]:
    """A server and one RQ worker on the private Redis, a webhook on ``/all`` that has had
    its first delivery (of a person named Before)."""
    deployment = Deployment(postgres, tmp_path, rq_env)
    try:
        subscribe(deployment.api, receiver, "/all")
        deployment.add_worker()
        create_person(deployment.api, "Before")
        receiver.wait_for(1, "/all")
        yield deployment
    finally:
        deployment.stop()


def test_writes_succeed_while_redis_is_down_and_every_event_follows(
    delivering: Deployment, postgres: Database, private_redis: RedisServer, receiver: Receiver
) -> None:
    [before] = delivered_record_ids(receiver, "/all")
    private_redis.stop()
    written = [create_person(delivering.api, f"During {i}")["id"] for i in range(20)]
    mutation = 'mutation { createCompany(data: {name: "While down"}) { id } }'
    response = delivering.api.post("/graphql", json={"query": mutation})
    written.append(response.json()["data"]["createCompany"]["id"])
    time.sleep(2.0)  # the dispatcher meets the outage and keeps the work in the database
    assert delivered_record_ids(receiver, "/all") == {before}

    private_redis.start()  # empty: every job it held is gone
    wait_delivered(receiver, "/all", set(written), postgres, timeout=90)


@pytest.mark.parametrize(
    ("mode", "backend"), [("embedded", "sqlite"), ("embedded", "postgres"), ("rq", "postgres")]
)
def test_server_killed_mid_backlog_loses_nothing(
    mode: str,
    backend: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    env = {**BACKLOG_ENV}
    if mode == "rq":
        env = {**request.getfixturevalue("rq_env"), **env}
    receiver = Receiver()
    with open_database(backend, tmp_path_factory) as database:
        deployment = Deployment(database, tmp_path, env)
        try:
            receiver.default = Reply(503)  # the receiver is down: a backlog builds up
            subscribe(deployment.api, receiver, "/backlog")
            if mode == "rq":
                deployment.add_worker()
            response = deployment.api.post(
                "/rest/batch/people",
                json=[{"name": {"firstName": "B", "lastName": str(i)}} for i in range(40)],
            )
            written = {p["id"] for p in response.json()["data"]["createPeople"]}
            receiver.wait_for(40, "/backlog")
            deployment.server.kill()

            receiver.default = Reply(200)
            deployment.server = Server(database, tmp_path / "restarted.log", env)
            wait_delivered(receiver, "/backlog", written, database)
        finally:
            deployment.stop()
            receiver.close()


def test_server_and_two_workers_on_postgres_and_redis(
    postgres: Database, tmp_path: Path, receiver: Receiver
) -> None:
    """The docker-compose topology as plain processes, on the machine's PostgreSQL and Redis."""
    redis_url = os.environ.get("HOOKWIRE_TEST_REDIS_URL")
    if not redis_url:
        service_unavailable("HOOKWIRE_TEST_REDIS_URL is not set; the topology test needs Redis")
    connection = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.ConnectionError as error:
        service_unavailable(f"Redis at {redis_url} is unreachable: {error}")
    queue_name = f"hookwire-test-{secrets.token_hex(6)}"  # shared Redis: a queue of our own
    env = {"REDIS_URL": redis_url, "HOOKWIRE_QUEUE": queue_name}
    deployment = Deployment(postgres, tmp_path, env)
    try:
        for _ in range(2):
            deployment.add_worker()
        subscribe(deployment.api, receiver, "/a")
        subscribe(deployment.api, receiver, "/b", operations=["person.created"])
        written = {create_person(deployment.api, str(i))["id"] for i in range(30)}
        response = deployment.api.post(
            "/rest/batch/people",
            json=[{"name": {"firstName": "Batch", "lastName": str(i)}} for i in range(70)],
        )
        written |= {p["id"] for p in response.json()["data"]["createPeople"]}
        assert len(written) == 100
        for path in ("/a", "/b"):
            wait_delivered(receiver, path, written, postgres)

        queue = Queue(queue_name, connection=connection)
        workers = RQWorker.all(queue=queue)
        assert len(workers) == 2
        assert sum(w.successful_job_count for w in workers) > 0
        assert all(w.process.poll() is None for w in deployment.workers)
    finally:
        deployment.stop()
        for key in connection.scan_iter(f"rq:*{queue_name}*"):
            connection.delete(key)
        connection.close()


# --- isolation, recovery and the attempt log under faults ---------------------------------

SILENCE = 30.0  # seconds the silent target keeps every request waiting
PACE = 0.125  # seconds between two writes: 8 records/s, each delivered to both webhooks


def paced_writes(api: Client, seconds: float) -> list[str]:
    """Create people at ``PACE`` for ``seconds``; their ids."""
    written, started = [], time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        written.append(create_person(api, f"Paced {len(written)}")["id"])
        time.sleep(max(PACE * len(written) - elapsed, 0))
    return written


def share_delivered(receiver: Receiver, path: str, written: list[str]) -> float:
    """The share of ``written`` records answered 2xx on ``path`` within a second of the
    last write: what kept pace with the writes."""
    time.sleep(1.0)
    return len(delivered_record_ids(receiver, path) & set(written)) / len(written)


@pytest.mark.parametrize("mode", ["embedded", "rq"])
def test_a_silent_target_does_not_slow_deliveries_to_the_others(
    mode: str,
    postgres: Database,
    tmp_path: Path,
    receiver: Receiver,
    request: pytest.FixtureRequest,
) -> None:
    env = {"HOOKWIRE_WEBHOOK_TIMEOUT": "5"}
    if mode == "rq":
        env["REDIS_URL"] = request.getfixturevalue("private_redis").url
    deployment = Deployment(postgres, tmp_path, env)
    try:
        if mode == "rq":
            deployment.add_worker()  # one worker: the hardest case to keep apart
        subscribe(deployment.api, receiver, "/healthy")
        subscribe(deployment.api, receiver, "/silent")

        calm = paced_writes(deployment.api, 10)
        calm_share = share_delivered(receiver, "/healthy", calm)
        receiver.hold("/silent", SILENCE)
        stormy = paced_writes(deployment.api, SILENCE)
        stormy_share = share_delivered(receiver, "/healthy", stormy)

        assert stormy_share >= 0.8 * calm_share, (calm_share, stormy_share)
        # Nothing to the silent target is lost either: it gets everything once it answers.
        wait_delivered(receiver, "/silent", set(calm + stormy), postgres, timeout=120)
    finally:
        deployment.stop()


def open_threads_and_sockets(pid: int) -> tuple[int, int]:
    sockets = sum(
        os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        for fd in os.listdir(f"/proc/{pid}/fd")
    )
    return len(os.listdir(f"/proc/{pid}/task")), sockets


def test_workers_resume_at_once_after_each_of_ten_redis_outages(
    delivering: Deployment, postgres: Database, private_redis: RedisServer, receiver: Receiver
) -> None:
    [worker] = delivering.workers
    resumed_after, resources = [], []
    for outage in range(10):
        private_redis.stop()
        during = create_person(delivering.api, f"Outage {outage}")["id"]
        time.sleep(2.0)
        private_redis.start()
        back = time.monotonic()
        wait_delivered(receiver, "/all", {during}, postgres, timeout=30)
        [arrival] = [r for r in receiver.received("/all") if r.json["record"]["id"] == during]
        resumed_after.append(arrival.at - back)
        resources.append(open_threads_and_sockets(worker.process.pid))

    assert max(resumed_after) < 2.0, resumed_after
    threads, sockets = zip(*resources[1:], strict=True)
    assert max(threads) - min(threads) <= 1, resources
    assert max(sockets) - min(sockets) <= 2, resources


def test_every_attempt_a_receiver_saw_is_logged_after_kill_9(
    postgres: Database, tmp_path: Path, rq_env: dict[str, str], receiver: Receiver
) -> None:
    deployment = Deployment(postgres, tmp_path, rq_env)
    try:
        receiver.default = Reply(200, delay=0.2)
        hook = subscribe(deployment.api, receiver, "/slowish")
        written = {create_person(deployment.api, f"Batch {i}")["id"] for i in range(30)}
        doomed = deployment.add_worker()
        receiver.wait_for(6, "/slowish", timeout=30)
        doomed.kill()  # mid-batch: several lanes hold requests the receiver has seen
        deployment.add_worker()
        wait_delivered(receiver, "/slowish", written, postgres)

        seen: dict[str, int] = {}
        for received in receiver.received("/slowish"):
            seen[received.event_id] = seen.get(received.event_id, 0) + 1

        def logged() -> dict[str, int] | None:
            response = deployment.api.get(
                f"/rest/webhooks/{hook['id']}/attempts", params={"limit": 200}
            )
            counts: dict[str, int] = {}
            for attempt in response.json()["data"]["webhookDeliveryAttempts"]:
                counts[attempt["eventId"]] = counts.get(attempt["eventId"], 0) + 1
            return counts if all(counts.get(e, 0) >= n for e, n in seen.items()) else None

        assert wait_until(logged, timeout=30)
    finally:
        deployment.stop()
