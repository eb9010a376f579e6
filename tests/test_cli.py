"""The ``hookwire`` command, run as a user would: init, serve, apikey create / list / revoke."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from joserfc import jwt

from conftest import Database, Server, free_port
from hookwire.auth.api_keys import signing_key
from hookwire.database import create_db_engine

JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WORKSPACE = "Acme Corp"
DAY = 24 * 3600


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass
class Installation:
    """A SQLite installation made with the CLI alone (no APP_SECRET in the environment)."""

    directory: Path
    database_path: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_path}"

    @property
    def secret_path(self) -> Path:
        return self.database_path.with_suffix(".secret")

    def env(self) -> dict[str, str]:
        unset = ("APP_SECRET", "DATABASE_URL", "REDIS_URL", "PORT")
        env = {key: value for key, value in os.environ.items() if key not in unset}
        env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hookwire.cli", *args],
            env=self.env(),
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout

    def key_rows(self, workspace: str) -> dict[str, tuple[str, str, str]]:
        """``apikey list`` parsed: id -> (name, expires, status)."""
        lines = self.ok("apikey", "list", "--workspace", workspace).splitlines()
        assert lines[0].split() == ["ID", "NAME", "EXPIRES", "STATUS"]
        rows = {}
        for line in lines[1:]:
            key_id, name, expires, status = (
                line[:36],
                line[38:58].strip(),
                line[60:79],
                line[81:].strip(),
            )
            assert UUID.match(key_id), line
            rows[key_id] = (name, expires, status)
        return rows


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    directory = tmp_path_factory.mktemp("cli")
    made = Installation(directory, directory / "data" / "crm.db")
    made.database_path.parent.mkdir()
    return made


@pytest.fixture(scope="module")
def init_output(installation: Installation) -> str:
    return installation.ok("init", "--workspace", WORKSPACE, "--with-sample-data")


@pytest.fixture(scope="module")
def served(
    installation: Installation, init_output: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    engine = create_db_engine(installation.database_url)
    database = Database("sqlite", installation.database_url, engine)
    # An empty APP_SECRET counts as unset: the server must find the generated secret file.
    running = Server(
        database, tmp_path_factory.mktemp("cli-serve") / "serve.log", {"APP_SECRET": ""}
    )
    yield running
    running.stop()
    engine.dispose()


def rest(server: Server, token: str, path: str) -> requests.Response:
    return requests.get(
        f"{server.base_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_init_prints_the_workspace_then_the_key_last(
    installation: Installation, init_output: str
) -> None:
    lines = init_output.splitlines()
    assert len(lines) == 2
    match = re.fullmatch(rf"Created workspace '{WORKSPACE}' \(([0-9a-f-]{{36}})\)\.", lines[0])
    assert match, lines[0]
    token = lines[-1]
    assert JWT.match(token)
    claims = claims_of(token)
    assert claims["sub"] == claims["workspaceId"] == match.group(1)
    assert claims["type"] == "API_KEY"


def test_init_generates_the_secret_beside_the_database(
    installation: Installation, init_output: str
) -> None:
    secret = installation.secret_path.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert stat.S_IMODE(installation.secret_path.stat().st_mode) == 0o600
    assert not (installation.directory / "hookwire.db").exists()
    token = init_output.splitlines()[-1]
    workspace_id = claims_of(token)["sub"]
    decoded = jwt.decode(token, signing_key(secret, workspace_id), ["HS256"])
    assert decoded.claims["workspaceId"] == workspace_id


def test_init_key_works_against_serve_with_the_sample_data(
    init_output: str, served: Server
) -> None:
    token = init_output.splitlines()[-1]
    people = rest(served, token, "/rest/people")
    assert people.status_code == 200, people.text
    assert people.json()["totalCount"] == 3
    names = sorted(p["name"]["lastName"] for p in people.json()["data"]["people"])
    assert names == ["Babbage", "Curie", "Lovelace"]
    companies = rest(served, token, "/rest/companies").json()
    assert sorted(c["name"] for c in companies["data"]["companies"]) == [
        "Analytical Engines",
        "Curie Labs",
    ]
    opportunities = rest(served, token, "/rest/opportunities").json()["data"]["opportunities"]
    assert [(o["name"], o["stage"]) for o in opportunities] == [
        ("Difference Engine No. 2", "MEETING")
    ]
    assert rest(served, token, "/rest/notes").json()["totalCount"] == 0


def test_init_without_sample_data_has_empty_objects(installation: Installation) -> None:
    token = installation.ok("init", "--workspace", "Empty One").splitlines()[-1]
    assert JWT.match(token)
    rows = installation.key_rows("Empty One")
    assert [(name, status) for name, _, status in rows.values()] == [("init", "active")]


def test_init_on_an_existing_workspace_fails_clearly(
    installation: Installation, init_output: str
) -> None:
    before = installation.key_rows(WORKSPACE)
    result = installation.run("init", "--workspace", WORKSPACE)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: a workspace named '{WORKSPACE}' already exists"]
    assert installation.key_rows(WORKSPACE) == before


def test_apikey_create_prints_only_the_token(
    installation: Installation, init_output: str, served: Server
) -> None:
    output = installation.ok(
        "apikey", "create", "--workspace", WORKSPACE, "--name", "zapier", "--expires-in", "3"
    )
    assert output.endswith("\n")
    token = output.strip()
    assert output == token + "\n"
    assert JWT.match(token)
    claims = claims_of(token)
    assert claims["exp"] - claims["iat"] == 3 * DAY
    assert claims["sub"] == claims_of(init_output.splitlines()[-1])["sub"]
    assert rest(served, token, "/rest/people").status_code == 200

    rows = installation.key_rows(WORKSPACE)
    name, expires, status = rows[claims["jti"]]
    assert (name, status) == ("zapier", "active")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", expires)


def test_apikey_revoke_then_list_shows_revoked_and_server_refuses(
    installation: Installation, served: Server
) -> None:
    token = installation.ok(
        "apikey", "create", "--workspace", WORKSPACE, "--name", "to-revoke"
    ).strip()
    key_id = claims_of(token)["jti"]
    assert rest(served, token, "/rest/people").status_code == 200
    assert installation.key_rows(WORKSPACE)[key_id][2] == "active"

    assert installation.ok("apikey", "revoke", key_id) == f"Revoked {key_id}.\n"
    rows = installation.key_rows(WORKSPACE)
    assert rows[key_id][0] == "to-revoke"
    assert rows[key_id][2] == "revoked"
    others = [status for other_id, (_, _, status) in rows.items() if other_id != key_id]
    assert "revoked" not in others

    refused = rest(served, token, "/rest/people")
    assert refused.status_code == 403
    assert refused.json()["statusCode"] == 403


def test_apikey_list_never_prints_tokens(installation: Installation, init_output: str) -> None:
    token = init_output.splitlines()[-1]
    listing = installation.ok("apikey", "list", "--workspace", WORKSPACE)
    assert token not in listing
    assert token.split(".")[2] not in listing
    assert "eyJ" not in listing


def test_long_key_names_are_cut_in_the_listing(installation: Installation) -> None:
    installation.ok("init", "--workspace", "Long Names")
    installation.ok("apikey", "create", "--workspace", "Long Names", "--name", "n" * 40)
    names = [name for name, _, _ in installation.key_rows("Long Names").values()]
    assert names == ["init", "n" * 20]


@pytest.mark.parametrize(
    "args",
    [
        ("apikey", "create", "--workspace", "Nowhere", "--name", "x"),
        ("apikey", "list", "--workspace", "Nowhere"),
    ],
    ids=["create", "list"],
)
def test_unknown_workspace_fails_clearly(installation: Installation, args: tuple[str, ...]) -> None:
    result = installation.run(*args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: no workspace named 'Nowhere'; create it with `hookwire init`"
    ]


def test_revoking_an_unknown_key_fails_clearly(installation: Installation) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    result = installation.run("apikey", "revoke", missing)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: API key {missing} not found"]


def test_expires_in_must_be_a_positive_number_of_days(
    installation: Installation, init_output: str
) -> None:
    before = installation.key_rows(WORKSPACE)
    for days in ("0", "-1", "soon"):
        result = installation.run(
            "apikey", "create", "--workspace", WORKSPACE, "--name", "bad", "--expires-in", days
        )
        assert result.returncode == 2, days
        assert result.stdout == ""
        assert "Invalid value for '--expires-in'" in result.stderr
    assert installation.key_rows(WORKSPACE) == before


def test_commands_refuse_a_bad_database_url_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("APP_SECRET", "REDIS_URL")}
    env["DATABASE_URL"] = "mysql://root@localhost/crm"
    result = subprocess.run(
        [sys.executable, "-m", "hookwire.cli", "init"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: DATABASE_URL: unsupported database 'mysql'; "
        "use sqlite:///path or postgresql+psycopg://user@host/db"
    ]
    assert list(tmp_path.iterdir()) == []


def test_serve_prints_every_url_with_the_port_it_listens_on(
    installation: Installation, init_output: str, tmp_path: Path
) -> None:
    """``--port`` wins over $PORT in every line: sign-in, the curl to try, listening."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "hookwire.cli", "serve", "--demo", "--port", str(port)],
            env={**installation.env(), "PORT": "3999"},
            cwd=installation.directory,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            # "listening" is printed just before the socket is bound: wait for an answer.
            wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), process)
        finally:
            process.terminate()
            process.wait(timeout=10)
    urls = re.findall(r"https?://[^\s/]+", log.read_text())
    assert len(urls) == 3, log.read_text()  # sign-in, try curl, listening
    assert {url.rsplit(":", 1)[1] for url in urls} == {str(port)}


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def wait_for(check: Callable[[], bool], process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert process.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.1)
