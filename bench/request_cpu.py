"""Server CPU per request, this tree beside an earlier revision, in one run.

CPU per request is what bounds a server on a small machine, and this machine's speed swings
by a third over minutes, so a figure measured earlier is no baseline. Here both sides are
measured in the same run, in alternating rounds (ABBA order): the earlier revision is checked
out into a temporary git worktree and each round starts, for each side in turn, a fresh
database, 20k people loaded through that side's own ``RecordStore`` and that side's
``hookwire serve``; then 500 sequential keep-alive requests per operation, the server
process's CPU time read from ``/proc`` before and after:

* ``/healthz`` (the floor: WSGI server, Flask, request ids, no database);
* get a person by id; a list filtered on ``name.lastName[eq]`` (a page of 60);
* create a person (``POST /rest/people``; the server process's dispatcher thread included).

It prints each side's median over the rounds and the ratio new/old, per backend. It prints;
it does not assert. With identical code on both sides, four rounds on a 2-CPU VM gave ratios
of 0.83-1.02x: a difference under about 20% is this machine's noise, not a change.

    python bench/request_cpu.py --against REV [--rounds 3] [--backend sqlite|postgres|both]

A round of one side runs as a child process of that side's code (its ``bench/rest_api.py``
and ``src`` on ``PYTHONPATH``): only what both revisions have is used.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 500  # per operation: ~1-3 s of CPU against a 10 ms clock tick
PEOPLE = 20_000
OPERATIONS = ("healthz", "get by id", "filtered list", "create")


def measure(backend: str) -> dict[str, float]:
    """In a child: serve this side's code on a fresh database; CPU ms per request."""
    import random

    import rest_api as bench  # this side's, from PYTHONPATH

    def process_cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    with bench.served_backend(backend, bench.DEFAULT_ADMIN_URL) as served:
        people = bench.People(random.Random(7), 200)
        bench.load_with_store(served.engine, served.target, people, PEOPLE)
        if backend != "sqlite":
            bench.analyze(served.engine)
        api = served.api
        server = subprocess.run(
            ["pgrep", "-P", str(os.getpid()), "-f", "hookwire.cli"],
            capture_output=True, text=True, check=True,
        ).stdout.split()[0]  # fmt: skip
        names = [random.Random(i).choice(people.last_names) for i in range(REQUESTS)]
        ids = [person["id"] for person in api.people(limit=60)["data"]["people"]]
        operations = {
            "healthz": lambda i: api.http.get(f"{api.base_url}/healthz", timeout=60),
            "get by id": lambda i: api.call("GET", f"/rest/people/{ids[i % len(ids)]}"),
            "filtered list": lambda i: api.people(filter=f"name.lastName[eq]:{names[i]}"),
            "create": lambda i: api.call("POST", "/rest/people", 201, json=people.payload()),
        }
        cpu_ms = {}
        for label, operation in operations.items():
            for i in range(30):  # warm-up: caches, prepared statements
                operation(i)
            before = process_cpu(int(server))
            for i in range(REQUESTS):
                operation(i)
            cpu_ms[label] = (process_cpu(int(server)) - before) * 1000 / REQUESTS
        return cpu_ms


def run_side(tree: Path, backend: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree / 'bench'}"}
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", backend],
        env=env, cwd=tree, capture_output=True, text=True,
    )  # fmt: skip
    if child.returncode != 0:
        raise RuntimeError(f"{tree}: {child.stderr[-2000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def compare(against: str, backends: list[str], rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hookwire-baseline-") as scratch:
        old = Path(scratch) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), against],
            check=True,
        )
        try:
            for backend in backends:
                figures: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
                # Alternating, and in ABBA order: a side measured first in a round was
                # measured 15-25% dearer on small requests with identical code on both sides.
                for round_number in range(rounds):
                    sides = [("old", old), ("new", ROOT)]
                    for side, tree in sides if round_number % 2 == 0 else sides[::-1]:
                        figures[side].append(run_side(tree, backend))
                print_table(backend, against, figures, rounds)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)])


def print_table(
    backend: str, against: str, figures: dict[str, list[dict[str, float]]], rounds: int
) -> None:
    print(f"\n=== {backend}: server CPU per request, median of {rounds} alternating rounds ===")
    print(f"{'operation':<14} | {against[:12]:>12} | {'this tree':>10} | new/old")
    for operation in OPERATIONS:
        old = statistics.median(side[operation] for side in figures["old"])
        new = statistics.median(side[operation] for side in figures["new"])
        print(f"{operation:<14} | {old:9.2f} ms | {new:7.2f} ms | {new / old:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", help="the earlier revision (a commit, tag or branch)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    if not args.against:
        parser.error("--against REV is required")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    compare(args.against, backends, args.rounds)


if __name__ == "__main__":
    main()
