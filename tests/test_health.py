"""``GET /healthz``: up with its database, 503 when the database goes away, and back again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from conftest import Database, Server, service_unavailable
from hookwire import __version__
from hookwire.database import create_db_engine


def test_healthz_reports_the_database_up_and_the_version(server: Server) -> None:
    response = requests.get(f"{server.base_url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "database": {"status": "up"},
    }


def test_healthz_needs_no_api_key_and_ignores_a_bad_one(server: Server) -> None:
    response = requests.get(
        f"{server.base_url}/healthz", headers={"Authorization": "Bearer nonsense"}, timeout=10
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.fixture
def postgres_admin() -> Iterator[Engine]:
    admin_url = os.environ.get("HOOKWIRE_TEST_DATABASE_URL")
    if not admin_url:
        service_unavailable("HOOKWIRE_TEST_DATABASE_URL is not set; PostgreSQL tests need it")
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        service_unavailable(f"PostgreSQL at {admin_url} is unreachable: {error.orig}")
    yield admin
    admin.dispose()


def _run(admin: Engine, statement: str) -> None:
    with admin.connect() as connection:
        connection.execute(sa.text(statement))


@pytest.mark.postgres
def test_healthz_is_503_while_the_database_is_gone_and_recovers(
    postgres_admin: Engine, tmp_path: Path
) -> None:
    name = f"hookwire_health_{uuid.uuid4().hex[:12]}"
    url = make_url(str(postgres_admin.url)).set(database=name)
    _run(postgres_admin, f'CREATE DATABASE "{name}"')
    engine = create_db_engine(url.render_as_string(hide_password=False))
    running = None
    try:
        database = Database("postgres", url.render_as_string(hide_password=False), engine)
        running = Server(database, tmp_path / "server.log")  # migrates, then waits for 200
        healthz = f"{running.base_url}/healthz"

        engine.dispose()
        _run(postgres_admin, f'DROP DATABASE "{name}" WITH (FORCE)')
        down = requests.get(healthz, timeout=30)
        assert down.status_code == 503
        body = down.json()
        assert body == {
            "status": "error",
            "version": __version__,
            "database": {"status": "down", "error": body["database"]["error"]},
        }
        assert f'database "{name}" does not exist' in body["database"]["error"]
        assert "\n" not in body["database"]["error"]
        assert running.process.poll() is None  # the process keeps serving

        _run(postgres_admin, f'CREATE DATABASE "{name}"')
        up = requests.get(healthz, timeout=30)
        assert up.status_code == 200
        assert up.json() == {"status": "ok", "version": __version__, "database": {"status": "up"}}
    finally:
        if running is not None:
            running.stop()
        engine.dispose()
        _run(postgres_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
