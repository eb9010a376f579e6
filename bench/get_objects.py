"""Twenty's ``GetObjects`` on ``/metadata`` over wide workspaces, and the cost check's share.

Twenty's Zapier connector sends this document before every list, sample, dropdown and create.
For workspaces of the 5 standard objects (the baseline) and of 50 and 200 more custom objects
of 50 fields each, created directly with ``hookwire.crm.metadata.add_object``, it prints, over
HTTP against the running server, the p50 and p99 of the first request after a metadata change
(everything built afresh) and of the same request repeated (what the connector sends), the
answer's size, and the median time of the cost check alone (``check_limits`` on the same
document and catalog, in-process) as a share of the first request. Imported by
``bench/graphql_api.py``.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable

from graphql import parse
from sqlmodel import Session

from hookwire.app import create_app
from hookwire.config import Config
from hookwire.crm.catalog import load_catalog
from hookwire.crm.field_types import FieldType
from hookwire.crm.graphql.limits import check_limits
from hookwire.crm.metadata import add_object, bump_version
from hookwire.crm.standard_objects import FieldDefinition, ObjectDefinition, options
from hookwire.crm.workspaces import create_workspace
from hookwire.database import transaction
from hookwire.identity import issue_api_key
from hookwire.services import EXTENSION_KEY
from rest_api import Api, Served

# The connector's document, verbatim (packages/twenty-zapier/src/utils/requestDb.ts).
GET_OBJECTS = (
    "query GetObjects { objects(paging: {first: 1000}, filter: {isActive: {is:true}}) "
    "{ edges { node { nameSingular namePlural labelSingular fields(paging: {first: 1000}, "
    "filter: {isActive: {is:true}}) { edges { node { type name label description isNullable "
    "defaultValue options } } } } } } }"
)
SIZES = (0, 50, 200)  # custom objects beside the 5 standard ones
FIELDS = 50
REQUESTS = 30
FIRST_REQUESTS = 7
FIELD_TYPES = (
    FieldType.TEXT, FieldType.NUMBER, FieldType.SELECT, FieldType.FULL_NAME, FieldType.BOOLEAN,
    FieldType.DATE_TIME, FieldType.EMAILS, FieldType.CURRENCY, FieldType.MULTI_SELECT,
    FieldType.ADDRESS, FieldType.PHONES, FieldType.LINKS, FieldType.RATING, FieldType.DATE,
)  # fmt: skip


def _definition(number: int) -> ObjectDefinition:
    fields = tuple(
        FieldDefinition(
            f"field{index}",
            f"Field {index}",
            kind,
            options=options("NEW", "ACTIVE", "DONE")
            if kind in (FieldType.SELECT, FieldType.MULTI_SELECT)
            else None,
            description=f"benchmark field {index}",
        )
        for index, kind in enumerate(
            (FIELD_TYPES[i % len(FIELD_TYPES)] for i in range(FIELDS - 1)), start=1
        )
    )
    return ObjectDefinition(
        f"wide{number:03d}Item",
        f"wide{number:03d}Items",
        f"Wide item {number}",
        f"Wide items {number}",
        (FieldDefinition("name", "Name", FieldType.TEXT, default_value=""), *fields),
    )


def wide_workspace(served: Served, objects: int) -> tuple[str, str]:
    """A workspace with ``objects`` custom objects of ``FIELDS`` fields; (id, API key)."""
    with transaction(served.engine) as session:
        workspace = create_workspace(session, f"bench-get-objects-{objects}")
        for number in range(1, objects + 1):
            add_object(session, workspace.id, _definition(number), is_custom=True)
        token = issue_api_key(session, served.app_secret, workspace.id, "bench").token
        return workspace.id, token


def _cost_check_seconds(served: Served, workspace_id: str) -> float:
    """The median time of ``check_limits`` alone on GetObjects and this workspace."""
    with Session(served.engine) as session:
        catalog = load_catalog(session, workspace_id)
    app = create_app(
        Config(served.database_url, None, served.app_secret, 0), start_dispatcher=False
    )
    schema = app.extensions[EXTENSION_KEY].metadata_schema  # the schema the server serves
    operation = parse(GET_OBJECTS).definitions[0]
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        check_limits(schema, operation, {}, None, catalog)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - started)
    app.extensions[EXTENSION_KEY].engine.dispose()
    return statistics.median(samples)


def _timed_requests(api: Api, count: int, before: Callable[[], None]) -> tuple[list[float], int]:
    """Seconds per GetObjects request (``before`` runs untimed ahead of each) and the size."""
    samples, size = [], 0
    for _ in range(count):
        before()
        started = time.perf_counter()
        response = api.http.post(f"{api.base_url}/metadata", json={"query": GET_OBJECTS})
        samples.append(time.perf_counter() - started)
        body = response.json()
        if response.status_code != 200 or "errors" in body:
            raise RuntimeError(f"GetObjects failed: {response.status_code} {body}")
        size = len(response.content)
    return samples, size


def _metadata_change(served: Served, workspace_id: str) -> None:
    """What any metadata change does to the server's caches: a new metadata version."""
    with transaction(served.engine) as session:
        bump_version(session, workspace_id)


def _p(samples: list[float], share: float) -> float:
    return sorted(samples)[max(0, round(len(samples) * share) - 1)] * 1000


def bench_get_objects(served: Served, backend: str) -> str:
    """Print GetObjects' latency per workspace size; return the 205-object line."""
    print(f"\n-- Twenty's GetObjects on /metadata ({FIELDS} fields per custom object)")
    print(
        "first: the first request after a metadata change (catalog, objects and answer built); "
        "repeat: the same request again (what the connector sends before every step)"
    )
    print(
        f"{'objects':>8} {'fields':>7} {'first p50':>10} {'first p99':>10} {'repeat p50':>11} "
        f"{'repeat p99':>11} {'answer':>8} {'cost check':>17}"
    )
    line = ""
    for custom in SIZES:
        workspace_id, token = wide_workspace(served, custom)
        api = Api(served.api.base_url, token)

        first, size = _timed_requests(
            api, FIRST_REQUESTS, functools.partial(_metadata_change, served, workspace_id)
        )
        repeat, _ = _timed_requests(api, REQUESTS, lambda: None)
        with Session(served.engine) as session:
            catalog = load_catalog(session, workspace_id)
        objects = len(catalog.objects)
        fields = sum(len(spec.fields) for spec in catalog.objects)
        check = _cost_check_seconds(served, workspace_id) * 1000
        first_p50 = statistics.median(first) * 1000
        print(
            f"{objects:>8} {fields:>7} {first_p50:>8.1f}ms {_p(first, 0.99):>8.1f}ms "
            f"{statistics.median(repeat) * 1000:>9.1f}ms {_p(repeat, 0.99):>9.1f}ms "
            f"{size / 1024:>6.0f}kB {check:>6.2f}ms ({check / first_p50:>5.1%})"
        )
        line = (
            f"{backend}: GetObjects on {objects} objects / {fields:,} fields: first request p50 "
            f"{first_p50:.1f} ms, repeats p50 {statistics.median(repeat) * 1000:.1f} ms, cost "
            f"check {check:.2f} ms ({check / first_p50:.1%} of the first)"
        )
    return line
