"""Hookwire as users install it: the project without extras in a fresh venv, and the Docker
image's build replayed instruction by instruction in another (no Docker engine runs here).
Each install starts, serves ``/healthz`` and delivers a webhook that ``standardwebhooks``
verifies. pip resolves from the package registry, with its default download cache."""

from __future__ import annotations

import hmac
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import pytest
import requests
from standardwebhooks import Webhook

from conftest import free_port
from receiver import Receiver

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
PLAIN = "pip install <checkout>"
DOCKER = "docker/Dockerfile"
SYSTEM_SETUP = {"useradd", "groupadd", "apt-get"}  # RUN commands for the image's OS
INSTALL_TIMEOUT = 240  # seconds; both installs run side by side, usually within a minute
# Settings of the test process that must not leak into an installed Hookwire's environment.
LEAKY_VARIABLES = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DATABASE_URL", "REDIS_URL"}
# Every module of the package, imported: a third-party import missing from the runtime
# dependencies fails here even in a module that serving does not load.
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, hookwire
for module in pkgutil.walk_packages(hookwire.__path__, "hookwire."):
    importlib.import_module(module.name)
"""

# The first test also waits for both installs, which a busy machine can slow past the default.
pytestmark = pytest.mark.timeout(2 * INSTALL_TIMEOUT)


@dataclass(frozen=True)
class Install:
    """A venv holding Hookwire, and how its server is started."""

    venv: Path
    workdir: Path  # where the server runs
    env: dict[str, str]
    command: list[str]


def _environment(venv: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This machine's environment (pip's settings and cache included), the venv's bin first."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in LEAKY_VARIABLES and not key.startswith(("HOOKWIRE_", "APP_", "PORT"))
    }
    path = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return {**env, **(extra or {}), "PATH": path, "PIP_COMPILE": "0"}  # no .pyc: faster


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT
    )
    assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}"


def _new_venv(path: Path) -> Path:
    _run([sys.executable, "-m", "venv", str(path)], path.parent, _environment(path))
    return path


def _copy(source: Path, target: Path) -> None:
    """Copy a file, or a symbolic link as a link (the guide is one, into docs/)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        target.symlink_to(os.readlink(source))
    else:
        shutil.copy2(source, target)


def plain_install(tmp: Path) -> Install:
    """``pip install <checkout>``, no extras: the project's files as a clone holds them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    checkout = tmp / "checkout"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.exists() or source.is_symlink():  # not deleted in the working tree
            _copy(source, checkout / name)
    venv = _new_venv(tmp / "venv")
    env = _environment(venv)
    _run(["pip", "install", str(checkout)], tmp, env)
    return Install(venv, tmp, env, ["hookwire", "serve"])


def _docker_instructions(text: str) -> Iterator[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            yield keyword.upper(), arguments.strip()


def _docker_ignored(relative: PurePosixPath, patterns: list[str]) -> bool:
    return any(
        fnmatch(str(relative), pattern)
        or (pattern.startswith("**/") and fnmatch(relative.name, pattern[3:]))
        for pattern in patterns
    )


def _docker_copy(arguments: str, workdir: Path) -> None:
    """``COPY src... dest`` from the build context (the repository), minus .dockerignore."""
    *sources, destination = shlex.split(arguments)
    assert not any(s.startswith("--from") for s in sources), "multi-stage COPY: replay it here"
    sources = [s for s in sources if not s.startswith("--")]  # --chown, --chmod
    lines = (line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines())
    ignore = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in ignore), "an exception in .dockerignore: replay it"
    target = workdir / destination
    for source in sources:
        path = ROOT / source
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = PurePosixPath(file.relative_to(ROOT).as_posix())
                ignored = any(_docker_ignored(p, ignore) for p in (relative, *relative.parents))
                if not ignored and (file.is_file() or file.is_symlink()):
                    _copy(file, target / file.relative_to(path))
        elif destination.endswith("/") or len(sources) > 1:
            _copy(path, target / path.name)
        else:
            _copy(path, target)


def docker_install(tmp: Path) -> Install:
    """docker/Dockerfile replayed: its ENV, WORKDIR, COPY and RUN, in a venv standing for the
    image's Python; its CMD is the server command. The image builds without a pip cache;
    here the default cache keeps the test fast."""
    root, venv = tmp / "image", _new_venv(tmp / "venv")
    workdir, image_env, command = root, {}, []
    for keyword, arguments in _docker_instructions(DOCKERFILE.read_text()):
        if keyword == "ENV":
            image_env.update(pair.split("=", 1) for pair in shlex.split(arguments))
        elif keyword == "WORKDIR":
            workdir = root / arguments.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            _docker_copy(arguments, workdir)
        elif keyword == "RUN" and arguments.split()[0] in SYSTEM_SETUP:
            continue  # the image's operating system, not Hookwire's install
        elif keyword == "RUN":
            # pip reads any PIP_NO_CACHE_DIR, even 0 or false, as "no cache": drop it.
            cached = {k: v for k, v in image_env.items() if k != "PIP_NO_CACHE_DIR"}
            _run(["sh", "-c", arguments], workdir, _environment(venv, cached))
        elif keyword == "CMD":
            command = json.loads(arguments)
        else:
            assert keyword in {"FROM", "USER", "EXPOSE", "HEALTHCHECK", "LABEL"}, (
                f"the Dockerfile's {keyword} is not replayed by this test yet"
            )
    assert command[:1] == ["hookwire"], f"CMD {command}: expected a hookwire command"
    # The image listens on every interface of its container; here, on loopback only.
    command = ["127.0.0.1" if word == "0.0.0.0" else word for word in command]
    return Install(venv, workdir, _environment(venv, image_env), command)


@pytest.fixture(scope="module")
def installs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Install]:
    """Both installs, made side by side (each mostly waits on the registry)."""
    makers = {PLAIN: plain_install, DOCKER: docker_install}
    with ThreadPoolExecutor(len(makers)) as pool:
        futures = {
            kind: pool.submit(make, tmp_path_factory.mktemp(kind.split()[0].replace("/", "-")))
            for kind, make in makers.items()
        }
        return {kind: future.result() for kind, future in futures.items()}


@pytest.mark.parametrize("kind", [PLAIN, DOCKER])
def test_every_module_imports(installs: dict[str, Install], kind: str) -> None:
    install = installs[kind]
    python = str(install.venv / "bin" / "python")
    _run([python, "-c", IMPORT_EVERY_MODULE], install.workdir, install.env)


@pytest.mark.parametrize("kind", [PLAIN, DOCKER])
def test_an_install_serves_and_delivers_a_signed_webhook(
    installs: dict[str, Install], kind: str, tmp_path: Path, receiver: Receiver
) -> None:
    install, port = installs[kind], free_port()
    env = {
        **install.env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hookwire.db'}",
        "PORT": str(port),
        "HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    hookwire = str(install.venv / "bin" / "hookwire")
    init = subprocess.run(
        [hookwire, "init", "--workspace", "Packaging"],
        cwd=install.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    token = init.stdout.split()[-1]
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            install.command, cwd=install.workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(server, base_url, log_path)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        created = api.post(
            f"{base_url}/rest/webhooks",
            json={"targetUrl": f"{receiver.url}/packaged", "operations": ["person.created"]},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        secret = created.json()["data"]["createWebhook"]["secret"]
        person = api.post(
            f"{base_url}/rest/people", json={"name": {"firstName": "Ada"}}, timeout=30
        )
        assert person.status_code == 201, person.text

        [delivery] = receiver.wait_for(1, "/packaged")
        event = Webhook(secret).verify(delivery.body, delivery.headers)
        assert event["eventName"] == "person.created"
        assert event["record"]["id"] == person.json()["data"]["createPerson"]["id"]
        timestamp = delivery.headers["x-twenty-webhook-timestamp"]
        twenty = hmac.new(secret.encode(), f"{timestamp}:".encode() + delivery.body, "sha256")
        assert delivery.headers["x-twenty-webhook-signature"] == twenty.hexdigest()

        guide = requests.get(f"{base_url}/docs/api-and-webhooks", timeout=30)
        assert guide.status_code == 200  # the guide, a link into docs/ in the source, is there
        assert "Signatures" in guide.text
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_healthy(server: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited:\n{log_path.read_text()}"
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its workers still booting
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer 200 within 60 s:\n{log_path.read_text()}")
