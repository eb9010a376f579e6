"""Shared fixtures: real servers over HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from hookwire.crm.workspaces import create_workspace
from hookwire.database import create_db_engine, migrate, transaction
from hookwire.identity import issue_api_key
from receiver import Receiver

pytest_plugins = ["browser.web"]

APP_SECRET = "test-secret-" + "x" * 32
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_unavailable(reason: str) -> None:
    """Fail in CI, where every service must be up; skip elsewhere with the reason."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: services are required)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine


@contextmanager
def _throwaway_postgres() -> Iterator[str]:
    admin_url = os.environ.get("HOOKWIRE_TEST_DATABASE_URL")
    if not admin_url:
        service_unavailable("HOOKWIRE_TEST_DATABASE_URL is not set; PostgreSQL tests need it")
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"hookwire_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        service_unavailable(f"PostgreSQL at {admin_url} is unreachable: {error.orig}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def empty_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a new database that nothing has migrated: a SQLite file or a PostgreSQL one."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'hookwire.db'}"
        return
    with _throwaway_postgres() as url:
        yield url


@contextmanager
def open_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A fresh, migrated database, dropped afterwards."""
    with empty_database(backend, tmp_path_factory) as url:
        engine = create_db_engine(url)
        try:
            migrate(engine)
            yield Database(backend, url, engine)
        finally:
            engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with open_database(request.param, tmp_path_factory) as opened:
        yield opened


# Every server and worker on a shared test database delivers webhooks the same way, since any
# of them may claim any delivery: loopback receivers allowed, retries compressed to about a
# second. A test that needs other delivery settings runs them on a database of its own.
WEBHOOK_TEST_ENV = {
    "HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    # Connected accounts reach the tests' own mail and calendar servers on loopback too.
    "HOOKWIRE_ACCOUNT_ALLOWED_NETWORKS": "127.0.0.0/8",
    "HOOKWIRE_WEBHOOK_RETRY_SCHEDULE": "0,0.3,0.3,0.3,0.3",
    "HOOKWIRE_WEBHOOK_TIMEOUT": "1",
}


def service_env(database: Database, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server or worker process: embedded unless ``extra_env`` says not."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return {
        **env,
        **WEBHOOK_TEST_ENV,
        "DATABASE_URL": database.url,
        "APP_SECRET": APP_SECRET,
        **(extra_env or {}),
    }


class Server:
    """A ``hookwire serve`` process on a free port."""

    def __init__(
        self,
        database: Database,
        log_path: Path,
        extra_env: dict[str, str] | None = None,
        port: int | None = None,  # chosen ahead when the environment must name it
    ):
        self.database = database
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = service_env(database, extra_env)
        # Uploaded files beside the server's log, not in the directory the tests run in.
        env.setdefault("STORAGE_LOCAL_PATH", str(log_path.parent / f"{log_path.stem}-storage"))
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hookwire.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # bound, not serving yet
                time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout}s: {self.log_path.read_text()}")

    def kill(self) -> None:
        """``kill -9``: the process gets no chance to finish what it holds."""
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / f"{database.backend}.log"
    running = Server(database, log)
    yield running
    running.stop()


class Client:
    """A keyed HTTP client for one workspace, as an integration would hold it; with
    ``record``, every answer's text is kept there (for tests that look for leaked secrets)."""

    def __init__(
        self, base_url: str, token: str, workspace_id: str, record: list[str] | None = None
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.workspace_id = workspace_id
        self.record = record
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        answer = self.http.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)
        if self.record is not None:
            self.record.append(answer.text)
        return answer

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def every(self, plural: str) -> list[dict[str, Any]]:
        """Every record of ``plural`` (REST), page after page."""
        records: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 200}
        while True:
            answer = self.get(f"/rest/{plural}", params=params)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            records += body["data"][plural]
            if not body["pageInfo"]["hasNextPage"]:
                return records
            params["starting_after"] = body["pageInfo"]["endCursor"]

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def new_workspace(database: Database, name: str | None = None) -> tuple[str, str]:
    """Create a workspace directly in the database; return (workspace id, API key)."""
    with transaction(database.engine) as session:
        workspace = create_workspace(session, name or f"ws-{secrets.token_hex(6)}")
        issued = issue_api_key(session, APP_SECRET, workspace.id, "tests")
        return workspace.id, issued.token


@pytest.fixture
def client(server: Server) -> Client:
    workspace_id, token = new_workspace(server.database)
    return Client(server.base_url, token, workspace_id)


@pytest.fixture
def other_client(server: Server) -> Client:
    workspace_id, token = new_workspace(server.database)
    return Client(server.base_url, token, workspace_id)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()
