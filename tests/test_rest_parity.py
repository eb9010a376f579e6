"""REST parity with Twenty: every records route and parameter, over HTTP, with the status and
the exact envelope Twenty's handlers send (values too, where they are deterministic), the 400s
with their messages, and each operation listed in the OpenAPI document.

Each case runs on a fresh workspace seeded with the same records; ``{acme}``-style
placeholders in paths, parameters and bodies stand for their ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import Client

MISSING = object()


class Anything:
    """Matches any value."""

    def __repr__(self) -> str:
        return "ANY"


ANY = Anything()


@dataclass(frozen=True)
class Rec:
    """A record: ``id`` is a placeholder (``{acme}``) or None for any id; ``keys`` the exact
    key set (a name from ``Seed.keys`` such as ``company``, or a set); ``values`` must match."""

    id: str | None
    keys: str | frozenset[str] = ""
    values: dict[str, Any] = field(default_factory=dict)


def rec(id: str | None, keys: str | set[str] = "", **values: Any) -> Rec:
    return Rec(id, frozenset(keys) if isinstance(keys, set) else keys, values)


@dataclass
class Seed:
    client: Client
    ids: dict[str, str]
    keys: dict[str, frozenset[str]]  # a depth-0 record's keys, by object


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def match(actual: Any, expected: Any, seed: Seed, where: str = "body") -> None:
    """Assert ``actual`` is ``expected``: the same keys at every level, integers as integers."""
    if isinstance(expected, Anything):
        return
    if isinstance(expected, Rec):
        assert isinstance(actual, dict), f"{where}: expected a record, got {actual!r}"
        if expected.id is not None:
            assert actual.get("id") == fill(expected.id, seed.ids), f"{where}.id"
        keys = expected.keys or "plain"
        wanted = seed.keys[keys] if isinstance(keys, str) else keys
        assert set(actual) == wanted, f"{where}: keys {sorted(set(actual) ^ wanted)} differ"
        for key, value in expected.values.items():
            match(actual[key], value, seed, f"{where}.{key}")
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        assert list(actual) == list(expected), f"{where}: keys {list(actual)}"
        for key, value in expected.items():
            match(actual[key], value, seed, f"{where}.{key}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected an array, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items, {actual!r}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            match(got, want, seed, f"{where}[{index}]")
        return
    assert type(actual) is type(expected), f"{where}: {actual!r} is not a {type(expected)}"
    assert actual == fill(expected, seed.ids), f"{where}: {actual!r} != {expected!r}"


@pytest.fixture
def seed(client: Client) -> Seed:
    """Companies Acme (12 employees, acme.test), Acme again, Beta, and Gone (soft-deleted);
    people Ada and Alan at Acme, Grace at none."""

    def create(path: str, body: dict[str, Any], key: str) -> str:
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text
        return response.json()["data"][key]["id"]

    ids: dict[str, str] = {}
    for name, body in {
        "acme": {"name": "Acme", "employees": 12.0, "domainName": {"primaryLinkUrl": "acme.test"}},
        "acme2": {"name": "Acme"},
        "beta": {"name": "Beta", "employees": 3},
        "gone": {"name": "Gone"},
    }.items():
        ids[name] = create("/rest/companies", body, "createCompany")
    for name, company in (("ada", "acme"), ("alan", "acme"), ("grace", None)):
        body = {"name": {"firstName": name.title(), "lastName": "X"}}
        ids[name] = create(
            "/rest/people", {**body, "companyId": ids.get(company or "")}, "createPerson"
        )
    assert client.delete(f"/rest/companies/{ids['gone']}?soft_delete=true").status_code == 200

    company = client.get(f"/rest/companies/{ids['acme']}").json()["data"]["company"]
    person = client.get(f"/rest/people/{ids['ada']}").json()["data"]["person"]
    assert {"id", "name", "employees", "createdBy", "position", "deletedAt"} <= set(company)
    assert {"companyId"} <= set(person) and "company" not in person
    plain = frozenset(company)
    return Seed(
        client,
        ids,
        {
            "plain": plain,
            "company": plain | {"people", "opportunities", "attachments"},
            "person": frozenset(person),
            "person1": frozenset(person)
            | {"company", "pointOfContactForOpportunities", "attachments"},
        },
    )


@dataclass(frozen=True)
class Then:
    """A request made after the case's, and what it must answer."""

    method: str
    path: str
    params: dict[str, str] | None
    expect: Any


def case(
    operation: str | None,
    method: str,
    path: str,
    status: int,
    expect: Any,
    *,
    params: dict[str, str] | None = None,
    json: Any = MISSING,
    then: Then | None = None,
    id: str,
) -> Any:
    return pytest.param(operation, method, path, params, json, status, expect, then, id=id)


def error(message: str) -> dict[str, Any]:
    return {"statusCode": 400, "error": "BadRequestException", "messages": [message]}


def page(has_next: bool = False, empty: bool = False) -> dict[str, Any]:
    cursor = None if empty else ANY
    return {
        "hasNextPage": has_next,
        "hasPreviousPage": False,
        "startCursor": cursor,
        "endCursor": cursor,
    }


def listing(plural: str, records: list[Any], total: int, info: dict | None = None) -> dict:
    return {"data": {plural: records}, "totalCount": total, "pageInfo": info or page()}


LIVE = [rec("{acme}", employees=12), rec("{acme2}"), rec("{beta}", employees=3)]
ACME = "/rest/companies/{acme}"
ADA = rec("{ada}", "person")
ALAN = rec("{alan}", "person")
FIELDS_EXAMPLE = "Expected a comma-separated list of field names, e.g. fields=id,name"
NO_BULK_FILTER = "A non-empty filter is required for a bulk mutation"
BULK_DELETE = (
    "Filters are mandatory for bulk {} operations. Please provide at least one filter to "
    "prevent accidental deletion of all records."
)
NAMED_ACME = {"filter": "name[eq]:Acme"}
EVERY_COMPANY = {"filter": "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"}

CASES = [
    # find many: limit, depth, fields
    case(
        "findManyCompanies", "GET", "/rest/companies", 200, listing("companies", LIVE, 3), id="list"
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing("companies", LIVE[:1], 3, page(has_next=True)),
        params={"limit": "1"},
        id="limit-1",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing("companies", [], 3, page(has_next=True, empty=True)),
        params={"limit": "0"},
        id="limit-0",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing("companies", LIVE, 3),
        params={"limit": "5000"},
        id="limit-above-max-is-capped",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing("companies", LIVE, 3),
        params={"limit": ""},
        id="limit-empty-is-default",
    ),
    *(
        case(
            "findManyCompanies",
            "GET",
            "/rest/companies",
            400,
            error(f"limit '{raw}' is invalid. Should be an integer, 0 or more"),
            params={"limit": raw},
            id=f"limit-{label}",
        )
        for raw, label in (
            ("abc", "text"),
            ("-1", "negative"),
            ("2.5", "fraction"),
            ("²", "superscript"),
        )
    ),
    case(
        "findManyPeople",
        "GET",
        "/rest/people",
        200,
        listing(
            "people",
            [
                rec("{ada}", "person1", company=rec("{acme}"), pointOfContactForOpportunities=[]),
                rec("{alan}", "person1", company=rec("{acme}")),
                rec("{grace}", "person1", company=None),
            ],
            3,
        ),
        params={"depth": "1"},
        id="depth-1-many-to-one",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing(
            "companies",
            [
                rec("{acme}", "company", people=[ADA, ALAN], opportunities=[]),
                rec("{acme2}", "company", people=[]),
                rec("{beta}", "company", people=[]),
            ],
            3,
        ),
        params={"depth": "1"},
        id="depth-1-one-to-many",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing("companies", LIVE, 3),
        params={"depth": "0"},
        id="depth-0",
    ),
    *(
        case(
            "findManyCompanies",
            "GET",
            "/rest/companies",
            400,
            error(f"'depth={raw}' parameter invalid. Allowed values are 0, 1"),
            params={"depth": raw},
            id=f"depth-{raw}",
        )
        for raw in ("2", "-1", "one")
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing(
            "companies",
            [
                rec("{acme}", {"id", "name", "employees"}, name="Acme", employees=12),
                rec("{acme2}", {"id", "name", "employees"}, name="Acme", employees=None),
                rec("{beta}", {"id", "name", "employees"}, name="Beta", employees=3),
            ],
            3,
        ),
        params={"fields": "name, employees,name"},
        id="fields",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        200,
        listing(
            "companies",
            [
                rec("{acme}", {"id", "domainName", "people"}, people=[ADA, ALAN]),
                rec("{acme2}", {"id", "domainName", "people"}, people=[]),
                rec("{beta}", {"id", "domainName", "people"}, people=[]),
            ],
            3,
        ),
        params={"fields": "domainName,people", "depth": "1"},
        id="fields-composite-and-relation-at-depth-1",
    ),
    case(
        "findManyPeople",
        "GET",
        "/rest/people",
        200,
        listing(
            "people",
            [
                rec("{ada}", {"id", "companyId"}, companyId="{acme}"),
                rec("{alan}", {"id", "companyId"}),
                rec("{grace}", {"id", "companyId"}, companyId=None),
            ],
            3,
        ),
        params={"fields": "company"},
        id="fields-relation-at-depth-0-is-its-id",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        400,
        error("'fields' parameter invalid. Unknown or unreadable fields on 'company': foo, bar"),
        params={"fields": "name,foo,bar"},
        id="fields-unknown",
    ),
    case(
        "findManyCompanies",
        "GET",
        "/rest/companies",
        400,
        error(f"'fields' parameter is empty. {FIELDS_EXAMPLE}"),
        params={"fields": " , "},
        id="fields-empty",
    ),
    case(
        None,
        "GET",
        "/rest/company",
        400,
        error("object 'company' not found. Did you mean 'companies'?"),
        id="singular-name",
    ),
    # find one
    case("findOneCompany", "GET", ACME, 200, {"data": {"company": rec("{acme}")}}, id="find-one"),
    case(
        "findOneCompany",
        "GET",
        ACME,
        200,
        {"data": {"company": rec("{acme}", {"id", "name", "people"}, people=[ADA, ALAN])}},
        params={"depth": "1", "fields": "name,people"},
        id="find-one-depth-fields",
    ),
    case(
        "findOneCompany",
        "GET",
        ACME,
        400,
        error("'depth=2' parameter invalid. Allowed values are 0, 1"),
        params={"depth": "2"},
        id="find-one-depth-2",
    ),
    # create one and many, upsert
    case(
        "createOneCompany",
        "POST",
        "/rest/companies",
        201,
        {"data": {"createCompany": rec(None, name="Delta", employees=7)}},
        json={"name": "Delta", "employees": 7.0},
        id="create-one",
    ),
    case(
        "createOneCompany",
        "POST",
        "/rest/companies",
        201,
        {"data": {"createCompany": rec(None, {"id", "name", "people"}, people=[])}},
        params={"depth": "1", "fields": "name,people"},
        json={"name": "Delta"},
        id="create-one-depth-fields",
    ),
    case(
        "createOneCompany",
        "POST",
        "/rest/companies",
        201,
        {"data": {"createCompany": rec("{acme}", name="Acme Corp", employees=12)}},
        params={"upsert": "true"},
        json={"id": "{acme}", "name": "Acme Corp"},
        then=Then("GET", "/rest/companies", None, listing("companies", LIVE, 3)),
        id="upsert-by-id",
    ),
    case(
        "createOneCompany",
        "POST",
        "/rest/companies",
        201,
        {"data": {"createCompany": rec("{acme}", name="Acme", employees=50)}},
        params={"upsert": "true"},
        json={"domainName": {"primaryLinkUrl": "acme.test"}, "employees": 50},
        id="upsert-by-unique-field",
    ),
    case(
        "createOneCompany",
        "POST",
        "/rest/companies",
        400,
        error("id: a record with this id already exists"),
        params={"upsert": "false"},
        json={"id": "{acme}", "name": "Acme Corp"},
        id="create-existing-id-without-upsert",
    ),
    case(
        "createOneCompany",
        "POST",
        "/rest/companies",
        400,
        error("'upsert' parameter invalid. Expected true or false, got 'yes'"),
        params={"upsert": "yes"},
        json={"name": "Delta"},
        id="upsert-not-boolean",
    ),
    case(
        "createManyCompanies",
        "POST",
        "/rest/batch/companies",
        201,
        {"data": {"createCompanies": [rec(None, name="X"), rec("{beta}", name="Beta 2")]}},
        params={"upsert": "true"},
        json=[{"name": "X"}, {"id": "{beta}", "name": "Beta 2"}],
        id="create-many-upsert",
    ),
    case(
        "createManyCompanies",
        "POST",
        "/rest/batch/companies",
        201,
        {"data": {"createCompanies": [rec(None, {"id", "name"}, name="X")]}},
        params={"fields": "name"},
        json=[{"name": "X"}],
        id="create-many-fields",
    ),
    # update one and many (PUT is PATCH)
    *(
        case(
            f"UpdateOneCompany{suffix}",
            method,
            ACME,
            200,
            {"data": {"updateCompany": rec("{acme}", employees=9)}},
            json={"employees": 9},
            id=f"update-one-{method.lower()}",
        )
        for method, suffix in (("PATCH", ""), ("PUT", "ViaPut"))
    ),
    *(
        case(
            f"updateManyCompanies{suffix}",
            method,
            "/rest/companies",
            200,
            {
                "data": {
                    "updateCompanies": [
                        rec("{acme}", {"id", "employees"}, employees=5),
                        rec("{acme2}", {"id", "employees"}, employees=5),
                    ]
                }
            },
            params={**NAMED_ACME, "fields": "employees"},
            json={"employees": 5},
            id=f"update-many-{method.lower()}",
        )
        for method, suffix in (("PATCH", ""), ("PUT", "ViaPut"))
    ),
    case(
        "updateManyCompanies",
        "PATCH",
        "/rest/companies",
        400,
        error(NO_BULK_FILTER),
        json={"employees": 5},
        id="update-many-without-filter",
    ),
    # delete one and many: destroy by default, soft with soft_delete=true
    case(
        "deleteOneCompany",
        "DELETE",
        "/rest/companies/{beta}",
        200,
        {"data": {"deleteCompany": {"id": "{beta}"}}},
        then=Then(
            "GET",
            "/rest/companies",
            EVERY_COMPANY,
            listing("companies", [*LIVE[:2], rec("{gone}")], 3),
        ),
        id="delete-one-destroys",
    ),
    case(
        "deleteManyCompanies",
        "DELETE",
        "/rest/companies",
        200,
        {"data": {"deleteCompanies": [{"id": "{acme}"}, {"id": "{acme2}"}]}},
        params=NAMED_ACME,
        then=Then(
            "GET",
            "/rest/companies",
            EVERY_COMPANY,
            listing("companies", [rec("{beta}"), rec("{gone}")], 2),
        ),
        id="delete-many-destroys",
    ),
    case(
        "deleteManyCompanies",
        "DELETE",
        "/rest/companies",
        200,
        {"data": {"deleteCompanies": [{"id": "{acme}"}, {"id": "{acme2}"}]}},
        params={**NAMED_ACME, "soft_delete": "true"},
        then=Then(
            "GET",
            "/rest/companies",
            {"filter": "deletedAt[is]:NOT_NULL"},
            listing("companies", [rec("{acme}"), rec("{acme2}"), rec("{gone}")], 3),
        ),
        id="delete-many-soft",
    ),
    *(
        case(
            "deleteManyCompanies",
            "DELETE",
            "/rest/companies",
            400,
            error(BULK_DELETE.format(action)),
            params=params,
            id=f"delete-many-without-filter-{action}",
        )
        for action, params in (("destroy", None), ("delete", {"soft_delete": "true"}))
    ),
    case(
        "deleteManyCompanies",
        "DELETE",
        "/rest/companies",
        400,
        error("'soft_delete' parameter invalid. Expected true or false, got 'yes'"),
        params={**NAMED_ACME, "soft_delete": "yes"},
        id="soft-delete-not-boolean",
    ),
    case(
        "deleteOneCompany",
        "DELETE",
        "/rest/companies/{acme}",
        400,
        error("'soft_delete' parameter invalid. Expected true or false, got ''"),
        params={"soft_delete": ""},
        id="soft-delete-empty",
    ),
    # restore one and many
    *(
        case(
            f"restoreManyCompanies{suffix}",
            method,
            "/rest/restore/companies",
            200,
            {"data": {"restoreCompanies": [rec("{gone}", name="Gone", deletedAt=None)]}},
            params={"filter": "name[eq]:Gone"},
            then=Then(
                "GET", "/rest/companies", None, listing("companies", [*LIVE, rec("{gone}")], 4)
            ),
            id=f"restore-many-{method.lower()}",
        )
        for method, suffix in (("PATCH", ""), ("PUT", "ViaPut"))
    ),
    case(
        "restoreManyCompanies",
        "PATCH",
        "/rest/restore/companies",
        400,
        error(NO_BULK_FILTER),
        id="restore-many-without-filter",
    ),
    *(
        case(
            f"restoreOneCompany{suffix}",
            method,
            "/rest/restore/companies/{gone}",
            200,
            {"data": {"restoreCompany": rec("{gone}", {"id", "deletedAt"}, deletedAt=None)}},
            params={"fields": "deletedAt"},
            id=f"restore-one-{method.lower()}",
        )
        for method, suffix in (("PATCH", ""), ("PUT", "ViaPut"))
    ),
    # duplicates
    case(
        "findCompanyDuplicates",
        "POST",
        "/rest/companies/duplicates",
        200,
        {
            "data": [
                {"companyDuplicates": [rec("{acme2}")], "totalCount": 1, "pageInfo": page()},
                {"companyDuplicates": [], "totalCount": 0, "pageInfo": page(empty=True)},
            ]
        },
        json={"ids": ["{acme}", "{beta}"]},
        id="duplicates-by-ids",
    ),
    case(
        "findCompanyDuplicates",
        "POST",
        "/rest/companies/duplicates",
        200,
        {
            "data": [
                {
                    "companyDuplicates": [rec("{beta}", "company", people=[])],
                    "totalCount": 1,
                    "pageInfo": page(),
                }
            ]
        },
        params={"depth": "1"},
        json={"data": [{"name": "Beta"}]},
        id="duplicates-by-data-depth-1",
    ),
    case(
        "findCompanyDuplicates",
        "POST",
        "/rest/companies/duplicates",
        400,
        error("ids, data: pass either ids or data, not both and not neither"),
        json={},
        id="duplicates-neither",
    ),
    case(
        "findCompanyDuplicates",
        "POST",
        "/rest/companies/duplicates",
        400,
        error("ids: expected an array, got string '{acme}'"),
        json={"ids": "{acme}"},
        id="duplicates-ids-not-array",
    ),
    # groupBy (its own module): a bare array, as Twenty's handler sends it
    case(
        "groupByCompanies",
        "GET",
        "/rest/companies/groupBy",
        200,
        [
            {"countNotEmptyId": 2, "groupByDimensionValues": ["Acme"], "records": ANY},
            {"countNotEmptyId": 1, "groupByDimensionValues": ["Beta"], "records": [rec("{beta}")]},
        ],
        params={
            "group_by": '[{"name": true}]',
            "aggregate": '["countNotEmptyId"]',
            "order_by": '[{"name": "AscNullsFirst"}]',
            "include_records_sample": "true",
        },
        id="group-by",
    ),
    # merge: the key is mergeCompany (the handler's), one record
    case(
        "mergeManyCompanies",
        "PATCH",
        "/rest/companies/merge",
        200,
        {"data": {"mergeCompany": rec(None, name="Acme", employees=12)}},
        json={"ids": ["{acme}", "{acme2}"], "conflictPriorityIndex": 0, "dryRun": True},
        then=Then("GET", "/rest/companies", None, listing("companies", LIVE, 3)),
        id="merge-dry-run",
    ),
    *(
        case(
            f"mergeManyCompanies{suffix}",
            method,
            "/rest/companies/merge",
            200,
            {"data": {"mergeCompany": rec("{acme2}", "company", employees=12, people=[ADA, ALAN])}},
            params={"depth": "1"},
            json={"ids": ["{acme}", "{acme2}"], "conflictPriorityIndex": 1, "dryRun": False},
            then=Then("GET", "/rest/companies", None, listing("companies", LIVE[1:], 2)),
            id=f"merge-{method.lower()}",
        )
        for method, suffix in (("PATCH", ""), ("PUT", "ViaPut"))
    ),
    case(
        "mergeManyCompanies",
        "PATCH",
        "/rest/companies/merge",
        400,
        error("conflictPriorityIndex: expected an integer index into ids, got None"),
        json={"ids": ["{acme}", "{acme2}"]},
        id="merge-without-priority",
    ),
    case(
        "mergeManyCompanies",
        "PATCH",
        "/rest/companies/merge",
        400,
        error("dryRun: expected true or false, got 'yes'"),
        json={"ids": ["{acme}", "{acme2}"], "conflictPriorityIndex": 0, "dryRun": "yes"},
        id="merge-dry-run-not-boolean",
    ),
]


def send(seed: Seed, method: str, path: str, params: Any, body: Any = MISSING) -> Any:
    kwargs: dict[str, Any] = {"params": fill(params, seed.ids)}
    if body is not MISSING:
        kwargs["json"] = fill(body, seed.ids)
    return seed.client.request(method, fill(path, seed.ids), **kwargs)


def snapshot(seed: Seed) -> list[Any]:
    """Every company and person, soft-deleted ones included."""
    return [
        send(seed, "GET", f"/rest/{plural}", {**EVERY_COMPANY, "limit": "200"}).json()
        for plural in ("companies", "people")
    ]


@pytest.mark.parametrize(
    ("operation", "method", "path", "params", "body", "status", "expect", "then"), CASES
)
def test_rest_route(
    seed: Seed,
    operation: str,
    method: str,
    path: str,
    params: dict[str, str] | None,
    body: Any,
    status: int,
    expect: Any,
    then: Then | None,
) -> None:
    refused_write = method != "GET" and status >= 400
    before = snapshot(seed) if refused_write else None
    response = send(seed, method, path, params, body)
    assert response.status_code == status, response.text
    match(response.json(), expect, seed)
    if operation is not None:
        assert_documented(seed, method, path, status, response.json())
    if refused_write:
        assert snapshot(seed) == before, "a refused write changed records"
    if then is not None:
        after = send(seed, then.method, then.path, then.params)
        assert after.status_code == 200, after.text
        match(after.json(), then.expect, seed, "then")


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    template = re.sub(r"/\{\w+\}", "/{id}", path)
    assert template in document["paths"], f"{template} is not in the document"
    item = document["paths"][template]
    assert method.lower() in item, f"{method} {template} is not in the document"
    return item[method.lower()]


def _parameter_names(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    names = set()
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        names.add(parameter["name"])
    return names


def assert_documented(seed: Seed, method: str, path: str, status: int, body: Any) -> None:
    """``body`` meets the schema the OpenAPI document gives for this answer."""
    document = seed.client.get("/open-api/core").json()
    response = _operation(document, method, path)["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    # The schema's "#/components/..." references resolve against this root.
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors[:5]


def test_openapi_lists_every_operation_of_the_table(client: Client) -> None:
    """Each route, parameter and success status of the table (but a wrong object name) is in
    the document, under Twenty's operation id; groupBy lists all its parameters."""
    document = client.get("/open-api/core").json()
    for parameters in CASES:
        operation_id, method, path, params, body, status, *_ = parameters.values
        if operation_id is None:
            continue
        operation = _operation(document, method, path)
        assert operation["operationId"] == operation_id, (method, path)
        assert set(params or {}) <= _parameter_names(document, operation), (method, path)
        assert (body is not MISSING) == ("requestBody" in operation), (method, path)
        if status < 400:
            assert str(status) in operation["responses"], (method, path, status)
    group_by = _operation(document, "GET", "/rest/companies/groupBy")
    assert _parameter_names(document, group_by) == {
        "group_by",
        "aggregate",
        "filter",
        "order_by",
        "order_by_for_records",
        "include_records_sample",
        "limit",
        "view_id",
    }
    filters = [
        parameter
        for item in document["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter.get("name") == "filter"
    ] + [p for p in document["components"]["parameters"].values() if p["name"] == "filter"]
    assert filters and not any("example" in p or "examples" in p for p in filters)


def test_depth_1_embeds_at_most_60_related_records_each_first_by_position(client: Client) -> None:
    """Twenty's QUERY_MAX_RECORDS_FROM_RELATION: 60 per relation and record. A record whose
    related records come late in position still gets them all when a neighbour has many."""
    few, many = (
        client.post("/rest/companies", json={"name": name}).json()["data"]["createCompany"]["id"]
        for name in ("Few", "Many")
    )
    crowd = [{"companyId": many, "position": i} for i in range(120)]
    created = client.post("/rest/batch/people", json=[*crowd, {"companyId": few, "position": 500}])
    assert created.status_code == 201, created.text
    people = [p["id"] for p in created.json()["data"]["createPeople"]]

    response = client.get("/rest/companies", params={"depth": "1", "fields": "name,people"})
    assert response.status_code == 200, response.text
    companies = {c["name"]: c for c in response.json()["data"]["companies"]}
    assert [p["id"] for p in companies["Few"]["people"]] == people[120:]
    assert [p["id"] for p in companies["Many"]["people"]] == people[:60]
