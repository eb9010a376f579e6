"""Bad requests to the records REST API: the status, Twenty's error body, a useful message,
and for every refused write, nothing written."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import Client, Server, new_workspace

MISSING = object()
UNKNOWN_ID = str(uuid.uuid4())
OBJECTS = ("people", "companies", "opportunities", "gadgets")
EVERY_RECORD = "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"


@dataclass
class Fixture:
    client: Client
    ids: dict[str, str]


def forged_cursor(values: list[Any]) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
def ws(server: Server) -> Iterator[Fixture]:
    """A workspace with one record of each object used, and a custom object with a required
    field (``gadget.serial``), created before the object has any record."""
    workspace_id, token = new_workspace(server.database)
    client = Client(server.base_url, token, workspace_id)

    def create(path: str, body: Any, key: str) -> dict[str, Any]:
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text
        return response.json()["data"][key]

    gadget = create(
        "/rest/metadata/objects",
        {
            "nameSingular": "gadget",
            "namePlural": "gadgets",
            "labelSingular": "Gadget",
            "labelPlural": "Gadgets",
        },
        "createOneObject",
    )
    create(
        "/rest/metadata/fields",
        {
            "objectMetadataId": gadget["id"],
            "name": "serial",
            "label": "Serial",
            "type": "TEXT",
            "isNullable": False,
        },
        "createOneField",
    )
    company = create("/rest/companies", {"name": "Acme", "employees": 3}, "createCompany")
    person = create(
        "/rest/people",
        {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "companyId": company["id"]},
        "createPerson",
    )
    deal = create("/rest/opportunities", {"name": "Deal"}, "createOpportunity")
    page = client.get("/rest/people", params={"limit": "1"}).json()
    yield Fixture(
        client,
        {
            "person": person["id"],
            "company": company["id"],
            "opportunity": deal["id"],
            "unknown": UNKNOWN_ID,
            "cursor": page["pageInfo"]["endCursor"],
            "dictCursor": forged_cursor([1.5, {"id": 1}]),
            "textCursor": forged_cursor([1.5, 17]),
            "numberCursor": forged_cursor(["many", person["id"]]),
            "shortCursor": forged_cursor([1.5]),
            "notListCursor": forged_cursor({"position": 1}),
        },
    )


def snapshot(client: Client) -> dict[str, list[dict[str, Any]]]:
    """Every record of the objects the table writes to, soft-deleted ones included."""
    state = {}
    for plural in OBJECTS:
        response = client.get(f"/rest/{plural}", params={"limit": "200", "filter": EVERY_RECORD})
        assert response.status_code == 200, response.text
        state[plural] = response.json()["data"][plural]
    return state


def case(
    method: str,
    path: str,
    status: int,
    message: str,
    *,
    params: dict[str, str | list[str]] | None = None,
    json: Any = MISSING,
    data: str | None = None,
    headers: dict[str, Any] | None = None,
    id: str,
):
    return pytest.param(method, path, params, json, data, headers, status, message, id=id)


PERSON = "/rest/people/{person}"
CASES = [
    # bodies that are not what a write takes
    case("POST", "/rest/people", 400, "invalid JSON", data="{not json", id="malformed-json"),
    case("POST", "/rest/people", 400, "invalid JSON", data='{"a": 1,}', id="trailing-comma"),
    case("POST", "/rest/people", 400, "expected JSON, got an empty body", data="", id="empty"),
    case("POST", "/rest/people", 400, "expected a JSON object", json=[1, 2], id="array-body"),
    case("POST", "/rest/people", 400, "expected a JSON object", json="Ada", id="string-body"),
    case("POST", "/rest/people", 400, "expected a JSON object", data="null", id="null-body"),
    case("PATCH", PERSON, 400, "expected a JSON object", json=[{"city": "x"}], id="patch-array"),
    case(
        "POST",
        "/rest/batch/people",
        400,
        "expected a non-empty JSON array",
        json={"city": "Paris"},
        id="batch-object",
    ),
    case("POST", "/rest/batch/people", 400, "non-empty JSON array", json=[], id="batch-empty"),
    case(
        "POST",
        "/rest/batch/people",
        400,
        "[1]: expected a JSON object with the record's fields",
        json=[{"city": "Paris"}, 5],
        id="batch-non-object-item",
    ),
    # wrong types
    case(
        "POST",
        "/rest/people",
        400,
        "field 'jobTitle': expected string, got integer 5",
        json={"jobTitle": 5},
        id="text-as-number",
    ),
    case(
        "POST",
        "/rest/companies",
        400,
        "field 'employees': expected number, got string 'many'",
        json={"employees": "many"},
        id="number-as-string",
    ),
    case(
        "POST",
        "/rest/companies",
        400,
        "field 'idealCustomerProfile': expected boolean, got string 'yes'",
        json={"idealCustomerProfile": "yes"},
        id="boolean-as-string",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "field 'name.firstName': expected string or null, got integer 5",
        json={"name": {"firstName": 5}},
        id="subfield-type",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "field 'name': expected object, got string 'Ada'",
        json={"name": "Ada"},
        id="composite-as-string",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "unknown subfield middleName",
        json={"name": {"firstName": "Ada", "middleName": "B"}},
        id="unknown-subfield",
    ),
    case(
        "POST",
        "/rest/opportunities",
        400,
        "field 'closeDate': expected an ISO 8601 date-time",
        json={"closeDate": "tomorrow"},
        id="bad-date-time",
    ),
    case(
        "PATCH",
        PERSON,
        400,
        "field 'city': expected string, got array",
        json={"city": ["Paris"]},
        id="patch-wrong-type",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "field 'jobTitle': expected string, got boolean True",
        json={"jobTitle": True, "city": 3},
        id="two-wrong-fields",
    ),
    # unknown fields
    case(
        "POST",
        "/rest/people",
        400,
        "field 'nickname' does not exist on object 'person'",
        json={"nickname": "Countess"},
        id="unknown-field",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "relations are written as 'companyId'",
        json={"company": "{company}"},
        id="relation-by-name",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "field 'createdAt' does not exist on object 'person' (it is set by the server)",
        json={"createdAt": "2024-01-01T00:00:00Z"},
        id="system-field",
    ),
    case(
        "PATCH",
        PERSON,
        400,
        "field 'nickname' does not exist on object 'person'",
        json={"nickname": "Countess"},
        id="patch-unknown-field",
    ),
    # SELECT values
    case(
        "POST",
        "/rest/opportunities",
        400,
        "field 'stage': expected one of NEW, SCREENING, MEETING, PROPOSAL, CUSTOMER, "
        "got string 'WON'",
        json={"stage": "WON"},
        id="bad-select",
    ),
    case(
        "PATCH",
        "/rest/opportunities/{opportunity}",
        400,
        "field 'stage': expected one of NEW",
        json={"stage": "meeting"},
        id="patch-bad-select",
    ),
    # required field without default
    case(
        "POST",
        "/rest/gadgets",
        400,
        "field 'serial' is required on object 'gadget'",
        json={"name": "Widget"},
        id="missing-required",
    ),
    case(
        "POST",
        "/rest/batch/gadgets",
        400,
        "[1] field 'serial' is required on object 'gadget'",
        json=[{"serial": "S1"}, {"name": "Widget"}],
        id="batch-missing-required",
    ),
    case(
        "POST",
        "/rest/gadgets",
        400,
        "field 'serial': expected string, got null",
        json={"serial": None},
        id="required-as-null",
    ),
    # relations
    case(
        "POST",
        "/rest/people",
        400,
        "field 'companyId': no company with id {unknown} in this workspace",
        json={"companyId": "{unknown}"},
        id="relation-unknown-record",
    ),
    case(
        "PATCH",
        "/rest/opportunities/{opportunity}",
        400,
        "field 'pointOfContactId': no person with id {company} in this workspace",
        json={"pointOfContactId": "{company}"},
        id="relation-wrong-object",
    ),
    case(
        "POST",
        "/rest/people",
        400,
        "field 'companyId': expected a UUID, got string 'acme'",
        json={"companyId": "acme"},
        id="relation-not-uuid",
    ),
    # ids
    case(
        "POST",
        "/rest/people",
        400,
        "a record with this id already exists",
        json={"id": "{person}"},
        id="duplicate-id",
    ),
    case(
        "POST",
        "/rest/companies",
        400,
        "a record with this id already exists",
        json={"id": "{person}"},
        id="id-of-other-object",
    ),
    case("POST", "/rest/people", 400, "field 'id': expected a UUID", json={"id": "7"}, id="bad-id"),
    case("GET", "/rest/people/not-a-uuid", 400, "'not-a-uuid' is not a valid UUID", id="get-id"),
    case(
        "PATCH",
        "/rest/people/12345",
        400,
        "'12345' is not a valid UUID",
        json={"city": "x"},
        id="patch-id",
    ),
    case("DELETE", "/rest/people/abc", 400, "'abc' is not a valid UUID", id="delete-id"),
    case("GET", "/rest/people/{unknown}", 404, "Person with id {unknown} not found", id="get-404"),
    case(
        "GET", "/rest/people/{company}", 404, "Person with id {company} not found", id="other-obj"
    ),
    case(
        "PATCH",
        "/rest/people/{unknown}",
        404,
        "not found",
        json={"city": "x"},
        id="patch-404",
    ),
    case("DELETE", "/rest/people/{unknown}", 404, "not found", id="delete-404"),
    case(
        "DELETE",
        "/rest/people/{unknown}",
        404,
        "not found",
        params={"soft_delete": "true"},
        id="soft-delete-404",
    ),
    case("PATCH", "/rest/restore/people/{unknown}", 404, "not found", id="restore-404"),
    case("PATCH", "/rest/restore/people/xyz", 400, "not a valid UUID", id="restore-bad-id"),
    # object names
    case(
        "GET",
        "/rest/person",
        400,
        "object 'person' not found. Did you mean 'people'?",
        id="singular-path",
    ),
    case(
        "GET",
        "/rest/company/{company}",
        400,
        "Did you mean 'companies'?",
        id="singular-path-with-id",
    ),
    case(
        "POST",
        "/rest/person",
        400,
        "Did you mean 'people'",
        json={"name": {"firstName": "Ada"}},
        id="singular-path-write",
    ),
    case(
        "POST",
        "/rest/batch/gadget",
        400,
        "Did you mean 'gadgets'",
        json=[{"serial": "S"}],
        id="singular-batch",
    ),
    case("GET", "/rest/widgets", 400, "object 'widgets' not found", id="unknown-object"),
    case(
        "DELETE",
        "/rest/widgets/{person}",
        400,
        "object 'widgets' not found",
        id="unknown-object-delete",
    ),
    # filters
    case(
        "GET",
        "/rest/people",
        400,
        "filter: expected ')' at position",
        params={"filter": "and(city[eq]:Paris"},
        id="filter-unclosed-paren",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: unexpected character at position 14",
        params={"filter": "city[eq]:Paris))"},
        id="filter-extra-paren",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: expected '[' at position 10",
        params={"filter": "city:Paris"},
        id="filter-no-comparator",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: expected ':'",
        params={"filter": "city[eq]Paris"},
        id="filter-no-colon",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: unclosed '['",
        params={"filter": "city[eq"},
        id="filter-unclosed-bracket",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: missing field name",
        params={"filter": "[eq]:Paris"},
        id="filter-no-field",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: unclosed quote",
        params={"filter": 'city[eq]:"Paris'},
        id="filter-unclosed-quote",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "unknown comparator 'equals' on 'city'; expected one of eq, neq, in, containsAny",
        params={"filter": "city[equals]:Paris"},
        id="filter-unknown-comparator",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "field 'town' does not exist on object 'person'",
        params={"filter": "town[eq]:Paris"},
        id="filter-unknown-field",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "field 'name' is composite; name a subfield: name.firstName, name.lastName",
        params={"filter": "name[eq]:Ada"},
        id="filter-composite",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "field 'name' has no subfield 'middleName'",
        params={"filter": "name.middleName[eq]:B"},
        id="filter-unknown-subfield",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "field 'city' is not composite",
        params={"filter": "city.name[eq]:Paris"},
        id="filter-scalar-subfield",
    ),
    case(
        "GET",
        "/rest/companies",
        400,
        "filter: 'employees' expects a number, got 'many'",
        params={"filter": "employees[gt]:many"},
        id="filter-not-a-number",
    ),
    case(
        "GET",
        "/rest/companies",
        400,
        "filter: 'employees' expects a number, got 'ten'",
        params={"filter": "employees[in]:[1,ten]"},
        id="filter-in-not-a-number",
    ),
    case(
        "GET",
        "/rest/companies",
        400,
        "filter: 'idealCustomerProfile' expects true or false, got 'yes'",
        params={"filter": "idealCustomerProfile[eq]:yes"},
        id="filter-not-a-boolean",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: 'createdAt' expects an ISO 8601 date-time, got 'yesterday'",
        params={"filter": "createdAt[gte]:yesterday"},
        id="filter-not-a-timestamp",
    ),
    case(
        "GET",
        "/rest/opportunities",
        400,
        "filter: 'closeDate' expects an ISO 8601 date-time, got 'soon'",
        params={"filter": "closeDate[lt]:soon"},
        id="filter-not-a-date-time",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: 'city[in]' expects a list such as [a,b], got 'Paris'",
        params={"filter": "city[in]:Paris"},
        id="filter-in-without-list",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: 'city[eq]' expects one value, got a list",
        params={"filter": "city[eq]:[Paris,Lyon]"},
        id="filter-eq-with-list",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: 'city[is]' expects NULL or NOT_NULL, got 'empty'",
        params={"filter": "city[is]:empty"},
        id="filter-is-value",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: 'city[containsAny]' needs an array field",
        params={"filter": "city[containsAny]:[Paris]"},
        id="filter-contains-any-on-text",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "filter: 'emails.additionalEmails' is an array or JSON field",
        params={"filter": "emails.additionalEmails[eq]:a@b.c"},
        id="filter-eq-on-array",
    ),
    # order_by
    case(
        "GET",
        "/rest/people",
        400,
        "order_by: unknown direction 'Up' on 'city'; expected one of AscNullsFirst",
        params={"order_by": "city[Up]"},
        id="order-by-direction",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "order_by: unknown direction 'asc' on 'city'",
        params={"order_by": "name.lastName[AscNullsLast],city[asc]"},
        id="order-by-second-direction",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "order_by: unclosed '['",
        params={"order_by": "city[AscNullsFirst"},
        id="order-by-unclosed",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "field 'town' does not exist on object 'person'",
        params={"order_by": "town[AscNullsFirst]"},
        id="order-by-unknown-field",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "field 'name' is composite",
        params={"order_by": "name[AscNullsFirst]"},
        id="order-by-composite",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "order_by: expected field[Direction]",
        params={"order_by": ","},
        id="order-by-empty",
    ),
    # limit and cursors
    case(
        "GET",
        "/rest/people",
        400,
        "limit '-5' is invalid. Should be an integer",
        params={"limit": "-5"},
        id="limit-negative",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "limit 'ten' is invalid",
        params={"limit": "ten"},
        id="limit-text",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "limit '2.5' is invalid",
        params={"limit": "2.5"},
        id="limit-fraction",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "'limit' parameter given 2 times; expected it once",
        params={"limit": ["", "5"]},
        id="limit-twice",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "'starting_after' parameter given 2 times",
        params={"starting_after": ["a", "b"]},
        id="cursor-twice",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "limit '٣' is invalid",
        params={"limit": "٣"},
        id="limit-arabic-digit",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor 'garbage'",
        params={"starting_after": "garbage"},
        id="cursor-garbage",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor",
        params={"ending_before": "!!!"},
        id="cursor-not-base64",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "made with the same order_by",
        params={"starting_after": "{cursor}", "order_by": "city,name.lastName"},
        id="cursor-other-order-by",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor",
        params={"starting_after": "{shortCursor}"},
        id="cursor-too-short",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor",
        params={"starting_after": "{notListCursor}"},
        id="cursor-not-a-list",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor",
        params={"starting_after": "{dictCursor}"},
        id="cursor-object-value",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor",
        params={"ending_before": "{textCursor}"},
        id="cursor-number-for-text",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "Invalid cursor",
        params={"starting_after": "{numberCursor}"},
        id="cursor-text-for-number",
    ),
    case(
        "GET",
        "/rest/people",
        400,
        "pass either starting_after or ending_before, not both",
        params={"starting_after": "{cursor}", "ending_before": "{cursor}"},
        id="cursor-both",
    ),
    # transport
    case("POST", PERSON, 405, "not allowed", json={"city": "x"}, id="method-not-allowed"),
    case(
        "GET",
        "/rest/people",
        401,
        "Token invalid.",
        headers={"Authorization": "Bearer not-a-token"},
        id="bad-token",
    ),
    case(
        "GET", "/rest/people", 401, "Token invalid.", headers={"Authorization": None}, id="no-key"
    ),
    case(
        "POST",
        "/rest/people",
        401,
        "Token invalid.",
        json={"city": "x"},
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
        id="write-without-bearer",
    ),
]


def fill(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with ``{person}``-style placeholders replaced by the fixture's ids."""
    if isinstance(value, str):
        return value.format_map(ids)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "data", "headers", "status", "message"), CASES
)
def test_bad_request(
    ws: Fixture,
    method: str,
    path: str,
    params: dict[str, str | list[str]] | None,
    body: Any,
    data: str | None,
    headers: dict[str, Any] | None,
    status: int,
    message: str,
) -> None:
    writes = method != "GET"
    before = snapshot(ws.client) if writes else None
    kwargs: dict[str, Any] = {"params": fill(params, ws.ids), "headers": headers}
    if body is not MISSING:
        kwargs["json"] = fill(body, ws.ids)
    if data is not None:
        kwargs["data"] = data.encode()
        kwargs["headers"] = {"Content-Type": "application/json", **(headers or {})}

    response = ws.client.request(method, fill(path, ws.ids), **kwargs)

    assert response.status_code == status, response.text
    payload = response.json()
    assert set(payload) == {"statusCode", "error", "messages"}, payload
    assert payload["statusCode"] == status
    assert isinstance(payload["error"], str) and payload["error"]
    assert isinstance(payload["messages"], list) and payload["messages"]
    assert all(isinstance(m, str) for m in payload["messages"])
    expected = fill(message, ws.ids)
    assert any(expected in m for m in payload["messages"]), payload["messages"]
    if writes:
        assert snapshot(ws.client) == before


def test_every_invalid_field_is_named(ws: Fixture) -> None:
    response = ws.client.post(
        "/rest/people", json={"jobTitle": 5, "city": False, "nickname": "x", "name": "Ada"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "BadRequestException",
        "messages": [
            "field 'nickname' does not exist on object 'person'",
            "field 'city': expected string, got boolean False",
            "field 'jobTitle': expected string, got integer 5",
            "field 'name': expected object, got string 'Ada'",
        ],
    }


def test_error_names_match_twenty(ws: Fixture) -> None:
    bad = ws.client.get("/rest/people", params={"limit": "-1"}).json()
    missing = ws.client.get(f"/rest/people/{UNKNOWN_ID}").json()
    unauthenticated = ws.client.get("/rest/people", headers={"Authorization": "Bearer nope"}).json()
    assert (bad["error"], missing["error"], unauthenticated) == (
        "BadRequestException",
        "NotFoundException",
        {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token invalid."]},
    )


def test_a_failed_batch_writes_nothing_even_when_the_bad_item_is_last(ws: Fixture) -> None:
    before = snapshot(ws.client)
    items = [{"name": {"firstName": f"P{i}"}} for i in range(10)]
    response = ws.client.post("/rest/batch/people", json=[*items, {"companyId": str(uuid.uuid4())}])
    assert response.status_code == 400
    assert "field 'companyId': no company with id" in response.json()["messages"][0]
    assert snapshot(ws.client) == before


def test_a_failed_update_leaves_the_record_unchanged(ws: Fixture) -> None:
    path = f"/rest/people/{ws.ids['person']}"
    before = ws.client.get(path).json()
    response = ws.client.patch(path, json={"city": "Paris", "jobTitle": 42})
    assert response.status_code == 400
    assert ws.client.get(path).json() == before
    response = ws.client.patch(path, json={"city": "Paris", "companyId": str(uuid.uuid4())})
    assert response.status_code == 400
    assert ws.client.get(path).json() == before


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/rest/people/{id}", {"GET", "PATCH", "PUT", "DELETE"}),
        ("POST", "/open-api/core", {"GET"}),
        ("POST", "/healthz", {"GET"}),
    ],
)
def test_a_method_not_allowed_says_which_are(
    ws: Fixture, method: str, path: str, allowed: set[str]
) -> None:
    response = ws.client.request(method, path.format(id=ws.ids["person"]))
    assert response.status_code == 405
    assert response.json()["statusCode"] == 405
    assert response.headers["Content-Type"] == "application/json"
    assert allowed <= set(response.headers["Allow"].split(", "))
