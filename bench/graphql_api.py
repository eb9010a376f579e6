"""Records over GraphQL against REST on one server, and the cost and caching of the schema.

For each backend, the set-up of ``bench/rest_api.py`` (imported from it): a fresh database, a
workspace and API key, N people loaded with ``RecordStore``, a real ``hookwire serve``
subprocess and one keep-alive ``requests.Session``. Then, against that server and data, with
the requests of each operation interleaved (so load from other processes hits every variant
alike):

* the filtered list: ``GET /rest/people?filter=name.lastName[eq]:X`` against ``POST /graphql``
  ``people(filter: {name: {lastName: {eq: ...}}})`` selecting every field a REST record has,
  plus ``pageInfo`` and ``totalCount`` (what the REST list returns; no per-edge cursors);
* creating one person: ``POST /rest/people`` against ``createPerson(data: ...)`` selecting the
  same fields.

GraphQL is sent twice over: with variables (one query text, what client libraries send) and
with the values inlined in the query text (what Twenty's Zapier connector sends: each request
is a new text to parse and validate; lists use each last name once while the pool lasts, as
it does for the 300 lists of a full run, while ``--quick`` repeats some of its 50 names and a
repeated text is served from the parsed-document cache). Printed: p50/p99 per request,
creates per second, the ratio GraphQL/REST and PASS/FAIL for "GraphQL costs no more than 1.5x
REST per request" (on p50).

Then the records schema of a second workspace holding 50 custom objects of 30 fields each (a
mix of scalar, composite, SELECT, MULTI_SELECT and RELATION fields), created through
``hookwire.crm.metadata`` directly: the time to build it (``records_schema`` on a freshly
loaded catalog, graphql-core's one-off schema validation included),
PASS/FAIL against 200 ms; and that it is cached, shown twice: over HTTP, the first ``/graphql``
request after a metadata change against the next ones; and in-process (a Flask test client on
the same database) by counting schema builds and distinct schema objects over many requests.
Then full-text search (the root ``search`` query, Twenty's front-end ``Search`` document with
variables, limit 20) at two sizes: a second workspace holding a tenth of the people, and the
main one. Typical 1-2 word inputs (in turn: a last name's first letters, a last name, a first
and a last name, a first name's first letters) are interleaved with the baseline, the filtered
REST list ``name.lastName[eq]`` (an indexed equality lookup) on the same workspace; then two
inputs matching nearly everyone, ``example`` (every address) and ``k``, whose ranking work is
bounded. Printed: p50/p99 of each, their ratio, and PASS/FAIL for "search p50 < 50 ms" on the
main workspace. Last, Twenty's Zapier ``GetObjects`` on ``/metadata`` (``bench/get_objects.py``)
for workspaces of 5 (the baseline), 55 and 205 objects of 50 fields: p50 and p99 of the first
request after a metadata change and of the repeats the connector then sends, and the cost
check's share.

It prints; it does not assert.

    python bench/graphql_api.py [--backend sqlite|postgres|both] [--people N] [--quick]
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from graphql import GraphQLSchema
from sqlalchemy.engine import Engine
from sqlmodel import Session

import hookwire.crm.graphql.endpoint as graphql_endpoint
import hookwire.crm.graphql.records_schema as records_schema_module
from get_objects import bench_get_objects
from hookwire.app import create_app
from hookwire.config import Config
from hookwire.crm.catalog import Catalog, ObjectSpec, load_catalog
from hookwire.crm.field_types import FieldType, is_composite, subfields
from hookwire.crm.metadata import create_field, create_object
from hookwire.crm.request_context import capitalized
from hookwire.crm.workspaces import create_workspace
from hookwire.database import transaction
from hookwire.identity import issue_api_key
from rest_api import (
    WARMUP,
    Api,
    Latency,
    People,
    Served,
    Settings,
    argument_parser,
    backends_from,
    figure,
    load_and_analyze,
    load_with_store,
    new_target,
    served_backend,
    settings_from,
)

TARGET_RATIO = 1.5
TARGET_SCHEMA_MS = 200.0
CUSTOM_OBJECTS = 50
FIELDS_PER_OBJECT = 30  # the ``name`` field every custom object starts with, and 29 more
# Cycled over each object's 29 added fields, so every object has each of these types.
FIELD_MIX: tuple[FieldType, ...] = (
    FieldType.TEXT,
    FieldType.NUMBER,
    FieldType.SELECT,
    FieldType.FULL_NAME,
    FieldType.BOOLEAN,
    FieldType.DATE_TIME,
    FieldType.EMAILS,
    FieldType.CURRENCY,
    FieldType.MULTI_SELECT,
    FieldType.ADDRESS,
    FieldType.RELATION,
    FieldType.PHONES,
    FieldType.LINKS,
    FieldType.RATING,
    FieldType.DATE,
    FieldType.NUMERIC,
    FieldType.UUID,
    FieldType.RAW_JSON,
    FieldType.ARRAY,
    FieldType.RICH_TEXT,
)
SELECT_OPTIONS = ("NEW", "ACTIVE", "PAUSED", "DONE", "ARCHIVED")
CACHE_REQUESTS = 50


# --- GraphQL documents -----------------------------------------------------------------------


def selection(spec: ObjectSpec) -> str:
    """Every field ``record_output`` gives a REST record, composites with all their subfields."""
    parts = ["id"]
    for data_field in spec.data_fields:
        if is_composite(data_field.type):
            names = " ".join(s.name for s in subfields(data_field.type))
            parts.append(f"{data_field.name} {{ {names} }}")
        else:
            parts.append(data_field.storage_name)
    parts += ["position", "createdAt", "updatedAt", "deletedAt"]
    return " ".join(parts)


PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"


def inline(value: Any) -> str:
    """A JSON-like Python value as a GraphQL literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(inline(item) for item in value) + "]"
    return "{" + ", ".join(f"{key}: {inline(item)}" for key, item in value.items()) + "}"


@dataclass(frozen=True)
class Documents:
    """The list and create documents for one object, with variables or with values inlined."""

    spec: ObjectSpec

    @cached_property
    def _fields(self) -> str:
        return selection(self.spec)

    @property
    def list_with_variables(self) -> str:
        return (
            f"query FilteredPeople($lastName: String) {{ {self.spec.name_plural}"
            "(filter: {name: {lastName: {eq: $lastName}}}) "
            f"{{ edges {{ node {{ {self._fields} }} }} {PAGE_INFO} }} }}"
        )

    def list_inlined(self, last_name: str) -> str:
        return (
            f"query FilteredPeople {{ {self.spec.name_plural}"
            f"(filter: {{name: {{lastName: {{eq: {inline(last_name)}}}}}}}) "
            f"{{ edges {{ node {{ {self._fields} }} }} {PAGE_INFO} }} }}"
        )

    @property
    def create_with_variables(self) -> str:
        singular = capitalized(self.spec.name_singular)
        return (
            f"mutation CreatePerson($data: {singular}CreateInput!) "
            f"{{ create{singular}(data: $data) {{ {self._fields} }} }}"
        )

    def create_inlined(self, data: dict[str, Any]) -> str:
        singular = capitalized(self.spec.name_singular)
        return (
            f"mutation CreatePerson {{ create{singular}(data: {inline(data)}) "
            f"{{ {self._fields} }} }}"
        )


def graphql(api: Api, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a document to ``/graphql``; its ``data``, or RuntimeError on any error."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    body = api.call("POST", "/graphql", 200, json=payload)
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {json.dumps(body['errors'])[:500]}")
    return body["data"]


# --- timing ----------------------------------------------------------------------------------


def interleaved(
    operations: dict[str, Callable[[int], Any]], count: int, warmup: int = WARMUP
) -> dict[str, Latency]:
    """Run every operation once per round, rotating the order; time the last ``count`` rounds.

    Taking turns request by request means a burst of load from elsewhere on the machine lands
    on all variants alike instead of on whichever one happened to run at the time.
    """
    names = list(operations)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(warmup + count):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            operations[name](i)
            elapsed = time.perf_counter() - started
            if i >= warmup:
                samples[name].append(elapsed)
    return {name: Latency(values) for name, values in samples.items()}


REST, VARIABLES, INLINED = "REST", "GraphQL, variables", "GraphQL, inlined"


@dataclass(frozen=True)
class Comparison:
    """One operation's latencies over REST and the two GraphQL forms."""

    operation: str
    latencies: dict[str, Latency]
    show_rate: bool = False

    def ratio(self, form: str) -> float:
        """GraphQL's p50 per request over REST's."""
        return self.latencies[form].p50_ms / self.latencies[REST].p50_ms


def distinct_names(people: People, count: int) -> list[str]:
    """``count`` last names, each used once until the pool runs out (so inlined texts differ)."""
    pool = list(people.last_names)
    people.rng.shuffle(pool)
    return [pool[i % len(pool)] for i in range(count)]


def measure_lists(api: Api, documents: Documents, people: People, settings: Settings) -> Comparison:
    """The filtered list over REST and both GraphQL forms, for the same last name each round."""
    names = distinct_names(people, settings.lists + WARMUP)
    with_variables = documents.list_with_variables
    latencies = interleaved(
        {
            REST: lambda i: api.people(filter=f"name.lastName[eq]:{names[i]}"),
            VARIABLES: lambda i: graphql(api, with_variables, {"lastName": names[i]}),
            INLINED: lambda i: graphql(api, documents.list_inlined(names[i])),
        },
        settings.lists,
    )
    return Comparison(f"filtered list name.lastName[eq] ({settings.lists} req each)", latencies)


def measure_creates(
    api: Api, documents: Documents, people: People, settings: Settings
) -> Comparison:
    """Creating one person over REST and both GraphQL forms, a fresh payload every request."""
    rounds = settings.creates + WARMUP
    payloads = {form: people.batch(rounds) for form in (REST, VARIABLES, INLINED)}
    with_variables = documents.create_with_variables
    latencies = interleaved(
        {
            REST: lambda i: api.call("POST", "/rest/people", 201, json=payloads[REST][i]),
            VARIABLES: lambda i: graphql(api, with_variables, {"data": payloads[VARIABLES][i]}),
            INLINED: lambda i: graphql(api, documents.create_inlined(payloads[INLINED][i])),
        },
        settings.creates,
    )
    label = f"create person ({settings.creates} single requests each)"
    return Comparison(label, latencies, show_rate=True)


def same_answers(api: Api, documents: Documents, last_name: str) -> str:
    """Whether GraphQL's nodes, pageInfo and totalCount equal the REST list's, field by field."""
    rest = api.people(filter=f"name.lastName[eq]:{last_name}")
    connection = graphql(api, documents.list_with_variables, {"lastName": last_name})
    connection = connection[documents.spec.name_plural]
    nodes = [edge["node"] for edge in connection["edges"]]
    same = (
        nodes == rest["data"][documents.spec.name_plural]
        and connection["pageInfo"] == rest["pageInfo"]
        and connection["totalCount"] == rest["totalCount"]
    )
    return (
        f"GraphQL answer == REST answer for lastName {last_name!r} "
        f"({len(nodes)} records of {rest['totalCount']}): {'yes' if same else 'NO'}"
    )


def print_comparisons(comparisons: list[Comparison]) -> None:
    width = max(len(c.operation) for c in comparisons) + 4
    forms = (REST, VARIABLES, INLINED)
    print(f"\n{'operation':<{width}} | " + " | ".join(f"{form:>18}" for form in forms))
    print(f"{'-' * width}-+-" + "-+-".join("-" * 18 for _ in forms))
    for comparison in comparisons:
        rows: list[tuple[str, Callable[[Latency], float], str]] = [
            ("p50", lambda latency: latency.p50_ms, "ms"),
            ("p99", lambda latency: latency.p99_ms, "ms"),
        ]
        if comparison.show_rate:
            rows.insert(0, ("rate", lambda latency: latency.per_second, "/s"))
        for label, value, unit in rows:
            cells = []
            for form in forms:
                latency = comparison.latencies[form]
                cell = figure(value(latency), unit)
                if form != REST:
                    base = value(comparison.latencies[REST])
                    ratio = base / value(latency) if unit == "/s" else value(latency) / base
                    cell = f"{cell} ({ratio:.2f}x)"
                cells.append(f"{cell:>18}")
            print(f"{comparison.operation + ' ' + label:<{width}} | " + " | ".join(cells))
    print("(in brackets: GraphQL / REST per request; for rates, REST's rate / GraphQL's)")


def ratio_verdicts(backend: str, comparisons: list[Comparison]) -> list[str]:
    """PASS/FAIL per operation and GraphQL form: p50 per request at most 1.5x REST's."""
    lines = []
    for comparison in comparisons:
        for form in (VARIABLES, INLINED):
            ratio = comparison.ratio(form)
            outcome = "PASS" if ratio <= TARGET_RATIO else "FAIL"
            operation = comparison.operation.split(" (")[0]
            lines.append(
                f"{backend}: {operation}, {form}: p50 {comparison.latencies[form].p50_ms:.2f} ms"
                f" vs REST {comparison.latencies[REST].p50_ms:.2f} ms = {ratio:.2f}x "
                f"(target <= {TARGET_RATIO}x): {outcome}"
            )
    return lines


# --- the 50-object schema ------------------------------------------------------------------


@dataclass(frozen=True)
class Wide:
    """The 50-object workspace: its id, an API key, and the plural of one of its objects."""

    workspace_id: str
    token: str
    plural: str

    @property
    def query(self) -> str:
        return f"{{ {self.plural}(first: 1) {{ totalCount edges {{ node {{ id name }} }} }} }}"


def field_body(object_id: str, index: int, field_type: FieldType, previous: str) -> dict[str, Any]:
    """The ``createOneField`` body of the ``index``-th added field of an object.

    Names repeat across objects (``select3`` in each), as do the expression indexes they
    need, so creating 1,500 fields adds a few dozen indexes to the record table, not 1,500.
    """
    body: dict[str, Any] = {
        "objectMetadataId": object_id,
        "name": f"{field_type.value.lower().replace('_', '')}{index}",
        "label": f"{field_type.value.title().replace('_', ' ')} {index}",
        "type": field_type.value,
        "description": f"benchmark field {index}",
    }
    if field_type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        body["options"] = [{"value": v, "label": v.title()} for v in SELECT_OPTIONS]
    if field_type is FieldType.RELATION:
        body["settings"] = {"targetObject": previous}
    return body


def create_wide_workspace(engine: Engine, app_secret: str) -> Wide:
    """A workspace with 50 custom objects of 30 fields each, and an API key for it."""
    with transaction(engine) as session:
        workspace = create_workspace(session, "bench-wide-schema")
        token = issue_api_key(session, app_secret, workspace.id, "bench").token
    previous = "company"
    plural = ""
    for number in range(1, CUSTOM_OBJECTS + 1):
        singular, plural = f"bench{number:02d}Item", f"bench{number:02d}Items"
        with transaction(engine) as session:
            row = create_object(
                session,
                workspace.id,
                {
                    "nameSingular": singular,
                    "namePlural": plural,
                    "labelSingular": f"Bench item {number}",
                    "labelPlural": f"Bench items {number}",
                    "description": "an object of the schema benchmark",
                },
            )
            for index in range(1, FIELDS_PER_OBJECT):
                field_type = FIELD_MIX[(index - 1) % len(FIELD_MIX)]
                create_field(session, workspace.id, field_body(row.id, index, field_type, previous))
        previous = singular
    return Wide(workspace.id, token, plural)


@dataclass
class BuildCounter:
    """Counts ``_SchemaBuilder.build`` calls and the schema objects the endpoint gets."""

    builds: int = 0
    served: list[int] = field(default_factory=list)


@contextmanager
def counting_builds() -> Iterator[BuildCounter]:
    """Wrap the records-schema builder and the endpoint's ``records_schema`` while inside."""
    counter = BuildCounter()
    builder = records_schema_module._SchemaBuilder
    original_build, original_lookup = builder.build, graphql_endpoint.records_schema

    def build(self: Any) -> GraphQLSchema:
        counter.builds += 1
        return original_build(self)

    def lookup(catalog: Catalog) -> GraphQLSchema:
        schema = original_lookup(catalog)
        counter.served.append(id(schema))
        return schema

    builder.build = build  # type: ignore[method-assign]
    graphql_endpoint.records_schema = lookup
    try:
        yield counter
    finally:
        builder.build = original_build  # type: ignore[method-assign]
        graphql_endpoint.records_schema = original_lookup


@dataclass(frozen=True)
class BuildTimes:
    """Seconds per cold build (catalog load; schema build, which validates it), and its size."""

    load_catalog: list[float]
    build: list[float]
    type_count: int
    root_fields: int


def time_builds(engine: Engine, workspace_id: str, repeats: int) -> BuildTimes:
    """Build the records schema from a freshly loaded catalog ``repeats`` times (all cold)."""
    loads, builds = [], []
    type_count = root_fields = 0
    for _ in range(repeats):
        started = time.perf_counter()
        with Session(engine) as session:
            catalog = load_catalog(session, workspace_id)
        loaded = time.perf_counter()
        schema = records_schema_module.records_schema(catalog)
        built = time.perf_counter()
        loads.append(loaded - started)
        builds.append(built - loaded)
        type_count = len(schema.type_map)
        roots = (schema.query_type, schema.mutation_type)
        root_fields = sum(len(root.fields) for root in roots if root is not None)
    return BuildTimes(loads, builds, type_count, root_fields)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def spread(samples: list[float]) -> str:
    return (
        f"median {ms(statistics.median(samples))} "
        f"(min {ms(min(samples))}, max {ms(max(samples))}, n={len(samples)})"
    )


def add_one_field(engine: Engine, workspace_id: str, name: str) -> None:
    """A metadata change: a new TEXT field on the first custom object (bumps the version)."""
    with transaction(engine) as session:
        object_id = load_catalog(session, workspace_id).object_by_singular("bench01Item").id
        create_field(
            session,
            workspace_id,
            {"objectMetadataId": object_id, "name": name, "label": name, "type": "TEXT"},
        )


def cache_over_http(served: Served, wide: Wide) -> list[str]:
    """The first request after a metadata change (schema built) against the next ones."""
    api = Api(served.api.base_url, wide.token)
    lines = []
    for change in ("none (first request to this workspace)", "a field added"):
        if change == "a field added":
            add_one_field(served.engine, wide.workspace_id, "addedBeforeHttpRequest")
        started = time.perf_counter()
        graphql(api, wide.query)
        first = time.perf_counter() - started
        warm = []
        for _ in range(CACHE_REQUESTS):
            started = time.perf_counter()
            graphql(api, wide.query)
            warm.append(time.perf_counter() - started)
        lines.append(
            f"  metadata change before: {change}: first request {ms(first)}, "
            f"next {CACHE_REQUESTS} requests p50 {ms(statistics.median(warm))} "
            f"(max {ms(max(warm))})"
        )
    return lines


def cache_in_process(served: Served, wide: Wide) -> list[str]:
    """Count schema builds over many requests on a Flask test client of the same database."""
    config = Config(
        database_url=served.database_url,
        redis_url=None,
        app_secret=served.app_secret,
        port=0,
    )
    app = create_app(config, start_dispatcher=False)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {wide.token}"}

    def post() -> None:
        response = client.post("/graphql", json={"query": wide.query}, headers=headers)
        body = response.get_json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"in-process /graphql: {response.status_code} {body}")

    lines = []
    try:
        with counting_builds() as counter:
            for _ in range(CACHE_REQUESTS):
                post()
            lines.append(
                f"  {CACHE_REQUESTS} requests: records_schema() called {len(counter.served)}x, "
                f"schema built {counter.builds}x, distinct schema objects "
                f"{len(set(counter.served))}"
            )
            add_one_field(served.engine, wide.workspace_id, "addedBeforeInProcessRequest")
            for _ in range(CACHE_REQUESTS):
                post()
            lines.append(
                f"  then a field added and {CACHE_REQUESTS} more requests: schema built "
                f"{counter.builds}x in all, distinct schema objects {len(set(counter.served))}"
            )
    finally:
        app.extensions["hookwire"].engine.dispose()
    return lines


def bench_schema(served: Served, settings: Settings, backend: str) -> str:
    """Create the 50-object workspace, time schema builds, show the cache; the PASS/FAIL line."""
    engine = served.engine
    print(
        f"\n-- records schema of a workspace with {CUSTOM_OBJECTS} custom objects of "
        f"{FIELDS_PER_OBJECT} fields"
    )
    started = time.perf_counter()
    wide = create_wide_workspace(engine, served.app_secret)
    print(
        f"created {CUSTOM_OBJECTS} objects and {CUSTOM_OBJECTS * (FIELDS_PER_OBJECT - 1):,} "
        f"fields with hookwire.crm.metadata in {time.perf_counter() - started:.1f} s "
        f"(field types cycled: {', '.join(t.value for t in FIELD_MIX)})"
    )
    times = time_builds(engine, wide.workspace_id, repeats=5 if settings.people < 50_000 else 15)
    print(f"schema: {times.type_count:,} named types, {times.root_fields:,} root fields")
    print(f"load_catalog (a cache miss's first step): {spread(times.load_catalog)}")
    print(f"records_schema(catalog), cold (validated): {spread(times.build)}")

    print("\ncache over HTTP (the running server, a query on one of the 50 objects):")
    for line in cache_over_http(served, wide):
        print(line)
    print("\ncache in-process (Flask test client on the same database, builds counted):")
    for line in cache_in_process(served, wide):
        print(line)

    total_p50 = statistics.median(times.build) * 1000
    outcome = "PASS" if total_p50 < TARGET_SCHEMA_MS else "FAIL"
    return (
        f"{backend}: records schema for {CUSTOM_OBJECTS}x{FIELDS_PER_OBJECT} fields built and "
        f"validated in {total_p50:.1f} ms (median; target < {TARGET_SCHEMA_MS:.0f} ms): {outcome}"
    )


# --- full-text search ----------------------------------------------------------------------

TARGET_SEARCH_P50_MS = 50.0
SEARCH_LIMIT = 20
# Twenty's front end (twenty-front's SEARCH_QUERY), as it sends it.
SEARCH_DOCUMENT = """
  query Search(
    $searchInput: String!
    $limit: Int!
    $after: String
    $excludedObjectNameSingulars: [String!]
    $includedObjectNameSingulars: [String!]
    $filter: ObjectRecordFilterInput
  ) {
    search(
      searchInput: $searchInput
      limit: $limit
      after: $after
      excludedObjectNameSingulars: $excludedObjectNameSingulars
      includedObjectNameSingulars: $includedObjectNameSingulars
      filter: $filter
    ) {
      edges {
        node {
          recordId
          objectNameSingular
          objectLabelSingular
          label
          imageUrl
          tsRankCD
          tsRank
        }
        cursor
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
"""
BASELINE, SEARCH = "REST filtered list", "search"
COMMON_INPUTS = ("example", "k")  # every person's address; a single letter


def search(api: Api, text: str) -> list[dict[str, Any]]:
    """The nodes ``search`` answers for ``text``."""
    answer = graphql(api, SEARCH_DOCUMENT, {"searchInput": text, "limit": SEARCH_LIMIT})
    return [edge["node"] for edge in answer["search"]["edges"]]


def typical_inputs(people: People, count: int) -> list[str]:
    """``count`` 1-2 word inputs as people type them, the four kinds in turn."""
    inputs = []
    for i in range(count):
        first = people.rng.choice(people.first_names)
        last = people.rng.choice(people.last_names)
        inputs.append((last[:4].lower(), last, f"{first} {last}", first[:3].lower())[i % 4])
    return inputs


@dataclass(frozen=True)
class SearchFigures:
    """One workspace's search latencies: typical inputs against the baseline, common ones."""

    people: int
    typical: dict[str, Latency]
    common: dict[str, Latency]

    @property
    def ratio(self) -> float:
        return self.typical[SEARCH].p50_ms / self.typical[BASELINE].p50_ms


def measure_search(api: Api, people: People, count: int, size: int) -> SearchFigures:
    """Typical searches interleaved with the baseline list, then the common inputs."""
    texts = typical_inputs(people, count + WARMUP)
    names = distinct_names(people, count + WARMUP)
    typical = interleaved(
        {
            BASELINE: lambda i: api.people(filter=f"name.lastName[eq]:{names[i]}"),
            SEARCH: lambda i: search(api, texts[i]),
        },
        count,
    )
    rounds = max(count // 5, 10)
    common = interleaved(
        {text: lambda _i, text=text: search(api, text) for text in COMMON_INPUTS}, rounds
    )
    return SearchFigures(size, typical, common)


def search_finds(api: Api, people: People) -> str:
    """Whether searching a new person's full name finds them among the best-ranked hits (the
    people of the same name, who rank alike)."""
    person = people.payload()
    created = api.call("POST", "/rest/people", 201, json=person)["data"]["createPerson"]
    name = f"{person['name']['firstName']} {person['name']['lastName']}"
    nodes = search(api, name)
    best = [node for node in nodes if node["tsRankCD"] == nodes[0]["tsRankCD"]]
    found = all(node["label"] == name for node in best) and created["id"] in {
        node["recordId"] for node in best
    }
    return (
        f"search {name!r} finds that person among the best-ranked hits: {'yes' if found else 'NO'}"
    )


def smaller_workspace(served: Served, settings: Settings) -> tuple[Api, People]:
    """A second workspace holding a tenth of the people, loaded as the main one was."""
    target = new_target(served.engine, served.app_secret)
    people = People(random.Random(settings.seed + 1), max(10, settings.pool_size // 10))
    started = time.perf_counter()
    load_with_store(served.engine, target, people, settings.people // 10)
    print(
        f"second workspace: {settings.people // 10:,} people loaded (and indexed) with "
        f"RecordStore in {time.perf_counter() - started:.1f} s"
    )
    return Api(served.api.base_url, target.token), people


def print_search(figures: list[SearchFigures]) -> None:
    common = " | ".join(f"{repr(text) + ' p50':>14}" for text in COMMON_INPUTS)
    print(
        f"\n{'people':>9} | {'search p50':>10} | {'search p99':>10} | {'list p50':>9} | "
        f"{'ratio':>5} | {common}"
    )
    for row in figures:
        cells = " | ".join(f"{figure(row.common[text].p50_ms, 'ms'):>14}" for text in COMMON_INPUTS)
        print(
            f"{row.people:>9,} | {figure(row.typical[SEARCH].p50_ms, 'ms'):>10} | "
            f"{figure(row.typical[SEARCH].p99_ms, 'ms'):>10} | "
            f"{figure(row.typical[BASELINE].p50_ms, 'ms'):>9} | {row.ratio:5.2f} | {cells}"
        )
    print(
        f"(search: typical 1-2 word inputs, limit {SEARCH_LIMIT}; list: the REST list filtered "
        "on name.lastName[eq] in the same workspace, interleaved; ratio: search / list)"
    )


def bench_search(served: Served, people: People, settings: Settings, backend: str) -> str:
    """Search at a tenth of the people and at all of them; the PASS/FAIL line."""
    print(f"\n-- full-text search (the root search query), p50 target < {TARGET_SEARCH_P50_MS} ms")
    print(search_finds(served.api, people))
    small_api, small_people = smaller_workspace(served, settings)
    if served.engine.dialect.name == "postgresql":
        with served.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE search_document"))
        print("ran ANALYZE search_document (what autovacuum does shortly after a bulk load)")
    figures = [
        measure_search(small_api, small_people, settings.lists, settings.people // 10),
        measure_search(served.api, people, settings.lists, settings.people),
    ]
    print_search(figures)
    main = figures[-1].typical
    outcome = "PASS" if main[SEARCH].p50_ms < TARGET_SEARCH_P50_MS else "FAIL"
    return (
        f"{backend}: search p50 {main[SEARCH].p50_ms:.2f} ms on {settings.people:,} people "
        f"(REST filtered list {main[BASELINE].p50_ms:.2f} ms; target < "
        f"{TARGET_SEARCH_P50_MS:.0f} ms): {outcome}"
    )


# --- one backend -----------------------------------------------------------------------------


def run_backend(backend: str, admin_url: str, settings: Settings) -> list[str]:
    """Benchmark one backend end to end; return its PASS/FAIL lines."""
    print(f"\n=== {backend} ===")
    with served_backend(backend, admin_url) as served:
        people = load_and_analyze(served.engine, served.api, served.target, settings)
        documents = Documents(served.target.person)
        print(same_answers(served.api, documents, people.last_names[0]))
        comparisons = [
            measure_creates(served.api, documents, people, settings),
            measure_lists(served.api, documents, people, settings),
        ]
        print_comparisons(comparisons)
        lines = ratio_verdicts(backend, comparisons)
        lines.append(bench_schema(served, settings, backend))
        lines.append(bench_search(served, people, settings, backend))
        lines.append(bench_get_objects(served, backend))
    print()
    for line in lines:
        print(line)
    return lines


def main(argv: list[str] | None = None) -> None:
    args = argument_parser(__doc__.split("\n\n")[0]).parse_args(argv)
    settings = settings_from(args)
    backends, admin_url = backends_from(args)
    print(
        f"hookwire GraphQL benchmark: {settings.people:,} people, {settings.creates} creates and "
        f"{settings.lists} filtered lists per form (REST, GraphQL with variables, GraphQL "
        f"inlined) on {', '.join(backends)}"
    )
    verdicts = [line for backend in backends for line in run_backend(backend, admin_url, settings)]
    print(
        f"\n=== targets: GraphQL p50 <= {TARGET_RATIO}x REST per request; "
        f"schema of {CUSTOM_OBJECTS}x{FIELDS_PER_OBJECT} < {TARGET_SCHEMA_MS:.0f} ms; "
        f"search p50 < {TARGET_SEARCH_P50_MS:.0f} ms ==="
    )
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
