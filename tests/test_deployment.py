"""The Docker deployment files: valid Compose documents describing the intended topology.

No Docker engine runs here; ``test_hooks_faults.py`` starts the same topology as processes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft201909Validator

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_SCHEMA = json.loads((Path(__file__).parent / "data" / "compose-spec.json").read_text())
COMPOSE_FILES = ["docker/docker-compose.yml", "docker/docker-compose.dev.yml"]


def compose(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text())


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_matches_the_compose_specification(name: str) -> None:
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in Draft201909Validator(COMPOSE_SCHEMA).iter_errors(compose(name))
    ]
    assert errors == []


def test_the_schema_rejects_a_broken_file() -> None:
    broken = {"services": {"server": {"image": "x", "ports": "3000"}, "db": {"imagee": "x"}}}
    assert len(list(Draft201909Validator(COMPOSE_SCHEMA).iter_errors(broken))) >= 2


def test_full_stack_topology() -> None:
    services = compose("docker/docker-compose.yml")["services"]
    assert set(services) == {"server", "worker", "db", "redis"}

    server, worker = services["server"], services["worker"]
    assert server["command"][:3] == ["hookwire", "serve", "--production"]
    assert "3000" in server["command"]
    assert any(port.endswith(":3000") for port in server["ports"])
    assert "/healthz" in " ".join(server["healthcheck"]["test"])
    assert worker["command"] == ["hookwire", "worker"]
    assert worker["image"] == server["image"]
    assert worker["depends_on"]["server"]["condition"] == "service_healthy"

    for service in (server, worker):
        env = service["environment"]
        assert re.fullmatch(r"\$\{APP_SECRET:\?.+\}", env["APP_SECRET"])  # required
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"

    db, redis = services["db"], services["redis"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert redis["image"] == "redis:7"
    assert redis["command"][-2:] == ["--maxmemory-policy", "noeviction"]
    assert redis["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


def test_dev_file_has_only_the_services_on_localhost() -> None:
    services = compose("docker/docker-compose.dev.yml")["services"]
    assert set(services) == {"db", "redis"}
    assert services["db"]["ports"] == ["127.0.0.1:5432:5432"]
    assert services["redis"]["ports"] == ["127.0.0.1:6379:6379"]
    assert services["redis"]["command"][-2:] == ["--maxmemory-policy", "noeviction"]


def test_image_runs_the_cli_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE)
    assert re.search(r"^USER hookwire$", dockerfile, re.MULTILINE)
    assert re.search(r"^EXPOSE 3000$", dockerfile, re.MULTILINE)
    assert "/healthz" in dockerfile
    assert 'CMD ["hookwire", "serve", "--production"' in dockerfile
