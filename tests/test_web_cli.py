"""The command line's side of the settings UI: ``init`` creates the first admin, ``user``
adds admins and resets passwords; every printed password signs in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.web import Browser
from conftest import APP_SECRET, Database, Server
from hookwire.database import create_db_engine

SIGN_IN_LINE = re.compile(
    r"Sign in at http://localhost:\d+/sign-in as (?P<email>\S+) with the password (?P<password>\S+)"
)


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("install")


def hookwire(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory / 'hookwire.db'}"}
    env["APP_SECRET"] = APP_SECRET
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "hookwire.cli", *args],
        env=env,
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def init_result(installation: Path) -> subprocess.CompletedProcess[str]:
    result = hookwire(installation, "init", "--workspace", "Acme Corp")
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def served(installation: Path, init_result: subprocess.CompletedProcess[str]) -> Iterator[Server]:
    url = f"sqlite:///{installation / 'hookwire.db'}"
    server = Server(Database("sqlite", url, create_db_engine(url)), installation / "serve.log")
    yield server
    server.stop()
    server.database.engine.dispose()


def test_init_prints_the_admin_sign_in_before_the_key(
    init_result: subprocess.CompletedProcess[str], served: Server
) -> None:
    match = SIGN_IN_LINE.fullmatch(init_result.stderr.strip())
    assert match, init_result.stderr
    assert match["email"] == "admin@acme-corp.localhost"
    assert init_result.stdout.splitlines()[-1].count(".") == 2  # the API key stays last
    response = Browser(served.base_url).sign_in(match["email"], match["password"])
    assert response.status_code == 303


def test_user_create_prints_a_password_that_signs_in(installation: Path, served: Server) -> None:
    created = hookwire(
        installation, "user", "create", "--workspace", "Acme Corp", "--email", "Ops@Example.com"
    )
    assert created.returncode == 0, created.stderr
    password = created.stdout.strip()
    assert len(password) >= 20
    browser = Browser(served.base_url)
    assert browser.sign_in("ops@example.com", password).status_code == 303
    assert "Acme Corp" in browser.get("/settings/apis").text

    again = hookwire(
        installation, "user", "create", "--workspace", "Acme Corp", "--email", "ops@example.com"
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_user_create_needs_a_known_workspace_and_an_address(installation: Path) -> None:
    unknown = hookwire(installation, "user", "create", "--workspace", "Nope", "--email", "a@b.c")
    assert "no workspace named 'Nope'" in unknown.stderr
    bad = hookwire(installation, "user", "create", "--workspace", "Acme Corp", "--email", "bob")
    assert "email: expected an e-mail address" in bad.stderr


def test_reset_password_ends_sessions(installation: Path, served: Server) -> None:
    created = hookwire(
        installation, "user", "create", "--workspace", "Acme Corp", "--email", "r@example.com"
    )
    browser = Browser(served.base_url)
    assert browser.sign_in("r@example.com", created.stdout.strip()).status_code == 303
    reset = hookwire(installation, "user", "reset-password", "r@example.com")
    assert reset.returncode == 0, reset.stderr
    assert browser.get("/settings/apis", allow_redirects=False).status_code == 302
    assert browser.sign_in("r@example.com", created.stdout.strip()).status_code == 401
    assert browser.sign_in("r@example.com", reset.stdout.strip()).status_code == 303
