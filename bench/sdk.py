"""The generated Python client: its per-call overhead beside raw httpx, and generation time.

For each backend, the set-up of ``bench/rest_api.py`` (imported from it): a fresh database, a
workspace with an API key and ``hookwire serve``; N people created over REST. Then:

* **call overhead**: the workspace's client, generated from the server's schema (the wheel's
  files unpacked onto ``sys.path``), against one keep-alive ``httpx.Client`` posting the very
  document the generated method sends (same query text, same variables) and reading
  ``response.json()``. Two calls, interleaved request by request in a new random order each
  round (so load from other processes, and the position in a round, hit all alike):
  ``list_people(first=20)`` (20 people parsed into pydantic models) and ``get_person(id=…)``;
  also the base client's untyped ``graphql()`` for the list. Printed: p50 and p99 per call,
  the ratio to raw httpx on p50, this process's CPU time per call (the client's own cost,
  beyond the reach of the server's and the machine's noise), and PASS/FAIL for "the SDK
  costs at most 1.15x raw httpx" (on p50).
* **generation**: a second workspace of 50 custom objects of 30 fields (``bench/graphql_api.py``
  makes it, through ``hookwire.crm.metadata`` directly). The first ``GET /sdk/python`` after its
  last change (what a user waits for: the server builds the wheel), then the same request again
  (served from the cache); then each step of the build timed in this process: introspection
  over HTTP, the operation documents, the reduced schema, ariadne-codegen with the async
  client, the wheel; the wheel's size and the time to import the generated package in a fresh
  interpreter. PASS/FAIL for "generation < 10 s" on the first request.

It prints; it does not assert. ariadne-codegen's own environment is made first if missing
(``hookwire sdk tools``), outside the timings.

    python bench/sdk.py [--backend sqlite|postgres|both] [--people N] [--quick]
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from graphql_api import CUSTOM_OBJECTS, FIELDS_PER_OBJECT, create_wide_workspace
from hookwire.config import sdk_settings
from hookwire.sdk import build_wheel, fetch_schema, toolchain
from hookwire.sdk.codegen import generate_package
from hookwire.sdk.operations import operations_document
from hookwire.sdk.schema import codegen_schema
from rest_api import (
    Latency,
    Served,
    argument_parser,
    backends_from,
    served_backend,
)

TARGET_RATIO = 1.15
TARGET_GENERATION_S = 10.0
WARMUP = 30


def unpacked_client(served: Served, folder: Path) -> Any:
    """The workspace's generated package, from its wheel unpacked into ``folder``."""
    tools = sdk_settings(os.environ).tools_dir
    schema = fetch_schema(served.api.base_url, served.target.token)
    wheel = build_wheel(schema, folder, server_url=served.api.base_url, tools_dir=tools)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder / "site")
    sys.path.insert(0, str(folder / "site"))
    for name in [m for m in sys.modules if m.startswith("hookwire_client")]:
        del sys.modules[name]  # the checkout's base package, if a test import loaded it
    import hookwire_client.generated as generated

    return generated


def interleaved(
    calls: dict[str, Callable[[], Any]], count: int
) -> tuple[dict[str, Latency], dict[str, float]]:
    """Each call ``count`` times, request by request in a new random order each round, after
    ``WARMUP`` untimed rounds: the latencies, and this process's CPU seconds per call (the
    client's own cost, which the server's and the machine's noise does not reach)."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, float] = dict.fromkeys(calls, 0.0)
    order = list(calls)
    shuffle = random.Random(20261207).shuffle
    for round_number in range(WARMUP + count):
        shuffle(order)
        for name in order:
            started, started_cpu = time.perf_counter(), time.process_time()
            calls[name]()
            if round_number >= WARMUP:
                samples[name].append(time.perf_counter() - started)
                cpu[name] += time.process_time() - started_cpu
    return (
        {name: Latency(values) for name, values in samples.items()},
        {name: seconds / count for name, seconds in cpu.items()},
    )


def bench_overhead(served: Served, people: int, count: int) -> list[str]:
    api = served.api
    for start in range(0, people, 200):
        batch = [
            {"name": {"firstName": f"P{i}", "lastName": "Bench"}, "city": "Paris"}
            for i in range(start, min(people, start + 200))
        ]
        api.call("POST", "/rest/batch/people", status=201, json=batch)
    with tempfile.TemporaryDirectory(prefix="hookwire-sdk-bench-") as scratch:
        generated = unpacked_client(served, Path(scratch))
        sdk = generated.Client(api.base_url, token=served.target.token)
        raw = httpx.Client(headers={"Authorization": f"Bearer {served.target.token}"})
        some_id = sdk.list_people(first=1).edges[0].node.id

        def raw_call(query: str, name: str, variables: dict[str, Any]) -> Callable[[], Any]:
            body = {"query": query, "operationName": name, "variables": variables}
            return lambda: raw.post(f"{api.base_url}/graphql", json=body).json()

        list_query = _document(generated, "list_people")
        get_query = _document(generated, "get_person")
        results, cpu = interleaved(
            {
                "list: raw httpx": raw_call(list_query, "ListPeople", {"first": 20}),
                "list: generated": lambda: sdk.list_people(first=20),
                "list: graphql()": lambda: sdk.graphql(list_query, {"first": 20}, "ListPeople"),
                "get: raw httpx": raw_call(get_query, "GetPerson", {"id": some_id}),
                "get: generated": lambda: sdk.get_person(id=some_id),
            },
            count,
        )
        sdk.close()
        raw.close()
    print(f"\ncall overhead ({count} calls each, interleaved; {people} people, lists of 20)")
    print(f"{'call':<20} {'p50 ms':>8} {'p99 ms':>8} {'vs raw':>7} {'client CPU µs':>14}")
    verdicts = []
    for call, latency in results.items():
        kind = call.split(":")[0]
        baseline = results[f"{kind}: raw httpx"].p50_ms
        ratio = latency.p50_ms / baseline
        print(
            f"{call:<20} {latency.p50_ms:>8.2f} {latency.p99_ms:>8.2f} {ratio:>6.2f}x "
            f"{cpu[call] * 1e6:>14.0f}"
        )
        if call.endswith("generated"):
            outcome = "PASS" if ratio <= TARGET_RATIO else "FAIL"
            verdicts.append(
                f"{kind} through the generated client: {ratio:.2f}x raw httpx: {outcome}"
            )
    return verdicts


def _document(generated: Any, method: str) -> str:
    """The query text a generated method sends, caught by a transport that answers null."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["query"])
        return httpx.Response(200, json={"data": {}})

    client = generated.Client("http://unused.invalid", transport=httpx.MockTransport(answer))
    with contextlib.suppress(Exception):  # the empty answer fails to parse, once sent
        getattr(client, method)(**({"id": "x"} if method.startswith("get") else {}))
    return sent[0]


def bench_generation(served: Served) -> str:
    wide = create_wide_workspace(served.engine, served.app_secret)
    headers = {"Authorization": f"Bearer {wide.token}"}
    url = f"{served.api.base_url}/sdk/python"
    started = time.perf_counter()
    first = httpx.get(url, headers=headers, timeout=300)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = httpx.get(url, headers=headers, timeout=300)
    again_ms = (time.perf_counter() - started) * 1000
    if first.status_code != 200 or again.content != first.content:
        return f"generation: /sdk/python answered {first.status_code}: {first.text[:200]}"

    steps: dict[str, float] = {}

    def step(name: str, work: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        result = work()
        steps[name] = time.perf_counter() - began
        return result

    tools = toolchain(sdk_settings(os.environ).tools_dir)
    schema = step("introspection over HTTP", lambda: fetch_schema(served.api.base_url, wide.token))
    operations = step("operation documents", lambda: operations_document(schema))
    reduced = step("reduced schema", lambda: codegen_schema(schema))
    with tempfile.TemporaryDirectory(prefix="hookwire-sdk-bench-") as scratch:
        work = Path(scratch) / "work"
        work.mkdir()
        step(
            "ariadne-codegen + async",
            lambda: generate_package(tools, reduced, operations, served.api.base_url, work),
        )
        wheel = Path(scratch) / "client.whl"
        wheel.write_bytes(first.content)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(Path(scratch) / "site")
            files = len(archive.namelist())
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import hookwire_client.generated"],
            env={**os.environ, "PYTHONPATH": str(Path(scratch) / "site")},
            check=True,
        )
        import_s = time.perf_counter() - began
    print(
        f"\ngeneration: {CUSTOM_OBJECTS} custom objects x {FIELDS_PER_OBJECT} fields "
        f"(+ the standard objects)"
    )
    print(f"  first GET /sdk/python (server builds):  {first_s:6.2f} s")
    print(f"  same request again (cached):           {again_ms:6.1f} ms")
    for name, seconds in steps.items():
        print(f"    step: {name:<30} {seconds:6.2f} s")
    print(f"  wheel: {len(first.content) / 1e6:.1f} MB, {files} files")
    print(f"  import hookwire_client.generated (fresh interpreter): {import_s:.2f} s")
    outcome = "PASS" if first_s < TARGET_GENERATION_S else "FAIL"
    return (
        f"generation of a {CUSTOM_OBJECTS}x{FIELDS_PER_OBJECT} workspace: {first_s:.2f} s "
        f"(target < {TARGET_GENERATION_S:.0f} s): {outcome}"
    )


def run_backend(backend: str, admin_url: str, people: int, count: int) -> list[str]:
    print(f"\n=== {backend} ===")
    with served_backend(backend, admin_url) as served:
        verdicts = bench_overhead(served, people, count)
        verdicts.append(bench_generation(served))
    return [f"{backend}: {line}" for line in verdicts]


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser(__doc__.split("\n\n")[0])
    args = parser.parse_args(argv)
    backends, admin_url = backends_from(args)
    people = args.people or 200
    count = 100 if args.quick else 400
    tools = toolchain(sdk_settings(os.environ).tools_dir)  # made now, outside the timings
    print(f"hookwire SDK benchmark on {', '.join(backends)} (ariadne-codegen in {tools.root})")
    verdicts = [line for b in backends for line in run_backend(b, admin_url, people, count)]
    print(
        f"\n=== targets: generated client <= {TARGET_RATIO}x raw httpx per call; "
        f"generation < {TARGET_GENERATION_S:.0f} s ==="
    )
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
