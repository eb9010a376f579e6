"""Per-call overhead of the connector runtime against a direct ``requests`` call.

One ``hookwire serve`` subprocess (SQLite, a fresh workspace), then the same GraphQL request
(``currentWorkspace`` on ``/metadata``, the bundled connector's auth test) three ways, the calls
interleaved so drift hits all three alike:

* direct: one keep-alive ``requests.Session`` POST, the JSON decoded;
* invoke: ``Connector.run("test", bundle)`` in-process (template, middleware, checks);
* serve: ``POST /invoke`` to a ``hookwire connector serve`` subprocess (one more HTTP hop).

It prints p50 and mean per call and each ratio to direct, with PASS/FAIL against the target of
an in-process p50 at most 1.2x direct. It prints; it does not assert.

    python bench/connector.py [--calls N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from hookwire.auth.connector_auth import CURRENT_WORKSPACE
from hookwire.connector import Bundle, Connector
from hookwire.crm_connector import CRM_CONNECTOR

TARGET_RATIO = 1.2
WARMUP = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], env: dict[str, str], health_url: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "hookwire.cli", *args],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(health_url, timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{' '.join(args)} did not start: {log.read_text()}")


def measure(calls: dict[str, Callable[[], Any]], count: int) -> dict[str, list[float]]:
    """Milliseconds per call for each way, interleaved call by call."""
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for index in range(WARMUP + count):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            if index >= WARMUP:
                timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir}/bench.db",
            "APP_SECRET": "bench-secret-" + "x" * 32,
        }
        env.pop("REDIS_URL", None)
        init = subprocess.run(
            [sys.executable, "-m", "hookwire.cli", "init", "--workspace", "Bench"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        token = init.stdout.strip().splitlines()[-1]
        api_port, runtime_port = free_port(), free_port()
        api_url = f"http://127.0.0.1:{api_port}"
        runtime_url = f"http://127.0.0.1:{runtime_port}"
        server = start(
            ["serve", "--port", str(api_port)], env, f"{api_url}/healthz", Path(workdir, "api.log")
        )
        runtime = start(
            ["connector", "serve", "--port", str(runtime_port)],
            env,
            f"{runtime_url}/healthz",
            Path(workdir, "runtime.log"),
        )
        try:
            auth = {"apiKey": token, "apiUrl": api_url}
            direct = requests.Session()
            direct.headers["Authorization"] = f"Bearer {token}"
            connector = Connector(CRM_CONNECTOR)
            platform = requests.Session()
            body = {"operation": "test", "bundle": {"authData": auth}}
            calls = {
                "direct": lambda: direct.post(
                    f"{api_url}/metadata",
                    json={"query": CURRENT_WORKSPACE, "variables": {}},
                    timeout=30,
                ).json()["data"]["currentWorkspace"],
                "invoke": lambda: connector.run("test", Bundle(auth_data=dict(auth))),
                "serve": lambda: platform.post(
                    f"{runtime_url}/invoke", json=body, timeout=30
                ).json()["result"],
            }
            expected = calls["direct"]()
            assert calls["invoke"]() == expected == calls["serve"](), "the three ways disagree"
            timings = measure(calls, options.calls)
        finally:
            runtime.terminate()
            server.terminate()
            runtime.wait(timeout=10)
            server.wait(timeout=10)

    base = statistics.median(timings["direct"])
    print(f"{options.calls} calls each, currentWorkspace on /metadata (SQLite)\n")
    print(f"{'WAY':8} {'P50 ms':>8} {'MEAN ms':>8} {'P50 RATIO':>10}")
    for name, values in timings.items():
        p50 = statistics.median(values)
        print(f"{name:8} {p50:8.2f} {statistics.fmean(values):8.2f} {p50 / base:9.2f}x")
    ratio = statistics.median(timings["invoke"]) / base
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"\n{verdict}: in-process invoke p50 is {ratio:.2f}x direct (target <= {TARGET_RATIO}x)")


if __name__ == "__main__":
    main()
