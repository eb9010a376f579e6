"""A request's database work: authentication and the handler share one connection and one
transaction, the pool sends no pre-ping, and connections a database restart killed cost no
request an error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from conftest import APP_SECRET, Database, new_workspace
from hookwire.app import create_app
from hookwire.config import load_config
from hookwire.database import transaction
from hookwire.identity import list_api_keys, revoke_api_key
from hookwire.services import services

PERSON = {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "city": "London"}


@dataclass
class App:
    client: FlaskClient
    engine: Engine
    workspace_id: str
    headers: dict[str, str]


@pytest.fixture
def app(database: Database) -> Iterator[App]:
    config = load_config({"DATABASE_URL": database.url, "APP_SECRET": APP_SECRET})
    flask_app = create_app(config, start_dispatcher=False)
    with flask_app.app_context():
        engine = services().engine
    workspace_id, token = new_workspace(database)
    headers = {"Authorization": f"Bearer {token}"}
    yield App(flask_app.test_client(), engine, workspace_id, headers)
    engine.dispose()


def counted(engine: Engine, event: str) -> list[object]:
    """A list that grows by one at each ``event`` of ``engine`` (its pool's, for checkouts)."""
    seen: list[object] = []
    target = engine.pool if event == "checkout" else engine
    sa.event.listen(target, event, lambda *args: seen.append(args))
    return seen


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("POST", "/rest/people", 201), ("GET", "/rest/people?limit=5", 200)],
)
def test_a_request_checks_out_one_connection_and_runs_one_transaction(
    app: App, method: str, path: str, status: int
) -> None:
    app.client.get("/rest/people", headers=app.headers)  # notes the key's first use
    checkouts, begins = counted(app.engine, "checkout"), counted(app.engine, "begin")
    answer = app.client.open(path, method=method, json=PERSON, headers=app.headers)
    assert answer.status_code == status, answer.text
    assert (len(checkouts), len(begins)) == (1, 1)
    assert app.engine.pool.checkedout() == 0


def test_the_pool_sends_no_pre_ping(app: App) -> None:
    assert not app.engine.pool._pre_ping


def test_a_refused_caller_leaves_no_connection_checked_out(app: App) -> None:
    answer = app.client.post("/rest/people", json=PERSON, headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401
    assert app.engine.pool.checkedout() == 0


def test_a_failed_create_writes_nothing(app: App) -> None:
    bad = {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "emails": {"primaryEmail": 7}}
    assert app.client.post("/rest/people", json=bad, headers=app.headers).status_code == 400
    answer = app.client.get("/rest/people", headers=app.headers)
    assert answer.json["totalCount"] == 0


def test_a_revoked_key_is_refused_on_its_next_request(app: App, database: Database) -> None:
    assert app.client.get("/rest/people", headers=app.headers).status_code == 200
    with transaction(database.engine) as session:
        revoke_api_key(session, list_api_keys(session, app.workspace_id)[0].id)
    for method in ("GET", "POST"):
        answer = app.client.open("/rest/people", method=method, json=PERSON, headers=app.headers)
        assert answer.status_code == 403


def test_requests_recover_when_the_database_drops_every_connection(
    app: App, database: Database
) -> None:
    """What a PostgreSQL restart does to the pool: every pooled connection is dead. The first
    statement of the next request meets one; it runs again on a new connection."""
    if database.backend != "postgres":
        pytest.skip("SQLite has no server to restart")
    for _ in range(3):  # fill the pool with connections that will die
        assert app.client.get("/rest/people", headers=app.headers).status_code == 200
    with database.engine.connect() as admin:
        admin.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert app.client.post("/rest/people", json=PERSON, headers=app.headers).status_code == 201
    assert app.client.get("/rest/people", headers=app.headers).status_code == 200
    assert app.client.get("/healthz").status_code == 200


def test_a_batch_of_60_creates_is_one_insert_per_table(app: App) -> None:
    app.client.get("/rest/people", headers=app.headers)  # notes the key's first use
    statements = counted(app.engine, "before_cursor_execute")
    people = [{"name": {"firstName": "Ada", "lastName": f"Batch {i}"}} for i in range(60)]
    response = app.client.post("/rest/batch/people", json=people, headers=app.headers)
    assert response.status_code == 201, response.text
    inserts = [args[2] for args in statements if args[2].lstrip().upper().startswith("INSERT")]
    tables = [sql.split()[2].strip('"') for sql in inserts]
    assert len(tables) == len(set(tables)), tables  # each table written by one statement
    assert "record" in tables and "outbox_event" in tables, tables
