"""Issue 12's bad inputs, one regression test per case: each refused with a 400 (or a GraphQL
BAD_USER_INPUT) that names the field and the bound, never a 500, on SQLite and PostgreSQL.

3: metadata that broke a workspace; 5: non-finite numbers; 6: the other 500s from unchecked
input; 10: record ids scoped per workspace. Also: every response carries a request id, and a
500 that does happen logs its traceback under that id.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import Client, Server
from graphql_support import gql, ok
from hookwire.crm.filters import MAX_FILTER_CONDITIONS, MAX_FILTER_DEPTH, MAX_ORDER_KEYS
from hookwire.inputs import MAX_JSON_DEPTH
from metadata_support import add_fields, create_object

PEOPLE = "query People($f: PersonFilterInput) { people(filter: $f) { totalCount } }"


def refused(response: requests.Response, *fragments: str) -> list[str]:
    """A 400 in Twenty's error shape whose messages say every one of ``fragments``."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["statusCode"] == 400 and body["error"] == "BadRequestException", body
    text = " ".join(body["messages"])
    for fragment in fragments:
        assert fragment in text, (fragment, body["messages"])
    return body["messages"]


def user_error(body: dict[str, Any], *fragments: str) -> str:
    """A GraphQL answer whose first error is the user's, saying every one of ``fragments``."""
    assert "errors" in body, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    for fragment in fragments:
        assert fragment in error["message"], (fragment, error["message"])
    return error["message"]


def raw_post(client: Client, path: str, body: str) -> requests.Response:
    return client.post(path, data=body.encode(), headers={"Content-Type": "application/json"})


def count(client: Client, plural: str) -> int:
    response = client.get(f"/rest/{plural}", params={"limit": "0"})
    assert response.status_code == 200, response.text
    return response.json()["totalCount"]


def cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def object_id(client: Client, name: str) -> str:
    objects = client.get("/rest/metadata/objects").json()["data"]["objects"]
    return next(o["id"] for o in objects if o["nameSingular"] == name)


# 3. One metadata write breaks a workspace


@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("nameSingular", {"nameSingular": "widget\n", "namePlural": "widgets"}),
        ("namePlural", {"nameSingular": "widget", "namePlural": "widgets\n"}),
    ],
)
def test_object_names_with_a_trailing_newline_are_refused(
    client: Client, key: str, body: dict[str, str]
) -> None:
    response = client.post(
        "/rest/metadata/objects", json={**body, "labelSingular": "W", "labelPlural": "Ws"}
    )
    refused(response, f"{key}: expected a camelCase name", "\\n")
    assert ok(client, "{ people { totalCount } }") == {"people": {"totalCount": 0}}


def test_field_names_and_option_values_with_a_trailing_newline_are_refused(
    client: Client,
) -> None:
    person = object_id(client, "person")
    field = {"objectMetadataId": person, "label": "Tier"}
    response = client.post(
        "/rest/metadata/fields", json={**field, "name": "tier\n", "type": "TEXT"}
    )
    refused(response, "name: expected a camelCase name")
    options = [{"value": "GOLD\n", "label": "Gold"}]
    response = client.post(
        "/rest/metadata/fields",
        json={**field, "name": "tier", "type": "SELECT", "options": options},
    )
    refused(response, "options[0].value: expected UPPER_SNAKE_CASE")
    assert ok(client, "{ people { totalCount } }") == {"people": {"totalCount": 0}}


@pytest.mark.parametrize(
    ("field_type", "settings", "message"),
    [
        ("TEXT", {"targetObject": ["x"]}, "settings.targetObject: not a setting of a TEXT field"),
        ("NUMBER", {"targetObjects": 5}, "settings.targetObjects: not a setting of a NUMBER"),
        ("NUMBER", {"decimals": "two"}, "settings.decimals: expected an integer from 0 to 100"),
        ("DATE_TIME", {"displayFormat": 3}, "settings.displayFormat: expected one of RELATIVE"),
        ("RAW_JSON", {"anything": True}, "settings.anything: not a setting of a RAW_JSON field"),
        ("TEXT", ["displayedMaxRows"], "settings: expected an object"),
        ("RELATION", {"targetObject": ["company"]}, "settings.targetObject: expected a non-empty"),
    ],
)
def test_field_settings_are_checked_per_type(
    client: Client, field_type: str, settings: Any, message: str
) -> None:
    response = client.post(
        "/rest/metadata/fields",
        json={
            "objectMetadataId": object_id(client, "person"),
            "name": "oddOne",
            "label": "Odd one",
            "type": field_type,
            "settings": settings,
        },
    )
    refused(response, message)
    assert ok(client, "{ people { totalCount } }") == {"people": {"totalCount": 0}}


def test_settings_of_the_field_type_are_kept(client: Client) -> None:
    person = object_id(client, "person")
    for name, field_type, settings in (
        ("score", "NUMBER", {"dataType": "float", "decimals": 2, "type": "percentage"}),
        ("bio", "TEXT", {"displayedMaxRows": 4}),
        ("metAt", "DATE_TIME", {"displayFormat": "RELATIVE"}),
    ):
        response = client.post(
            "/rest/metadata/fields",
            json={
                "objectMetadataId": person,
                "name": name,
                "label": name,
                "type": field_type,
                "settings": settings,
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["data"]["createOneField"]["settings"] == settings
    assert ok(client, "{ people { edges { node { score bio metAt } } } }")


def test_metadata_stored_before_the_checks_no_longer_breaks_the_workspace(
    server: Server, client: Client
) -> None:
    """Rows written by the old code (a name with a trailing newline, settings of the wrong
    shape, an option value with a newline) are left out of the APIs, which keep answering;
    the metadata API still lists them, so they can be fixed or deleted."""
    person = object_id(client, "person")
    add_fields(
        client,
        person,
        [
            ("rank", "NUMBER", {"settings": {"decimals": 1}}),
            ("tier", "SELECT", {"options": [{"value": "GOLD", "label": "Gold"}]}),
            ("motto", "TEXT", {}),
        ],
    )
    widget = create_object(client, "widget")
    with server.database.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE object_metadata SET name_singular = :name WHERE id = :id"),
            {"name": "widget\n", "id": widget},
        )
        for name, column, value in (
            ("rank", "settings", {"targetObject": ["x"], "targetObjects": 5}),
            ("tier", "options", [{"value": "GOLD\n", "label": "Gold"}]),
        ):
            connection.execute(
                sa.text(
                    f"UPDATE field_metadata SET {column} = :value "
                    "WHERE object_id = :object AND name = :name"
                ),
                {"value": json.dumps(value), "object": person, "name": name},
            )
        connection.execute(
            sa.text("UPDATE field_metadata SET name = 'motto\n' WHERE name = 'motto'")
        )
        connection.execute(
            sa.text("UPDATE workspace SET metadata_version = metadata_version + 1 WHERE id = :id"),
            {"id": client.workspace_id},
        )
    assert ok(client, "{ people { totalCount edges { node { rank } } } }") == {
        "people": {"totalCount": 0, "edges": []}
    }
    assert client.get("/rest/people").status_code == 200
    assert client.get("/open-api/core").status_code == 200
    assert client.post("/rest/people", json={"rank": 3}).status_code == 201
    names = {
        o["nameSingular"] for o in client.get("/rest/metadata/objects").json()["data"]["objects"]
    }
    assert "widget\n" in names
    response = client.post(
        "/rest/metadata/fields",
        json={"objectMetadataId": person, "name": "later", "label": "Later", "type": "TEXT"},
    )
    assert response.status_code == 201, response.text


# 5. Non-finite numbers


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400", "-1e400"])
def test_non_finite_numbers_in_a_rest_body_are_refused(client: Client, number: str) -> None:
    refused(raw_post(client, "/rest/people", f'{{"position": {number}}}'), "position:", "finite")
    body = f'{{"annualRecurringRevenue": {{"amountMicros": {number}, "currencyCode": "EUR"}}}}'
    refused(raw_post(client, "/rest/companies", body), "annualRecurringRevenue.amountMicros:")
    refused(
        raw_post(client, "/rest/batch/people", f'[{{}}, {{"position": {number}}}]'),
        "[1].position:",
    )
    assert count(client, "people") == 0 and count(client, "companies") == 0
    assert json.loads(client.get("/rest/people").text)["totalCount"] == 0  # strict JSON


@pytest.mark.parametrize("number", ["Infinity", "NaN", "1e400"])
def test_non_finite_numbers_in_graphql_variables_are_refused(client: Client, number: str) -> None:
    document = "mutation New($d: PersonCreateInput!) { createPerson(data: $d) { id } }"
    response = raw_post(
        client,
        "/graphql",
        f'{{"query": {json.dumps(document)}, "variables": {{"d": {{"position": {number}}}}}}}',
    )
    assert response.status_code == 400, response.text
    user_error(response.json(), "variables.d.position:", "finite")
    assert count(client, "people") == 0


@pytest.mark.parametrize("literal", ["1e400", "-1e400", "9" * 400])
def test_non_finite_graphql_number_literals_are_refused(client: Client, literal: str) -> None:
    body = gql(
        client, "/graphql", f"mutation {{ createPerson(data: {{position: {literal}}}) {{ id }} }}"
    )
    user_error(body, "data.position:", "finite")
    body = gql(
        client,
        "/graphql",
        f"{{ companies(filter: {{employees: {{gt: {literal}}}}}) {{ totalCount }} }}",
    )
    user_error(body, "filter.employees.gt:")
    assert count(client, "people") == 0


def test_non_finite_numbers_in_rest_filters_are_refused(client: Client) -> None:
    for value in ("inf", "-Infinity", "nan", "1e400"):
        response = client.get("/rest/companies", params={"filter": f"employees[gt]:{value}"})
        refused(response, "filter: 'employees' expects a number")


# 6. Other 500s from unchecked input


def test_deeply_nested_json_bodies_are_refused(client: Client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    refused(raw_post(client, "/rest/people", deep), f"nested more than {MAX_JSON_DEPTH} levels")
    nested = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    refused(raw_post(client, "/rest/people", f'{{"city": "x", "raw": {nested}}}'), "raw.a.a.a")
    response = raw_post(
        client, "/graphql", '{"query": "{ people { totalCount } }", "variables": ' + deep[:-1]
    )
    assert response.status_code == 400, response.text
    response = raw_post(
        client,
        "/graphql",
        '{"query": "{ people { totalCount } }", "variables": {"v": ' + deep + "}}",
    )
    assert response.status_code == 400, response.text
    user_error(response.json(), f"nested more than {MAX_JSON_DEPTH} levels")


def test_deep_and_large_rest_filters_are_refused(client: Client) -> None:
    deep = "and(" * (MAX_FILTER_DEPTH + 1) + "city[eq]:x" + ")" * (MAX_FILTER_DEPTH + 1)
    refused(client.get("/rest/people", params={"filter": deep}), f"the limit is {MAX_FILTER_DEPTH}")
    very_deep = "and(" * 3000 + "city[eq]:x" + ")" * 3000
    refused(client.get("/rest/people", params={"filter": very_deep}), "nested more than")
    wide = ",".join(["city[eq]:x"] * 1000)  # 5,000 would pass the request-line limit
    refused(
        client.get("/rest/people", params={"filter": wide}),
        f"the limit is {MAX_FILTER_CONDITIONS}",
    )
    ok_filter = "or(" + ",".join(["city[eq]:x"] * MAX_FILTER_CONDITIONS) + ")"
    assert client.get("/rest/people", params={"filter": ok_filter}).status_code == 200
    nested_ok = "and(" * MAX_FILTER_DEPTH + "city[eq]:x" + ")" * MAX_FILTER_DEPTH
    assert client.get("/rest/people", params={"filter": nested_ok}).status_code == 200


def test_deep_and_large_graphql_filters_are_refused(client: Client) -> None:
    deep: dict[str, Any] = {"city": {"eq": "x"}}
    for _ in range(MAX_FILTER_DEPTH + 1):
        deep = {"and": [deep]}
    user_error(gql(client, "/graphql", PEOPLE, {"f": deep}), f"the limit is {MAX_FILTER_DEPTH}")
    wide = {"or": [{"city": {"eq": str(i)}} for i in range(5000)]}
    user_error(
        gql(client, "/graphql", PEOPLE, {"f": wide}), f"the limit is {MAX_FILTER_CONDITIONS}"
    )


def test_integers_beyond_64_bits_in_filters_and_cursors(client: Client) -> None:
    client.post("/rest/companies", json={"name": "Big", "employees": 10})
    huge = "9" * 30
    for comparator in ("eq", "gt", "lt"):
        response = client.get(
            "/rest/companies", params={"filter": f"employees[{comparator}]:{huge}"}
        )
        assert response.status_code == 200, response.text
    response = client.get("/rest/companies", params={"filter": f"employees[in]:[1,-{huge}]"})
    assert response.status_code == 200, response.text
    forged = cursor([int(huge), str(uuid.uuid4())])
    response = client.get(
        "/rest/companies", params={"order_by": "employees", "starting_after": forged}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", [[1], {"a": 1}, True, [], "x" * 3])
def test_odd_cursor_values_on_array_sort_keys(client: Client, value: Any) -> None:
    client.post("/rest/people", json={"emails": {"additionalEmails": ["a@example.com"]}})
    forged = cursor([value, str(uuid.uuid4())])
    for after in ("starting_after", "ending_before"):
        response = client.get(
            "/rest/people", params={"order_by": "emails.additionalEmails", after: forged}
        )
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            refused(response, "Invalid cursor")


def test_cursors_of_array_sort_keys_page_through(client: Client) -> None:
    for index in range(3):
        response = client.post(
            "/rest/people", json={"emails": {"additionalEmails": [f"{index}@example.com"]}}
        )
        assert response.status_code == 201, response.text
    seen, after = [], None
    for _ in range(4):
        params = {"order_by": "emails.additionalEmails", "limit": "1"}
        if after:
            params["starting_after"] = after
        page = client.get("/rest/people", params=params)
        assert page.status_code == 200, page.text
        seen += [p["id"] for p in page.json()["data"]["people"]]
        after = page.json()["pageInfo"]["endCursor"]
        if not page.json()["pageInfo"]["hasNextPage"]:
            break
    assert len(seen) == len(set(seen)) == 3


def test_too_many_sort_keys_are_refused(client: Client) -> None:
    many = ",".join(["city"] * 2000)
    refused(client.get("/rest/people", params={"order_by": many}), f"the limit is {MAX_ORDER_KEYS}")
    query = "query P($o: [PersonOrderByInput!]) { people(orderBy: $o) { totalCount } }"
    body = gql(client, "/graphql", query, {"o": [{"city": "AscNullsFirst"}] * 2000})
    user_error(body, f"orderBy: 2000 sort keys; the limit is {MAX_ORDER_KEYS}")
    fine = ",".join(["city"] * MAX_ORDER_KEYS)
    assert client.get("/rest/people", params={"order_by": fine}).status_code == 200


@pytest.mark.parametrize("comparator", ["like", "ilike", "startsWith", "endsWith"])
def test_text_comparators_on_dates_and_numbers_are_refused(client: Client, comparator: str) -> None:
    client.post("/rest/companies", json={"name": "Acme", "employees": 12})
    for field, what in (
        ("createdAt", "a date-time"),
        ("updatedAt", "a date-time"),
        ("employees", "a number"),
        ("position", "a number"),
        ("idealCustomerProfile", "a boolean"),
    ):
        response = client.get("/rest/companies", params={"filter": f"{field}[{comparator}]:2%"})
        refused(response, f"'{field}[{comparator}]' matches text", what)
    response = client.get("/rest/companies", params={"filter": f"name[{comparator}]:A%"})
    assert response.status_code == 200, response.text


def test_unicode_digits_are_no_limit(client: Client) -> None:
    refused(client.get("/rest/people", params={"limit": "²"}), "limit")
    response = client.get(f"/rest/metadata/webhooks/{uuid.uuid4()}/attempts", params={"limit": "²"})
    refused(response, "limit: expected an integer from 1 to")
    response = client.get(f"/rest/webhooks/{uuid.uuid4()}/attempts", params={"limit": "1" * 5000})
    refused(response, "limit: expected an integer from 1 to")


def test_a_paging_variable_that_is_not_an_object(client: Client) -> None:
    for paging in (5, "x", [1], True):
        for query in (
            "query O($p: CursorPaging) { objects(paging: $p) { edges { node { id } } } }",
            "query O($p: CursorPaging) { objects { edges { node { fields(paging: $p) "
            "{ edges { node { id } } } } } } }",
        ):
            user_error(gql(client, "/metadata", query, {"p": paging}), "CursorPaging")


def test_null_and_empty_graphql_filters(client: Client) -> None:
    for city in ("Paris", None):
        assert client.post("/rest/people", json={"city": city}).status_code == 201
    for nothing in (
        {"city": None},
        {"and": None},
        {"or": None},
        {"not": None},
        {"name": None},
        {"name": {"firstName": None}},
        {"city": {"eq": None}},
        {"city": {"in": None, "like": None, "startsWith": None}},
        {},
        {"and": []},
        {"and": [{}]},
    ):
        assert ok(client, PEOPLE, {"f": nothing}) == {"people": {"totalCount": 2}}, nothing
    for none in ({"not": {}}, {"or": []}, {"not": {"and": []}}):
        assert ok(client, PEOPLE, {"f": none}) == {"people": {"totalCount": 0}}, none
    assert ok(client, "{ people(filter: {city: null}) { totalCount } }") == {
        "people": {"totalCount": 2}
    }
    assert ok(client, "{ people(filter: {not: {}}) { totalCount } }") == {
        "people": {"totalCount": 0}
    }
    body = gql(client, "/graphql", "mutation { deletePeople(filter: {not: {}}) { id } }")
    user_error(body, "filter: required and not empty")
    assert count(client, "people") == 2


@pytest.mark.parametrize(
    ("text", "problem"), [("a\x00b", "NUL character"), ("a\ud800b", "lone UTF-16 surrogate")]
)
def test_nul_bytes_and_lone_surrogates_are_refused(client: Client, text: str, problem: str) -> None:
    body = json.dumps({"city": text, "name": {"firstName": "Ada"}})  # \u escapes: valid JSON
    refused(raw_post(client, "/rest/people", body), "city:", problem)
    body = json.dumps({"name": {"firstName": text}})
    refused(raw_post(client, "/rest/people", body), "name.firstName:", problem)
    body = json.dumps({"city": "x", text: 1})
    refused(raw_post(client, "/rest/people", body), problem)
    document = "mutation New($d: PersonCreateInput!) { createPerson(data: $d) { id } }"
    response = raw_post(
        client, "/graphql", json.dumps({"query": document, "variables": {"d": {"city": text}}})
    )
    assert response.status_code == 400, response.text
    user_error(response.json(), "variables.d.city:", problem)
    assert count(client, "people") == 0
    if "\x00" in text:
        refused(client.get("/rest/people", params={"filter": "city[eq]:a\x00b"}), "'filter'")
        refused(client.get("/rest/people", params={"order_by": "ci\x00ty"}), "'order_by'")
        literal = '{ people(filter: {city: {eq: "a\\u0000b"}}) { totalCount } }'
        user_error(gql(client, "/graphql", literal), "filter.city.eq:", problem)
        literal = 'mutation { createPerson(data: {city: "a\\u0000b"}) { id } }'
        user_error(gql(client, "/graphql", literal), "data.city:", problem)
    forged = cursor([text, str(uuid.uuid4())])
    response = client.get("/rest/people", params={"order_by": "city", "starting_after": forged})
    refused(response, "Invalid cursor")
    assert count(client, "people") == 0


def test_a_nul_in_a_header_is_no_server_error(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: a\x00b\r\n"
            b"Connection: close\r\n\r\n"
        )
        answer = connection.recv(4096)
    assert answer.split(b" ")[1] in (b"200", b"400"), answer


# every response's request id, and the 500 that carries it


def test_every_response_carries_a_request_id(client: Client) -> None:
    answers = [
        client.get("/rest/people"),
        client.get("/rest/nothings"),
        client.post("/graphql", json={"query": "{ people { totalCount } }"}),
        requests.get(f"{client.base_url}/healthz", timeout=5),
    ]
    ids = [answer.headers.get("X-Request-Id") for answer in answers]
    assert all(ids) and len(set(ids)) == len(ids), ids
    given = client.get("/rest/people", headers={"X-Request-Id": "req-42.a_b:c"})
    assert given.headers["X-Request-Id"] == "req-42.a_b:c"
    for malformed in ("", "has space", "x" * 200, "<script>"):
        answer = client.get("/rest/people", headers={"X-Request-Id": malformed})
        assert answer.headers["X-Request-Id"] not in (malformed, ""), malformed


def test_a_500_is_logged_with_its_traceback_and_request_id(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    from hookwire.app import create_app
    from hookwire.config import load_config

    config = load_config({"DATABASE_URL": server.database.url, "APP_SECRET": "x" * 40})
    app = create_app(config, start_dispatcher=False)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with caplog.at_level(logging.ERROR):
        answer = app.test_client().get("/boom", headers={"X-Request-Id": "trace-me-1"})
    assert answer.status_code == 500
    assert answer.headers["X-Request-Id"] == "trace-me-1"
    assert answer.json["requestId"] == "trace-me-1"
    assert "trace-me-1" in answer.json["messages"][0]
    logged = [r for r in caplog.records if "trace-me-1" in r.getMessage()]
    assert logged and logged[0].exc_info and "kaboom" in str(logged[0].exc_info[1])


# 10. Record ids are per workspace


def test_an_id_taken_in_another_workspace_is_free_here(
    client: Client, other_client: Client
) -> None:
    chosen = str(uuid.uuid4())
    mine = client.post("/rest/companies", json={"id": chosen, "name": "Mine"})
    assert mine.status_code == 201, mine.text
    theirs = other_client.post("/rest/companies", json={"id": chosen, "name": "Theirs"})
    assert theirs.status_code == 201, theirs.text
    refused(client.post("/rest/companies", json={"id": chosen}), "already exists")
    refused(other_client.post("/rest/people", json={"id": chosen}), "already exists")
    assert client.get(f"/rest/companies/{chosen}").json()["data"]["company"]["name"] == "Mine"
    assert other_client.get(f"/rest/companies/{chosen}").json()["data"]["company"]["name"] == (
        "Theirs"
    )
    # GraphQL, upserts, updates and deletes reach their own workspace's record only.
    person_id = str(uuid.uuid4())
    for owner in (client, other_client):
        data = ok(
            owner,
            "mutation P($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
            {"d": {"id": person_id, "city": owner.workspace_id}},
        )
        assert data == {"createPerson": {"id": person_id}}
    upserted = other_client.post(
        "/rest/companies", params={"upsert": "true"}, json={"id": chosen, "employees": 5}
    )
    assert upserted.status_code == 201, upserted.text
    assert client.get(f"/rest/companies/{chosen}").json()["data"]["company"]["employees"] is None
    assert other_client.patch(f"/rest/companies/{chosen}", json={"name": "T2"}).status_code == 200
    assert other_client.delete(f"/rest/companies/{chosen}").status_code == 200
    assert client.get(f"/rest/companies/{chosen}").json()["data"]["company"]["name"] == "Mine"
    found = ok(
        client,
        '{ search(searchInput: "Mine", limit: 10) { edges { node { recordId } } } }',
    )["search"]["edges"]
    assert [edge["node"]["recordId"] for edge in found] == [chosen]
