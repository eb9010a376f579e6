"""``hookwire connector`` verbs, and the example connector from the authoring guide.

The example polls a GitHub-style JSON API that this module serves on loopback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from hookwire.cli import main
from hookwire.connector import Connector, ConnectorError, Deduper, ExpiredAuthError
from hookwire.connector.loading import load_definition

EXAMPLE = str(Path(__file__).resolve().parents[1] / "docs" / "examples" / "release_feed.py")
TOKEN = "gh-token"


class ReleaseApi:
    """``/user``, ``/repos/{owner}/{name}/releases`` and ``.../notes``, bearer-protected."""

    def __init__(self) -> None:
        self.releases: list[dict[str, Any]] = [
            {"id": 2, "tag_name": "v0.2.0", "name": "Second"},
            {"id": 1, "tag_name": "v0.1.0", "name": "First"},
        ]
        self.queries: list[dict[str, list[str]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not self._authorized():
                    return
                parts = urlsplit(self.path)
                api.queries.append(parse_qs(parts.query))
                if parts.path == "/user":
                    self._json(200, {"login": "octocat"})
                elif parts.path == "/repos/hookwire/demo/releases":
                    limit = int(parse_qs(parts.query).get("per_page", ["30"])[0])
                    self._json(200, api.releases[:limit])
                else:
                    self._json(404, {"message": "Not Found"})

            def do_POST(self) -> None:
                if not self._authorized():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self._json(201, {"id": 7, **body})

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._json(401, {"message": "Bad credentials"})
                    return False
                return True

            def _json(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def api() -> Iterator[ReleaseApi]:
    running = ReleaseApi()
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_the_example_connects_polls_with_dedupe_and_acts(api: ReleaseApi) -> None:
    connector = Connector(load_definition(EXAMPLE))
    auth = {"access_token": TOKEN, "baseUrl": api.url}
    assert connector.run("connectionLabel", {"authData": auth}) == "octocat"

    poll = {"authData": auth, "inputData": {"repo": "hookwire/demo"}}
    deduper = Deduper()
    assert deduper.new_items(connector.run("new_release", poll)) == []  # the first poll primes
    api.releases.insert(0, {"id": 3, "tag_name": "v0.3.0", "name": "Third"})
    fresh = deduper.new_items(connector.run("new_release", poll))
    assert fresh == [{"id": 3, "tag_name": "v0.3.0", "name": "Third"}]
    assert deduper.new_items(connector.run("new_release", poll)) == []

    limited = connector.run("new_release", {**poll, "meta": {"limit": 1}})
    assert len(limited) == 1 and api.queries[-1] == {"per_page": ["1"]}
    assert connector.choices("new_release.id.name", poll)[0] == {"value": 3, "label": "Third"}

    note = connector.run(
        "add_release_note",
        {"authData": auth, "inputData": {"repo": "hookwire/demo", "release": "3", "text": "Yay"}},
    )
    assert note == {"id": 7, "release": 3, "text": "Yay"}
    with pytest.raises(ConnectorError, match="expected owner/name"):
        connector.run(
            "add_release_note",
            {"authData": auth, "inputData": {"repo": "demo", "release": "3", "text": "x"}},
        )


def test_the_example_reports_a_bad_token(api: ReleaseApi) -> None:
    connector = Connector(load_definition(EXAMPLE))
    with pytest.raises(ConnectorError, match="answered 401"):
        connector.run("test", {"authData": {"access_token": "wrong", "baseUrl": api.url}})
    with pytest.raises(ExpiredAuthError, match="access_token is missing"):
        connector.run("test", {"authData": {"baseUrl": api.url}})


# the CLI


BROKEN = {
    "key": "broken",
    "version": "1",
    "authentication": {"type": "apikey", "test": {"url": "https://x.test"}},
    "triggers": {
        "rows": {
            "key": "row",
            "noun": "Row",
            "display": {"label": "Rows", "descripton": "typo"},
            "operation": {"perform": 5, "inputFields": [{"key": "a", "dynamic": "nope.id"}]},
        }
    },
}


def test_validate_prints_the_path_of_every_problem_at_once(tmp_path: Path) -> None:
    """The schema's problems and the rules' come in one pass, ordered by path."""
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(BROKEN))
    result = CliRunner().invoke(main, ["connector", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:-1] == [
        "authentication.type: 'apikey' is not allowed; use one of 'custom', 'basic', 'bearer', "
        "'oauth2'",
        "triggers.rows.display: missing required property 'description'; add it",
        "triggers.rows.display.descripton: unknown property; did you mean 'description'?",
        "triggers.rows.key: 'row' does not match the entry name 'rows'; make them equal",
        "triggers.rows.operation: missing 'sample'; visible operations need one (an example "
        "result), or set display.hidden to true",
        "triggers.rows.operation.inputFields[0].dynamic: 'nope.id' names no trigger 'nope'; use "
        "an existing trigger key (rows)",
        "triggers.rows.operation.perform: expected a request object {method, url, headers, "
        "params, body} or a callable's name, like 'package.module:function', got an integer 5",
        "version: '1' is not valid; write a semantic version like '1.0.0'",
    ]
    assert lines[-1] == f"Error: 8 problem(s) in {path}"


def test_validate_checks_the_rules_of_malformed_parts_without_crashing(tmp_path: Path) -> None:
    """Parts of the wrong shape get the schema's word only; the well-formed rest, the rules'."""
    path = tmp_path / "odd.json"
    path.write_text(
        json.dumps(
            {
                "key": "odd",
                "version": "1.0.0",
                "triggers": [1],
                "creates": {
                    "x": 5,
                    "y": {"operation": 3},
                    "z": {
                        "key": ["z"],
                        "noun": "Z",
                        "display": {"label": "Z", "description": "Z.", "hidden": True},
                        "operation": {
                            "perform": {"url": "https://x.test"},
                            "inputFields": [{"key": ["q"]}, 5, {"key": "k", "dynamic": 7}],
                        },
                    },
                },
            }
        )
    )
    result = CliRunner().invoke(main, ["connector", "validate", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "triggers: expected an object, got an array [1]" in lines
    assert "creates.z.key: expected a string, got an array ['z']" in lines
    assert not [line for line in lines if "does not match the entry name" in line]
    assert "Traceback" not in result.output


def test_validate_reports_rule_problems_once_the_schema_passes(tmp_path: Path) -> None:
    fixed = json.loads(json.dumps(BROKEN))
    fixed.update(version="1.0.0")
    fixed["authentication"]["type"] = "custom"
    fixed["triggers"]["rows"]["display"] = {"label": "Rows", "description": "Rows."}
    fixed["triggers"]["rows"]["operation"]["perform"] = {"url": "https://x.test/rows"}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(fixed))
    result = CliRunner().invoke(main, ["connector", "validate", str(path)])
    assert result.exit_code == 1
    assert "triggers.rows.key: 'row' does not match the entry name 'rows'" in result.output
    assert "triggers.rows.operation.inputFields[0].dynamic: 'nope.id' names no trigger" in (
        result.output
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.json", "missing.json: cannot read"),
        ("no_such_package_x:CONNECTOR", "does not import"),
        ("json:loads", "has no definition dict named loads"),
    ],
)
def test_validate_explains_sources_it_cannot_load(source: str, message: str) -> None:
    result = CliRunner().invoke(main, ["connector", "validate", source])
    assert result.exit_code == 1 and message in result.output


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"key": "x",\n  "version": }')
    result = CliRunner().invoke(main, ["connector", "validate", str(path)])
    assert f"{path}:2:14: not valid JSON" in result.output


def test_validate_describe_and_export_the_bundled_connector() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["connector", "validate"]).output.endswith(": valid\n")
    described = runner.invoke(main, ["connector", "describe"]).output
    assert "Authentication: custom" in described
    assert re.search(r"trigger_record +hook +no +Record Trigger", described)
    assert re.search(r"operation +string +yes +choices: create, update, delete", described)
    manifest = json.loads(runner.invoke(main, ["connector", "export"]).output)
    assert manifest["authentication"]["test"] == "hookwire.auth.connector_auth:test_auth"
    assert manifest["creates"]["crud_record"]["operation"]["inputFields"][2] == (
        "hookwire.actions.crud_record:record_input_fields"
    )


@pytest.mark.parametrize(
    ("port", "url"), [("", "http://localhost:3000"), ("4321", "http://localhost:4321")]
)
def test_the_bundled_connector_defaults_to_this_server_on_port(port: str, url: str) -> None:
    """``apiUrl`` defaults to the server a ``hookwire serve`` in the same environment runs."""
    env = {key: value for key, value in os.environ.items() if key != "PORT"}
    described = subprocess.run(
        [sys.executable, "-m", "hookwire.cli", "connector", "describe"],
        env={**env, **({"PORT": port} if port else {})},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(rf"apiUrl +string +no +.*default '{re.escape(url)}'", described), described


def test_an_exported_manifest_validates_and_runs_as_json(tmp_path: Path, api: ReleaseApi) -> None:
    exported = CliRunner().invoke(main, ["connector", "export", EXAMPLE]).output
    path = tmp_path / "release_feed.json"
    path.write_text(exported)
    result = CliRunner().invoke(
        main,
        [
            "connector",
            "invoke",
            "new_release",
            "--definition",
            str(path),
            "--auth",
            f"access_token={TOKEN}",
            "--auth",
            f"baseUrl={api.url}",
            "--input",
            "repo=hookwire/demo",
            "--meta",
            "limit=1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"id": 2, "tag_name": "v0.2.0", "name": "Second"}]


def test_invoke_accepts_the_paths_export_prints(api: ReleaseApi) -> None:
    """A component's path in the manifest (with or without ``.operation[.method]``) runs, as
    ``authentication.test`` does; the short forms run the same operations."""
    manifest = json.loads(CliRunner().invoke(main, ["connector", "export", EXAMPLE]).output)
    assert manifest["triggers"]["new_release"]["operation"]["perform"]
    auth = ["--auth", f"access_token={TOKEN}", "--auth", f"baseUrl={api.url}"]
    poll = ["-d", EXAMPLE, *auth, "--input", "repo=hookwire/demo", "--meta", "limit=1"]
    releases = [{"id": 2, "tag_name": "v0.2.0", "name": "Second"}]
    for operation in (
        "triggers.new_release",
        "triggers.new_release.operation",
        "triggers.new_release.operation.perform",
        "triggers.new_release.perform",
        "new_release",
    ):
        result = CliRunner().invoke(main, ["connector", "invoke", operation, *poll])
        assert result.exit_code == 0, (operation, result.output)
        assert json.loads(result.output) == releases, operation
    for operation, expected in (
        ("authentication.test", {"login": "octocat"}),
        ("authentication.connectionLabel", "octocat"),
        (
            "creates.add_release_note.operation.inputFields",
            manifest["creates"]["add_release_note"]["operation"]["inputFields"],
        ),
    ):
        result = CliRunner().invoke(main, ["connector", "invoke", operation, "-d", EXAMPLE, *auth])
        assert result.exit_code == 0, (operation, result.output)
        assert json.loads(result.output) == expected, operation


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ("triggers.nope", "no triggers named 'nope'"),
        ("triggers.new_release.operation.perform.extra", "unknown operation"),
        ("triggers.new_release.operation.explode", "unknown method 'explode'"),
        ("authentication", "unknown operation"),
        ("authentication.oauth2Config.getAccessToken", "oauth2Config has no getAccessToken"),
    ],
)
def test_invoke_names_what_exists_for_a_wrong_path(operation: str, message: str) -> None:
    result = CliRunner().invoke(main, ["connector", "invoke", operation, "-d", EXAMPLE])
    assert result.exit_code == 1
    assert message in json.loads(result.output)["error"]["message"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--auth", "novalue"], "expected key=value, got 'novalue'"),
        (["--meta", "pages=2"], "bundle.meta: unknown key(s) pages"),
        (["--subscribe-data", "{"], "not JSON"),
    ],
)
def test_invoke_rejects_malformed_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["connector", "invoke", "test", *args])
    assert result.exit_code != 0 and message in result.output
