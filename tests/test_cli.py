"""The ``hookwire`` command, run as a user would: init, serve, apikey create / list / revoke."""

from __future__ import annotations

import base64
import importlib.metadata
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from joserfc import jwt

import hookwire
from browser.web import Browser
from conftest import Database, Server, free_port
from hookwire.database import create_db_engine
from hookwire.identity.api_keys import signing_key

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
    except (requests.ConnectionError, requests.Timeout):
        return False


def wait_for(check: Callable[[], bool], process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert process.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.1)


# the first run: `make serve` (`hookwire serve --demo`) started again and again


@contextmanager
def serve_demo(directory: Path) -> Iterator[tuple[int, str]]:
    """``hookwire serve --demo`` in ``directory`` (the default ./hookwire.db); (port, output)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("APP_SECRET", "DATABASE_URL")}
    env.pop("REDIS_URL", None)
    log = directory / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "hookwire.cli", "serve", "--demo", "--port", str(port)],
            env=env,
            cwd=directory,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), process)
        yield port, log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)


def printed_secrets(output: str) -> tuple[str | None, str | None]:
    """The API key and the admin's password a start printed, if it printed them."""
    key = re.search(r"^ {4}(eyJ\S+)$", output, re.MULTILINE)
    password = re.search(r"^Sign in at \S+ as \S+ with the password (\S+)$", output, re.MULTILINE)
    return (key and key.group(1)), (password and password.group(1))


def demo_file(directory: Path) -> dict[str, str]:
    path = directory / "hookwire.demo.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_serve_demo_keeps_its_key_and_password_across_restarts(tmp_path: Path) -> None:
    """The first start prints the key and password and saves them (0600); a restart prints
    neither, and both keep working: the browser stays signed in, no second key is made."""
    with serve_demo(tmp_path) as (port, first):
        key, password = printed_secrets(first)
        assert key and password, first
        assert demo_file(tmp_path) == {
            "KEY": key,
            "HOOKWIRE_DEMO_EMAIL": "admin@demo.localhost",
            "HOOKWIRE_DEMO_PASSWORD": password,
        }
        browser = Browser(f"http://127.0.0.1:{port}")
        assert browser.sign_in("admin@demo.localhost", password).status_code == 303
    with serve_demo(tmp_path) as (port, second):
        assert key not in second and password not in second, second
        assert printed_secrets(second) == (None, None)
        assert "./hookwire.demo.env" in second
        base = f"http://127.0.0.1:{port}"
        people = requests.get(
            f"{base}/rest/people", headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        assert people.status_code == 200 and people.json()["totalCount"] == 3
        browser.base_url = base  # the same cookie jar: the session from the first start
        assert browser.get("/settings/apis", allow_redirects=False).status_code == 200
    listing = Installation(tmp_path, tmp_path / "hookwire.db").key_rows("Demo")
    assert [(name, status) for name, _, status in listing.values()] == [("serve --demo", "active")]
    # `. ./hookwire.demo.env` gives a shell the key, as the README says
    sourced = subprocess.run(
        ["sh", "-c", '. ./hookwire.demo.env && printf %s "$KEY"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sourced.stdout == key


def test_serve_demo_replaces_only_what_stopped_working(tmp_path: Path) -> None:
    """A revoked key is replaced (and the new one printed); a password reset by hand is kept
    (and never printed); a deleted file gives a new key and password."""
    installation = Installation(tmp_path, tmp_path / "hookwire.db")
    with serve_demo(tmp_path) as (_, first):
        key, _ = printed_secrets(first)
    installation.ok("apikey", "revoke", claims_of(key)["jti"])
    chosen = installation.ok("user", "reset-password", "admin@demo.localhost").strip()
    with serve_demo(tmp_path) as (port, second):
        new_key, new_password = printed_secrets(second)
        assert new_key and new_key != key and new_password is None, second
        assert "set with `hookwire user reset-password`" in second
        assert chosen not in second
        saved = demo_file(tmp_path)
        assert saved["KEY"] == new_key and "HOOKWIRE_DEMO_PASSWORD" not in saved
        browser = Browser(f"http://127.0.0.1:{port}")
        assert browser.sign_in("admin@demo.localhost", chosen).status_code == 303
    (tmp_path / "hookwire.demo.env").unlink()
    with serve_demo(tmp_path) as (port, third):
        fresh_key, fresh_password = printed_secrets(third)
        assert fresh_key not in (None, key, new_key) and fresh_password, third
        assert demo_file(tmp_path)["HOOKWIRE_DEMO_PASSWORD"] == fresh_password
        browser = Browser(f"http://127.0.0.1:{port}")
        assert browser.sign_in("admin@demo.localhost", fresh_password).status_code == 303


# the command itself: fast to start, and it knows its version

HEAVY = ("sqlalchemy", "sqlmodel", "flask", "requests", "jsonschema", "graphql", "authlib")


@pytest.mark.parametrize("args", [["--help"], ["connector", "--help"], ["--version"]])
def test_help_and_version_import_none_of_the_server(args: list[str]) -> None:
    """``hookwire --help`` took 1.5-5.6 s importing the whole server; it imports click only."""
    code = (
        "import sys\n"
        "from hookwire.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]", result.stdout


def test_version_is_the_package_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hookwire.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout == f"hookwire, version {hookwire.__version__}\n"
    assert hookwire.__version__ == importlib.metadata.version("hookwire")
