"""Docs as tests: every shell and Python example in README.md and docs/ runs as written, against
a live server started the way the README starts one; an example that fails fails the suite.

The conventions the docs follow (write new examples to them):

- ```bash, ```sh and ```shell blocks run in bash with ``set -euo pipefail``, in the directory the
  server runs in (where a reader runs them: beside ``make serve``'s database and
  ``hookwire.demo.env``), with ``hookwire`` on the PATH and ``PORT`` set to the server's port.
  Blocks of one file run in order and share shell variables: an example may use ``$WEBHOOK_ID``
  that an earlier one set.
- ``curl`` fails on an HTTP error status (the test adds ``--fail-with-body``): an example that
  is answered 4xx or 5xx fails.
- ``NAME=...`` (three dots) is a value for the reader to fill in, with a comment saying where
  from. The test fills in the names in ``PLACEHOLDERS`` from the same place, and fails on any
  other: a new placeholder needs its entry there.
- ``http://localhost:3000`` is the server: the test substitutes the port it runs on.
- ```python blocks of one file run in order in one namespace, with ``KEY`` (the API key) in
  the environment and the port substituted. A block that serves forever (``serve_forever()``)
  is a webhook receiver listening on port 8000: its own test runs it and points a webhook at it.
- ```console blocks are transcripts (commands with their output, some of them against services
  outside, such as GitHub); ```json and ```text blocks are data. They are not run.
- Set-up commands are not run where they appear; each is run or checked by its own test
  (``SET_UP``): ``make serve`` starts this module's server (the command its recipe runs, from
  ``make -n serve``, so the two cannot drift), ``make test`` is this suite, and a
  ``hookwire serve …`` line is started on a free port and must answer ``/healthz``.
- ``docs/examples/*.py`` modules run the ``hookwire …`` commands their docstring gives.
"""

from __future__ import annotations

import html
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import free_port, service_unavailable

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLE_MODULES = sorted((ROOT / "docs" / "examples").glob("*.py"))
EXAMPLE_BASE_URL = "http://localhost:3000"
RECEIVER_PORT = "8000"
SHELL_LANGUAGES = {"bash", "sh", "shell"}
SHOWN_LANGUAGES = {"", "console", "json", "text"}  # transcripts, data and synopses: not run
BLOCK_TIMEOUT = 120

# Set-up commands: never run where they appear in an example; each is covered by a test below.
SET_UP = {
    "make serve": "starts the server this module runs the examples against (test_make_serve…)",
    "make test": "runs the test suite, this module included (test_make_test_runs_this_suite)",
    "hookwire serve": "started on a free port by test_server_commands_start, which waits for it",
}


# the examples


@dataclass(frozen=True)
class Example:
    doc: Path
    line: int  # of the example's first line in the doc
    language: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")


def examples_in(doc: Path) -> list[Example]:
    """Every fenced code block of a Markdown file, with its language and first line."""
    found = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        index += 1
        if not opening:
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        language = (opening["info"].split() or [""])[0].lower()
        start, body = index, []
        while index < len(lines) and not re.match(
            rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[index]
        ):
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        index += 1
        found.append(Example(doc, start + 1, language, "\n".join(body) + "\n"))
    return found


ALL_EXAMPLES = [example for doc in DOCS for example in examples_in(doc)]
SHELL_EXAMPLES = [e for e in ALL_EXAMPLES if e.language in SHELL_LANGUAGES]
PYTHON_EXAMPLES = [e for e in ALL_EXAMPLES if e.language == "python"]


def is_receiver(example: Example) -> bool:
    return "serve_forever()" in example.code


def logical_lines(code: str) -> list[str]:
    """Shell lines with their backslash continuations joined."""
    joined: list[str] = []
    for line in code.splitlines():
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1] + "\n" + line
        else:
            joined.append(line)
    return joined


def set_up_command(line: str) -> str | None:
    """The ``SET_UP`` command a shell line runs, if it runs one."""
    words = line.strip().split()
    for command in SET_UP:
        if words[: len(command.split())] == command.split():
            return command
    return None


SET_UP_LINES = [
    (example, line)
    for example in SHELL_EXAMPLES
    for line in logical_lines(example.code)
    if set_up_command(line)
]


# the server, started as `make serve` starts it


@dataclass
class DocsServer:
    directory: Path
    port: int
    key: str
    output: str
    env: dict[str, str]  # what the examples' shell gets
    states: dict[Path, dict[str, str]] = field(default_factory=dict)  # shell variables per doc
    namespaces: dict[Path, dict[str, Any]] = field(default_factory=dict)  # Python, per doc

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def localize(self, code: str) -> str:
        return code.replace(EXAMPLE_BASE_URL, self.base_url)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.key}"}
        response = requests.get(f"{self.base_url}{path}", headers=headers, timeout=30, **kwargs)
        response.raise_for_status()
        return response


def make_dry_run(target: str) -> str:
    """What ``make -n target`` would run here (outside any make this suite runs under)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def make_serve_command() -> list[str]:
    """The command ``make serve`` runs once everything is installed (its recipe's last line)."""
    if shutil.which("make") is None:
        service_unavailable("make is not installed; `make serve` needs it")
    dry_run = make_dry_run("serve").splitlines()
    command = shlex.split([line for line in dry_run if "hookwire serve" in line][-1])
    assert Path(command[0]).name == "hookwire" and command[1] == "serve", command
    return command


def examples_env(directory: Path, port: int, key: str) -> dict[str, str]:
    """A reader's shell beside the server: ``hookwire`` on PATH, curl failing on HTTP errors."""
    bin_dir = directory / ".docs-bin"
    bin_dir.mkdir()
    curl = shutil.which("curl")
    if curl is None:
        service_unavailable("curl is not installed; the docs' examples use it")
    shims = {
        "hookwire": f'exec {shlex.quote(sys.executable)} -m hookwire.cli "$@"',
        "curl": f'exec {shlex.quote(curl)} --fail-with-body --silent --show-error "$@"',
    }
    for name, body in shims.items():
        shim = bin_dir / name
        shim.write_text(f"#!/bin/sh\n{body}\n")
        shim.chmod(0o755)
    unset = ("APP_SECRET", "DATABASE_URL", "REDIS_URL", "KEY")
    env = {name: value for name, value in os.environ.items() if name not in unset}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", PORT=str(port), KEY=key)
    return env


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocsServer]:
    """``make serve`` in a fresh directory, on a free port; its printed key, for the examples.

    Loopback webhook targets are allowed, as the guide's receiver example says to start it.
    """
    directory = tmp_path_factory.mktemp("docs")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("APP_SECRET", "DATABASE_URL")}
    env.pop("REDIS_URL", None)
    env.update(PORT=str(port), HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    log_path = directory / "serve.log"
    command = [sys.executable, "-m", "hookwire.cli", *make_serve_command()[1:]]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_healthy(port, process, log_path)
        output = log_path.read_text()
        printed = re.findall(r"^ {4}(eyJ[\w-]+\.[\w-]+\.[\w-]+)$", output, re.MULTILINE)
        assert len(printed) == 1, output
        yield DocsServer(
            directory, port, printed[0], output, examples_env(directory, port, printed[0])
        )
    finally:
        stop(process)


def wait_until_healthy(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log_path.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer in time: {log_path.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# placeholders: `NAME=...` lines, filled in from where the reader is told to look


def newest_webhook_id(server: DocsServer, state: dict[str, str]) -> str:
    """``WEBHOOK_ID=...  # the "id" of that answer``: the webhook just created."""
    webhooks = server.get("/rest/webhooks").json()["data"]["webhooks"]
    return max(webhooks, key=lambda webhook: webhook["createdAt"])["id"]


def newest_event_id(server: DocsServer, state: dict[str, str]) -> str:
    """``EVENT_ID=...  # an "eventId" from the log``: the reader looks once it has one."""
    deadline = time.monotonic() + 30
    while True:
        path = f"/rest/webhooks/{state['WEBHOOK_ID']}/attempts?limit=1"
        attempts = server.get(path).json()["data"]["webhookDeliveryAttempts"]
        if attempts:
            return attempts[0]["eventId"]
        assert time.monotonic() < deadline, "no delivery attempt was logged"
        time.sleep(0.1)


def newest_key_id(server: DocsServer, state: dict[str, str]) -> str:
    """``KEY_ID=...  # an ID from the list``: the key created last (the list's last row)."""
    listing = subprocess.run(
        ["hookwire", "apikey", "list", "--workspace", "Demo"],
        cwd=server.directory,
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return listing.splitlines()[-1].split()[0]


PLACEHOLDERS: dict[str, Callable[[DocsServer, dict[str, str]], str]] = {
    "KEY": lambda server, state: server.key,  # "the key printed by make serve"
    "WEBHOOK_ID": newest_webhook_id,
    "EVENT_ID": newest_event_id,
    "KEY_ID": newest_key_id,
}
_PLACEHOLDER = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)=\.\.\.(\s.*)?$")
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_]\w*)=", re.MULTILINE)


def shell_segments(example: Example) -> Iterator[str]:
    """The example's shell code, split at its placeholders: code, then ``NAME=...`` lines."""
    code: list[str] = []
    for line in logical_lines(example.code):
        placeholder = _PLACEHOLDER.match(line)
        if placeholder:
            if code:
                yield "\n".join(code)
                code = []
            yield placeholder.group(0)
        elif set_up_command(line):
            code.append(f": {shlex.quote(line.strip())}  # set-up: {SET_UP[set_up_command(line)]}")
        else:
            code.append(line)
    if code:
        yield "\n".join(code)


def run_shell(server: DocsServer, example: Example, code: str) -> None:
    state = server.states.setdefault(example.doc, {})
    saved = server.directory / ".docs-state"
    names = sorted(set(_ASSIGNMENT.findall(code)))
    save = "".join(
        f'printf "%s\\0%s\\0" {name} "${{{name}-}}" >> "$DOCS_STATE"\n' for name in names
    )
    script = f"set -euo pipefail\n{server.localize(code)}\n{save}"
    saved.write_bytes(b"")
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=server.directory,
        env={**server.env, **state, "DOCS_STATE": str(saved)},
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert result.returncode == 0, (
        f"{example.name}: the example failed (exit {result.returncode}):\n{code}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    fields = saved.read_bytes().split(b"\0")
    state.update(
        (name.decode(), value.decode())
        for name, value in zip(fields[::2], fields[1::2], strict=False)
    )


@pytest.mark.parametrize("example", SHELL_EXAMPLES, ids=lambda example: example.name)
def test_shell_example(docs_server: DocsServer, example: Example) -> None:
    state = docs_server.states.setdefault(example.doc, {})
    for segment in shell_segments(example):
        placeholder = _PLACEHOLDER.match(segment)
        if not placeholder:
            run_shell(docs_server, example, segment)
            continue
        fill = PLACEHOLDERS.get(placeholder["name"])
        assert fill, (
            f"{example.name}: {segment.strip()!r} is a placeholder the test cannot fill in; "
            "set the variable in an earlier example, or add it to PLACEHOLDERS"
        )
        state[placeholder["name"]] = fill(docs_server, state)


@pytest.mark.parametrize(
    "example", [e for e in PYTHON_EXAMPLES if not is_receiver(e)], ids=lambda e: e.name
)
def test_python_example(
    docs_server: DocsServer, example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace = docs_server.namespaces.setdefault(
        example.doc, {"__name__": f"docs_{example.doc.stem.replace('-', '_')}"}
    )
    monkeypatch.setenv("KEY", docs_server.key)
    monkeypatch.setenv("PORT", str(docs_server.port))
    monkeypatch.chdir(docs_server.directory)
    code = "\n" * (example.line - 1) + docs_server.localize(example.code)
    exec(compile(code, str(example.doc), "exec"), namespace)


@pytest.mark.parametrize(
    "example", [e for e in PYTHON_EXAMPLES if is_receiver(e)], ids=lambda e: e.name
)
def test_receiver_example_verifies_real_deliveries(
    docs_server: DocsServer, example: Example, tmp_path: Path
) -> None:
    """Run the receiver, point a webhook at it, send a test event and create a record: it
    prints both events; a forged delivery gets 401."""
    port = free_port()
    assert f'"127.0.0.1", {RECEIVER_PORT}' in example.code, "the receiver listens on port 8000"
    script = tmp_path / "receiver.py"
    script.write_text(example.code.replace(f'"127.0.0.1", {RECEIVER_PORT}', f'"127.0.0.1", {port}'))
    headers = {"Authorization": f"Bearer {docs_server.key}"}
    created = requests.post(
        f"{docs_server.base_url}/rest/webhooks",
        headers=headers,
        json={"targetUrl": f"http://127.0.0.1:{port}/", "operations": ["person.created"]},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    webhook = created.json()["data"]["createWebhook"]
    env = {**os.environ, "WEBHOOK_SECRET": webhook["secret"], "PYTHONUNBUFFERED": "1"}
    output = tmp_path / "receiver.out"
    with output.open("w") as out:
        receiver = subprocess.Popen(
            [sys.executable, str(script)], env=env, stdout=out, stderr=subprocess.PIPE, text=True
        )
    try:
        wait_for_port(port, receiver)
        forged = requests.post(
            f"http://127.0.0.1:{port}/",
            data=b'{"eventName": "person.created", "record": {"id": "x"}}',
            headers={
                "webhook-id": "msg_forged",
                "webhook-timestamp": str(int(time.time())),
                "webhook-signature": "v1,Zm9yZ2Vk",
                "X-Twenty-Webhook-Timestamp": str(int(time.time() * 1000)),
                "X-Twenty-Webhook-Signature": "00",
            },
            timeout=10,
        )
        assert forged.status_code == 401
        test_event = requests.post(
            f"{docs_server.base_url}/rest/webhooks/{webhook['id']}/test",
            headers=headers,
            timeout=30,
        )
        assert test_event.status_code == 202, test_event.text
        person = requests.post(
            f"{docs_server.base_url}/rest/people",
            headers=headers,
            json={"name": {"firstName": "Receiver", "lastName": "Check"}},
            timeout=30,
        ).json()["data"]["createPerson"]
        expected = {f"webhook.test {webhook['id']}", f"person.created {person['id']}"}
        deadline = time.monotonic() + 30
        while not expected <= set(output.read_text().splitlines()):
            assert receiver.poll() is None, f"the receiver exited: {receiver.stderr.read()}"
            assert time.monotonic() < deadline, f"the receiver printed: {output.read_text()}"
            time.sleep(0.1)
        assert "msg_forged" not in output.read_text()
    finally:
        receiver.kill()
        receiver.wait(timeout=10)
        requests.delete(
            f"{docs_server.base_url}/rest/webhooks/{webhook['id']}", headers=headers, timeout=30
        )


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):
            assert process.poll() is None, f"the process exited: {process.stderr.read()}"
            assert time.monotonic() < deadline, "nothing listened in time"
            time.sleep(0.1)


# set-up commands


def test_make_serve_starts_the_examples_server_and_prints_its_key(docs_server: DocsServer) -> None:
    """The examples' server is what ``make serve`` runs; its key is printed once and saved."""
    assert any(line.strip().startswith("make serve") for _, line in SET_UP_LINES)
    assert make_serve_command()[1:] == ["serve", "--demo"]
    saved = (docs_server.directory / "hookwire.demo.env").read_text()
    assert f"KEY={docs_server.key}\n" in saved
    people = docs_server.get("/rest/people", params={"filter": "name.lastName[eq]:Lovelace"})
    assert people.json()["totalCount"] == 1  # the sample data


def test_make_test_runs_this_suite() -> None:
    if shutil.which("make") is None:
        service_unavailable("make is not installed")
    dry_run = make_dry_run("test")
    assert re.search(r"^\S*/pytest\s*$", dry_run, re.MULTILINE), dry_run


def test_server_commands_start(docs_server: DocsServer) -> None:
    """Each ``hookwire serve …`` line, beside the examples' database on another port, serves."""
    for example, line in SET_UP_LINES:
        if set_up_command(line) != "hookwire serve":
            continue
        port = free_port()
        command = re.sub(r"--port[ =]\d+", f"--port {port}", line.split(" #")[0].strip())
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=docs_server.directory,
            env={**docs_server.env, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_healthy(port, process, Path(os.devnull))
        except AssertionError as error:
            raise AssertionError(f"{example.name}: {line.strip()}: {error}") from None
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


# the rest: every block is run or shown on purpose; the served guide; example modules


def test_every_block_is_run_or_shown_on_purpose() -> None:
    unknown = [
        (example.name, example.language)
        for example in ALL_EXAMPLES
        if example.language not in SHELL_LANGUAGES | SHOWN_LANGUAGES | {"python"}
    ]
    assert unknown == [], "a block in a language this test neither runs nor knows to skip"
    assert SHELL_EXAMPLES and PYTHON_EXAMPLES


def test_the_served_guide_holds_the_docs_examples_pointed_at_the_server(
    docs_server: DocsServer,
) -> None:
    """``/docs/api-and-webhooks`` is ``docs/api-and-webhooks.md`` with this server's URL: its
    examples are the ones run above."""
    page = requests.get(f"{docs_server.base_url}/docs/api-and-webhooks", timeout=30)
    assert page.status_code == 200
    served = [
        html.unescape(code).strip()
        for code in re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", page.text, re.DOTALL)
    ]
    guide = [
        docs_server.localize(example.code).strip()
        for example in examples_in(ROOT / "docs" / "api-and-webhooks.md")
    ]
    assert served == guide


@pytest.mark.parametrize("module", EXAMPLE_MODULES, ids=lambda path: path.name)
def test_example_modules_run_the_commands_their_docstring_gives(
    docs_server: DocsServer, module: Path
) -> None:
    docstring = module.read_text(encoding="utf-8").split('"""')[1]
    commands = re.findall(r"``(hookwire [^`]+)``", docstring)
    assert commands, f"{module.name}: its docstring should say how to use it"
    for command in commands:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=ROOT,
            env=docs_server.env,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT,
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"


def test_shell_blocks_of_a_doc_share_variables(tmp_path: Path) -> None:
    """The runner itself: placeholders split a block; variables carry to the next block."""
    doc = tmp_path / "doc.md"
    doc.write_text(
        textwrap.dedent(
            """\
            ```bash
            make serve   # start
            A=$(echo 1) \\
              && echo "$A"
            WEBHOOK_ID=...   # from the answer
            echo "$WEBHOOK_ID"
            ```
            """
        )
    )
    (example,) = examples_in(doc)
    segments = list(shell_segments(example))
    assert segments[1] == "WEBHOOK_ID=...   # from the answer"
    assert segments[0].startswith(": 'make serve   # start'  # set-up:")
    assert _ASSIGNMENT.findall(segments[0]) == ["A"]
    assert segments[2] == 'echo "$WEBHOOK_ID"'
