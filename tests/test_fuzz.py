"""Hypothesis fuzz of the query languages against live servers, on SQLite and PostgreSQL: the
REST ``filter`` / ``order_by`` / cursor grammar and GraphQL filter and orderBy objects. Any
input, well-formed or not, must be answered without a server error (a 500, or a GraphQL
INTERNAL_SERVER_ERROR).

The strategies mix what the grammar means (real fields and subfields of every type, every
comparator, values of every kind, nesting beyond the bounds) with what it does not (unknown
names and comparators, junk characters, forged cursors). Budgets are bounded to fit CI.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Client, Server, new_workspace
from metadata_support import add_fields, create_object

EXAMPLES = 150  # per test and backend; each example is one or two HTTP requests
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

COMPARATORS = (
    "eq", "neq", "in", "containsAny", "is", "gt", "gte", "lt", "lte", "startsWith", "endsWith",
    "like", "ilike", "search",
)  # fmt: skip
DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")
# Paths into records of each object, of every value kind (and system columns).
FIELDS = {
    "companies": [
        "id", "position", "createdAt", "updatedAt", "deletedAt", "name", "employees",
        "idealCustomerProfile", "domainName.primaryLinkUrl", "domainName.secondaryLinks",
        "address.addressCity", "address.addressLat", "annualRecurringRevenue.amountMicros",
        "annualRecurringRevenue.currencyCode", "createdBy.source", "createdBy.context",
        "people", "searchVector",
    ],
    "people": [
        "id", "position", "createdAt", "name.firstName", "name.lastName", "emails.primaryEmail",
        "emails.additionalEmails", "phones.additionalPhones", "city", "jobTitle", "companyId",
        "company", "searchVector",
    ],
    "gadgets": [
        "id", "position", "name", "madeOn", "lastSeen", "rating", "tags", "parts", "specs",
        "serial", "price", "status", "active", "weight",
    ],
}  # fmt: skip
OBJECTS = tuple(FIELDS)
GRAPHQL_TYPES = {"companies": "Company", "people": "Person", "gadgets": "Gadget"}


@dataclass
class Workspace:
    client: Client
    cursors: dict[str, list[str]]


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return next(iter(response.json()["data"].values()))


@pytest.fixture(scope="module")
def ws(server: Server) -> Iterator[Workspace]:
    """A workspace with records of every object, and a custom object with a field of every
    scalar type; real cursors of a few sorts to mutate."""
    workspace_id, token = new_workspace(server.database)
    client = Client(server.base_url, token, workspace_id)
    options = [{"value": v, "label": v.title()} for v in ("RED", "GREEN", "BLUE")]
    add_fields(
        client,
        create_object(client, "gadget"),
        [
            ("madeOn", "DATE", {}),
            ("lastSeen", "DATE_TIME", {}),
            ("rating", "RATING", {}),
            ("tags", "MULTI_SELECT", {"options": options}),
            ("status", "SELECT", {"options": options}),
            ("parts", "ARRAY", {}),
            ("specs", "RAW_JSON", {}),
            ("serial", "UUID", {}),
            ("price", "NUMERIC", {}),
            ("active", "BOOLEAN", {}),
            ("weight", "NUMBER", {}),
        ],
    )
    company = created(
        client.post(
            "/rest/companies",
            json={
                "name": "Acme",
                "employees": 12,
                "address": {"addressCity": "Paris", "addressLat": 48.8},
                "annualRecurringRevenue": {"amountMicros": 5_000_000, "currencyCode": "EUR"},
            },
        )
    )
    created(client.post("/rest/companies", json={"name": "Globex", "employees": 3}))
    created(
        client.post(
            "/rest/people",
            json={
                "name": {"firstName": "Ada", "lastName": "Lovelace"},
                "emails": {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.c"]},
                "city": "London",
                "companyId": company["id"],
            },
        )
    )
    created(client.post("/rest/people", json={"city": None}))
    for index in range(3):
        created(
            client.post(
                "/rest/gadgets",
                json={
                    "name": f"g{index}",
                    "madeOn": f"2024-0{index + 1}-15",
                    "lastSeen": f"2024-0{index + 1}-15T10:00:00Z",
                    "rating": "RATING_3",
                    "tags": ["RED"],
                    "parts": ["a", str(index)],
                    "specs": {"size": index},
                    "price": index * 1.5,
                    "active": index % 2 == 0,
                    "weight": index,
                },
            )
        )
    cursors: dict[str, list[str]] = {}
    for plural in OBJECTS:
        for order in ("position", "name", "createdAt[DescNullsLast]", "id"):
            page = client.get(f"/rest/{plural}", params={"order_by": order, "limit": "1"})
            if page.status_code == 200 and page.json()["pageInfo"]["endCursor"]:
                cursors.setdefault(plural, []).append(page.json()["pageInfo"]["endCursor"])
    yield Workspace(client, cursors)


def no_server_error(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:2000])
    if response.headers.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, dict):
            for error in body.get("errors") or ():
                code = (error.get("extensions") or {}).get("code")
                assert code != "INTERNAL_SERVER_ERROR", body


# strategies: the REST grammar

JUNK = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
NAMES = st.one_of(
    st.sampled_from(sorted({name for names in FIELDS.values() for name in names})),
    st.sampled_from(["nope", "name.nope", "city.x", "a.b.c", "", " ", "createdBy", "address"]),
    JUNK,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e400", "-0", "0x10", "1_000", "٣", "²", "nan", "inf", "Infinity"]),
)
DATES = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.dates().map(str),
    st.sampled_from(["2024-13-01", "2024-02-30", "now", "2024-01-01T25:00:00Z", "Z"]),
)
SCALARS = st.one_of(
    NUMBERS,
    DATES,
    st.sampled_from(["NULL", "NOT_NULL", "true", "false", "RED", "RATING_3", "%", "_", "\\"]),
    st.uuids().map(str),
    JUNK,
)


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


VALUES = st.one_of(
    SCALARS,
    SCALARS.map(quoted),
    st.lists(st.one_of(SCALARS, SCALARS.map(quoted)), max_size=5).map(
        lambda items: "[" + ",".join(items) + "]"
    ),
)
CONDITIONS = st.one_of(
    st.builds(
        lambda field, comparator, value: f"{field}[{comparator}]:{value}",
        NAMES,
        st.one_of(st.sampled_from(COMPARATORS), JUNK),
        VALUES,
    ),
    # Text comparators on dates, numbers and booleans; numbers beyond 64 bits.
    st.builds(
        lambda field, comparator, value: f"{field}[{comparator}]:{value}",
        st.sampled_from(["createdAt", "updatedAt", "employees", "position", "weight", "madeOn"]),
        st.sampled_from(["like", "ilike", "startsWith", "endsWith", "eq", "gt", "in"]),
        st.one_of(NUMBERS, st.just("2%"), NUMBERS.map(lambda n: f"[1,{n}]")),
    ),
)


def _node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda operator, items: f"{operator}({','.join(items)})",
        st.sampled_from(["and", "or", "not", "AND", "nor"]),
        st.lists(children, min_size=0, max_size=4),
    )


FILTERS = st.one_of(
    st.recursive(CONDITIONS, _node, max_leaves=30).map(lambda text: text),
    st.lists(CONDITIONS, min_size=1, max_size=5).map(",".join),
    st.integers(min_value=1, max_value=3000).map(
        lambda depth: "and(" * depth + "name[eq]:x" + ")" * depth
    ),
    st.integers(min_value=150, max_value=1500).map(lambda n: ",".join(["name[eq]:x"] * n)),
    st.text(alphabet='()[],:"\\ andortx.eq', max_size=40),
    JUNK,
)
ORDER_BY = st.one_of(
    st.lists(
        st.sampled_from(["emails.additionalEmails", "createdBy.context", "specs", "parts"]),
        min_size=1,
        max_size=2,
    ).map(",".join),
    st.lists(
        st.builds(
            lambda field, direction: f"{field}[{direction}]" if direction else field,
            NAMES,
            st.one_of(st.none(), st.sampled_from(DIRECTIONS), JUNK),
        ),
        min_size=1,
        max_size=24,
    ).map(",".join),
    st.integers(min_value=1, max_value=2500).map(lambda n: ",".join(["name"] * n)),
    JUNK,
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)


def encoded(value: Any) -> str:
    raw = json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _mutated(cursor: str, data: st.DataObject) -> str:
    choice = data.draw(st.integers(min_value=0, max_value=2))
    if choice == 0:
        return cursor[: data.draw(st.integers(min_value=0, max_value=len(cursor)))]
    if choice == 1:
        return cursor + data.draw(st.text(alphabet=string.ascii_letters + "-_=", max_size=4))
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    position = data.draw(st.integers(min_value=0, max_value=max(len(decoded) - 1, 0)))
    if decoded:
        decoded[position] = data.draw(JSON_VALUES)
    return encoded(decoded)


@FUZZ
@given(plural=st.sampled_from(OBJECTS), filter_text=FILTERS, data=st.data())
def test_rest_filters_never_fail_the_server(
    ws: Workspace, plural: str, filter_text: str, data: st.DataObject
) -> None:
    params = {"filter": filter_text}
    if data.draw(st.booleans()):
        params["order_by"] = data.draw(ORDER_BY)
    no_server_error(ws.client.get(f"/rest/{plural}", params=params))
    if data.draw(st.integers(min_value=0, max_value=9)) == 0:
        # The bulk routes parse the same filter; a refused or empty match changes nothing.
        no_server_error(
            ws.client.request(
                "PATCH", f"/rest/{plural}", params={"filter": filter_text}, json={"position": 1}
            )
        )


@FUZZ
@given(plural=st.sampled_from(OBJECTS), order_by=ORDER_BY, data=st.data())
def test_rest_order_by_and_cursors_never_fail_the_server(
    ws: Workspace, plural: str, order_by: str, data: st.DataObject
) -> None:
    params = {"order_by": order_by, "limit": str(data.draw(st.integers(0, 3)))}
    response = ws.client.get(f"/rest/{plural}", params=params)
    no_server_error(response)
    real = ws.cursors.get(plural, [])
    if response.status_code == 200 and response.json()["pageInfo"]["endCursor"]:
        real = [*real, response.json()["pageInfo"]["endCursor"]]
    keys = len([item for item in order_by.split(",") if item.strip()]) + 1  # and id
    forged = st.one_of(
        JSON_VALUES.map(encoded),
        st.lists(JSON_VALUES, min_size=1, max_size=4).map(encoded),
        st.lists(JSON_VALUES, min_size=keys, max_size=keys).map(encoded),
        st.text(alphabet=string.ascii_letters + string.digits + "-_=", max_size=60),
        st.sampled_from(real) if real else st.just("e30"),
    )
    cursor = data.draw(forged)
    if real and data.draw(st.booleans()):
        cursor = _mutated(data.draw(st.sampled_from(real)), data)
    side = data.draw(st.sampled_from(["starting_after", "ending_before"]))
    no_server_error(ws.client.get(f"/rest/{plural}", params={**params, side: cursor}))


# strategies: GraphQL filter and orderBy objects

COMPARISONS = st.dictionaries(
    st.one_of(st.sampled_from(COMPARATORS), st.text(max_size=5)),
    st.one_of(JSON_VALUES, st.lists(JSON_VALUES, max_size=4)),
    max_size=3,
)


def _field_filters(plural: str) -> st.SearchStrategy[dict[str, Any]]:
    names = [name.split(".")[0] for name in FIELDS[plural]]
    subfields = st.dictionaries(st.text(max_size=12), st.one_of(st.none(), COMPARISONS))
    leaf = st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(max_size=8)),
        st.one_of(st.none(), COMPARISONS, subfields),
        max_size=3,
    )

    def combine(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict]:
        return st.one_of(
            st.builds(lambda items: {"and": items}, st.lists(children, max_size=4)),
            st.builds(lambda items: {"or": items}, st.lists(children, max_size=4)),
            st.builds(lambda child: {"not": child}, children),
            st.builds(lambda a, b: {**a, **b}, leaf, children),
        )

    deep = st.integers(min_value=1, max_value=30).map(
        lambda depth: _nested({"name": {"eq": "x"}} if plural != "people" else {}, depth)
    )
    return st.one_of(st.recursive(leaf, combine, max_leaves=25), deep, st.none())


def _nested(leaf: dict[str, Any], depth: int) -> dict[str, Any]:
    for _ in range(depth):
        leaf = {"and": [leaf]}
    return leaf


ORDER_ITEMS = st.lists(
    st.dictionaries(
        st.text(max_size=10) | st.sampled_from(["name", "city", "createdAt", "employees"]),
        st.one_of(
            st.sampled_from(DIRECTIONS),
            st.none(),
            st.dictionaries(st.text(max_size=10), st.sampled_from(DIRECTIONS) | st.none()),
            JSON_VALUES,
        ),
        max_size=3,
    ),
    max_size=20,
)


@FUZZ
@given(plural=st.sampled_from(OBJECTS), data=st.data())
def test_graphql_filters_never_fail_the_server(
    ws: Workspace, plural: str, data: st.DataObject
) -> None:
    type_name = GRAPHQL_TYPES[plural]
    variables: dict[str, Any] = {"f": data.draw(_field_filters(plural))}
    declared = f"$f: {type_name}FilterInput"
    arguments = "filter: $f"
    if data.draw(st.booleans()):
        variables["o"] = data.draw(ORDER_ITEMS)
        declared += f", $o: [{type_name}OrderByInput!]"
        arguments += ", orderBy: $o"
    if data.draw(st.booleans()):
        variables["after"] = data.draw(
            st.one_of(JSON_VALUES.map(encoded), st.sampled_from(ws.cursors.get(plural) or ["x"]))
        )
        declared += ", $after: String"
        arguments += ", after: $after"
    query = (
        f"query Fuzz({declared}) {{ {plural}({arguments}) "
        "{ totalCount edges { node { id } cursor } } }"
    )
    response = ws.client.post("/graphql", json={"query": query, "variables": variables})
    no_server_error(response)


@FUZZ
@given(
    plural=st.sampled_from(OBJECTS),
    literal=st.one_of(
        st.recursive(
            st.one_of(
                st.sampled_from(["null", "true", "1e400", "-1", "9" * 40, '"x"', '"\\u0000"']),
                st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
                st.integers().map(str),
                st.floats(allow_nan=False, allow_infinity=False).map(repr),
            ),
            lambda children: st.one_of(
                st.lists(children, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
                st.dictionaries(
                    st.sampled_from(["and", "or", "not", "name", "eq", "in", "like", "is"])
                    | st.text(alphabet=string.ascii_letters, min_size=1, max_size=6),
                    children,
                    max_size=3,
                ).map(lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"),
            ),
            max_leaves=15,
        )
    ),
)
def test_graphql_filter_literals_never_fail_the_server(
    ws: Workspace, plural: str, literal: str
) -> None:
    query = f"{{ {plural}(filter: {literal}) {{ totalCount }} }}"
    no_server_error(ws.client.post("/graphql", json={"query": query}))
