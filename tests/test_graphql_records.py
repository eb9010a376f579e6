"""Records over GraphQL (``/graphql``): Twenty's documents, connections, filters, mutations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from conftest import APP_SECRET, Client, Server, new_workspace
from graphql_support import create_field, gql, metadata_object_id, ok
from hookwire.database import transaction
from hookwire.identity import issue_api_key, revoke_api_key

# helpers


def error_of(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict:
    """The single error of a document that must fail."""
    body = gql(client, "/graphql", query, variables)
    assert len(body.get("errors", [])) == 1, body
    return body["errors"][0]


class Enum(str):
    """A GraphQL enum value: bare in the query text, a plain string in variables."""


def inline(value: Any) -> str:
    """A Python value as a GraphQL literal (what Twenty's Zapier connector sends)."""
    if isinstance(value, Enum):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(inline(item) for item in value) + "]"
    return "{" + ", ".join(f"{key}: {inline(item)}" for key, item in value.items()) + "}"


def person_count(client: Client) -> int:
    return ok(client, "{ people { totalCount } }")["people"]["totalCount"]


def full_name(node: dict[str, Any]) -> str:
    return f"{node['name']['firstName']} {node['name']['lastName']}"


COMPANY_FIELDS = """
    id createdAt updatedAt deletedAt position name employees idealCustomerProfile
    domainName { primaryLinkUrl primaryLinkLabel secondaryLinks }
    linkedinLink { primaryLinkUrl primaryLinkLabel secondaryLinks }
    address {
        addressStreet1 addressStreet2 addressCity addressState addressCountry
        addressPostcode addressLat addressLng
    }
    annualRecurringRevenue { amountMicros currencyCode }
    createdBy { source workspaceMemberId name context }
    updatedBy { source workspaceMemberId name context }
"""
PERSON_FIELDS = """
    id createdAt updatedAt deletedAt position jobTitle city companyId
    name { firstName lastName }
    emails { primaryEmail additionalEmails }
    phones {
        primaryPhoneNumber primaryPhoneCountryCode primaryPhoneCallingCode additionalPhones
    }
    linkedinLink { primaryLinkUrl primaryLinkLabel secondaryLinks }
    createdBy { source workspaceMemberId name context }
    updatedBy { source workspaceMemberId name context }
"""


# currentWorkspace and Twenty's Zapier documents


@pytest.fixture
def named_client(server: Server) -> Client:
    name = f"Acme Workspace {uuid.uuid4().hex[:8]}"
    workspace_id, token = new_workspace(server.database, name)
    named = Client(server.base_url, token, workspace_id)
    named.display_name = name  # type: ignore[attr-defined]
    return named


@pytest.mark.parametrize("path", ["/metadata", "/graphql"])
def test_current_workspace_on_both_endpoints(named_client: Client, path: str) -> None:
    body = gql(named_client, path, "query currentWorkspace {currentWorkspace {id displayName}}")
    assert body == {
        "data": {
            "currentWorkspace": {
                "id": named_client.workspace_id,
                "displayName": named_client.display_name,  # type: ignore[attr-defined]
            }
        }
    }


def test_create_company_with_zapier_document_then_read_it(client: Client) -> None:
    body = gql(
        client,
        "/graphql",
        'mutation createCompany {createCompany(data:{name: "Acme", '
        'address: {addressCity: "Paris"}}) {id}}',
    )
    assert "errors" not in body, body
    company_id = body["data"]["createCompany"]["id"]
    assert str(uuid.UUID(company_id)) == company_id

    one = ok(
        client,
        f'query {{ company(filter: {{id: {{eq: "{company_id}"}}}}) '
        "{ id name address { addressCity addressStreet1 addressLat } } }",
    )
    assert one == {
        "company": {
            "id": company_id,
            "name": "Acme",
            "address": {"addressCity": "Paris", "addressStreet1": "", "addressLat": None},
        }
    }
    listed = ok(client, "query { companies { edges { node { id } } } }")
    assert listed == {"companies": {"edges": [{"node": {"id": company_id}}]}}


def test_company_filter_matching_nothing_is_not_found(client: Client) -> None:
    """As Twenty: findOne with no match is a NOT_FOUND error, its field null."""
    missing = str(uuid.uuid4())
    body = gql(client, "/graphql", f'{{ company(filter: {{id: {{eq: "{missing}"}}}}) {{ id }} }}')
    assert body["data"] == {"company": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["path"] == ["company"]


# GraphQL and REST agree on every field


def test_record_created_over_graphql_reads_back_identically_over_rest(client: Client) -> None:
    data = {
        "name": "Curie Labs",
        "employees": 40,
        "idealCustomerProfile": True,
        "domainName": {
            "primaryLinkUrl": "https://curie.example",
            "primaryLinkLabel": "Site",
            "secondaryLinks": [{"url": "https://blog.curie.example", "label": "Blog"}],
        },
        "address": {
            "addressStreet1": "1 rue Pierre et Marie Curie",
            "addressCity": "Paris",
            "addressCountry": "France",
            "addressPostcode": "75005",
            "addressLat": 48.8443,
            "addressLng": 2.3443,
        },
        "annualRecurringRevenue": {"amountMicros": 12_500_000_000, "currencyCode": "EUR"},
    }
    created = ok(
        client,
        f"mutation Create($data: CompanyCreateInput!) {{ createCompany(data: $data) "
        f"{{ {COMPANY_FIELDS} }} }}",
        {"data": data},
    )["createCompany"]
    response = client.get(f"/rest/companies/{created['id']}")
    assert response.status_code == 200, response.text
    over_rest = response.json()["data"]["company"]
    assert over_rest == created
    read_back = ok(
        client,
        f"query One($id: UUID!) {{ company(filter: {{id: {{eq: $id}}}}) {{ {COMPANY_FIELDS} }} }}",
        {"id": created["id"]},
    )["company"]
    assert read_back == over_rest
    assert set(over_rest) == set(created)
    assert over_rest["annualRecurringRevenue"] == {
        "amountMicros": 12_500_000_000,
        "currencyCode": "EUR",
    }
    assert over_rest["address"]["addressState"] == ""
    assert over_rest["linkedinLink"] == {
        "primaryLinkUrl": "",
        "primaryLinkLabel": "",
        "secondaryLinks": None,
    }


def test_record_created_over_rest_reads_back_identically_over_graphql(client: Client) -> None:
    company = client.post("/rest/companies", json={"name": "Analytical Engines"})
    assert company.status_code == 201, company.text
    company_id = company.json()["data"]["createCompany"]["id"]
    response = client.post(
        "/rest/people",
        json={
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.example"]},
            "phones": {"primaryPhoneNumber": "555 0100", "primaryPhoneCallingCode": "+44"},
            "jobTitle": "Mathematician",
            "city": "London",
            "companyId": company_id,
        },
    )
    assert response.status_code == 201, response.text
    over_rest = response.json()["data"]["createPerson"]
    over_graphql = ok(
        client,
        f"query One($id: UUID!) {{ person(filter: {{id: {{eq: $id}}}}) {{ {PERSON_FIELDS} }} }}",
        {"id": over_rest["id"]},
    )["person"]
    assert over_graphql == over_rest
    assert set(over_graphql) == set(over_rest)
    assert client.get(f"/rest/people/{over_rest['id']}").json()["data"]["person"] == over_graphql


# pagination


@pytest.fixture
def twenty_three_people(client: Client) -> list[str]:
    people = [
        {"name": {"firstName": f"P{i:02d}", "lastName": f"L{(i * 7) % 23:02d}"}} for i in range(23)
    ]
    created = ok(
        client,
        "mutation Many($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {"data": people},
    )["createPeople"]
    return [person["id"] for person in created]


PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String,
           $orderBy: [PersonOrderByInput!]) {
  people(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { node { id name { firstName lastName } } cursor }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""


def test_first_after_visits_every_record_once(
    client: Client, twenty_three_people: list[str]
) -> None:
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        page = ok(client, PAGE, {"first": 5, "after": after})["people"]
        pages.append(page)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["totalCount"] == 23
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == twenty_three_people  # creation order, each record exactly once
    assert [len(page["edges"]) for page in pages] == [5, 5, 5, 5, 3]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [
        False,
        True,
        True,
        True,
        True,
    ]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, True, True, False]


def test_last_before_walks_backwards(client: Client, twenty_three_people: list[str]) -> None:
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    before = None
    while True:
        page = ok(client, PAGE, {"last": 5, "before": before})["people"]
        pages.append(page)
        seen = [edge["node"]["id"] for edge in page["edges"]] + seen
        assert page["totalCount"] == 23
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == twenty_three_people
    assert [len(page["edges"]) for page in pages] == [5, 5, 5, 5, 3]
    # Every page keeps forward order inside it.
    assert [e["node"]["id"] for e in pages[0]["edges"]] == twenty_three_people[-5:]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [False, True, True, True, True]


def test_pagination_over_composite_order_visits_every_record_once(
    client: Client, twenty_three_people: list[str]
) -> None:
    order = [{"name": {"lastName": "DescNullsLast"}}]
    names: list[str] = []
    after = None
    while True:
        page = ok(client, PAGE, {"first": 4, "after": after, "orderBy": order})["people"]
        names += [edge["node"]["name"]["lastName"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == [f"L{i:02d}" for i in range(22, -1, -1)]


def test_first_out_of_range_is_refused(client: Client) -> None:
    for first in (0, 201):
        error = error_of(client, f"{{ people(first: {first}) {{ totalCount }} }}")
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"] == f"first: expected 1 to 200, got {first}"


def test_conflicting_paging_arguments_are_refused(
    client: Client, twenty_three_people: list[str]
) -> None:
    cursor = ok(client, "{ people(first: 5) { pageInfo { endCursor } } }")["people"]["pageInfo"][
        "endCursor"
    ]
    cases = [
        ({"first": 3, "last": 3}, "pass either first or last, not both"),
        ({"after": cursor, "before": cursor}, "pass either after or before, not both"),
        ({"last": 3, "after": cursor},
         "last: pass first with after (last pages backward, with before)"),
        ({"first": 3, "before": cursor},
         "first: pass last with before (first pages forward, with after)"),
    ]  # fmt: skip
    for variables, message in cases:
        error = error_of(client, PAGE, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"] == message
    # before alone pages backward with the default page size
    page = ok(client, PAGE, {"before": cursor})["people"]
    assert [edge["node"]["id"] for edge in page["edges"]] == twenty_three_people[:4]
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["hasNextPage"] is True


def test_a_variable_with_a_bad_value_is_the_users_input(client: Client) -> None:
    query = "query Person($id: UUID!) { person(filter: {id: {eq: $id}}) { id } }"
    error = error_of(client, query, {"id": "not-there"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "Variable '$id' has invalid value: expected a UUID, got 'not-there'"


def test_cursor_from_nowhere_is_refused(client: Client) -> None:
    error = error_of(client, '{ people(first: 5, after: "not-a-cursor") { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Invalid cursor 'not-a-cursor'")


# filters and ordering: every comparator, inline and as variables


@pytest.fixture(scope="module")
def crm(server: Server) -> Iterator[Client]:
    """One workspace with companies, people (with a MULTI_SELECT ``tags``), opportunities."""
    workspace_id, token = new_workspace(server.database)
    crm = Client(server.base_url, token, workspace_id)
    create_field(
        crm,
        "person",
        name="tags",
        label="Tags",
        type="MULTI_SELECT",
        options=[
            {"value": "VIP", "label": "VIP"},
            {"value": "PARTNER", "label": "Partner"},
            {"value": "LEAD", "label": "Lead"},
        ],
    )
    companies = ok(
        crm,
        "mutation C($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id name } }",
        {
            "data": [
                {"name": "Acme", "employees": 10, "idealCustomerProfile": True,
                 "address": {"addressCity": "Paris"}},
                {"name": "ACME Labs", "employees": 250, "address": {"addressCity": "London"}},
                {"name": "Globex", "address": {"addressCity": "Paris"}},
                {"name": "Initech", "employees": 50},
                {"name": "Umbrella Corp", "employees": 5000},
            ]
        },
    )["createCompanies"]  # fmt: skip
    company_ids = {company["name"]: company["id"] for company in companies}
    ok(
        crm,
        "mutation P($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {
            "data": [
                {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "jobTitle": "Mathematician",
                 "city": "London", "tags": ["VIP", "PARTNER"], "companyId": company_ids["Acme"]},
                {"name": {"firstName": "Ada", "lastName": "Byron"}, "jobTitle": "Poet",
                 "city": "London", "tags": ["LEAD"]},
                {"name": {"firstName": "Alan", "lastName": "Turing"}, "jobTitle": "Mathematician",
                 "city": "Manchester", "tags": ["LEAD"]},
                {"name": {"firstName": "Grace", "lastName": "Hopper"},
                 "jobTitle": "Rear Admiral", "city": "Arlington"},
                {"name": {"firstName": "Charles", "lastName": "Babbage"},
                 "jobTitle": "Engineer", "city": "London", "tags": ["PARTNER"]},
            ]
        },
    )  # fmt: skip
    ok(
        crm,
        "mutation O($data: [OpportunityCreateInput!]!) { createOpportunities(data: $data) { id } }",
        {
            "data": [
                {"name": "Deal A", "closeDate": "2024-01-15T10:00:00Z", "stage": "NEW",
                 "amount": {"amountMicros": 500_000_000, "currencyCode": "USD"}},
                {"name": "Deal B", "closeDate": "2024-03-01T00:00:00.000Z", "stage": "MEETING",
                 "amount": {"amountMicros": 2_000_000_000, "currencyCode": "USD"}},
                {"name": "Deal C", "closeDate": "2024-06-30T23:59:59Z", "stage": "CUSTOMER",
                 "amount": {"amountMicros": 9_000_000_000, "currencyCode": "EUR"}},
                {"name": "Deal D", "stage": "PROPOSAL"},
            ]
        },
    )  # fmt: skip
    crm.company_ids = company_ids  # type: ignore[attr-defined]
    yield crm


NULL, NOT_NULL = Enum("NULL"), Enum("NOT_NULL")
ALL_COMPANIES = ["ACME Labs", "Acme", "Globex", "Initech", "Umbrella Corp"]
ALL_PEOPLE = ["Ada Byron", "Ada Lovelace", "Alan Turing", "Charles Babbage", "Grace Hopper"]

FILTER_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    # eq / neq / in
    ("companies", {"name": {"eq": "Acme"}}, ["Acme"]),
    ("companies", {"name": {"neq": "Acme"}}, ["ACME Labs", "Globex", "Initech", "Umbrella Corp"]),
    ("companies", {"name": {"in": ["Acme", "Globex", "Nobody"]}}, ["Acme", "Globex"]),
    ("companies", {"idealCustomerProfile": {"eq": True}}, ["Acme"]),
    # is NULL / NOT_NULL
    ("companies", {"employees": {"is": NULL}}, ["Globex"]),
    ("companies", {"employees": {"is": NOT_NULL}},
     ["ACME Labs", "Acme", "Initech", "Umbrella Corp"]),
    # ranges on numbers
    ("companies", {"employees": {"gt": 50}}, ["ACME Labs", "Umbrella Corp"]),
    ("companies", {"employees": {"gte": 50}}, ["ACME Labs", "Initech", "Umbrella Corp"]),
    ("companies", {"employees": {"lt": 50}}, ["Acme"]),
    ("companies", {"employees": {"lte": 50}}, ["Acme", "Initech"]),
    ("companies", {"employees": {"gte": 10, "lte": 250}}, ["ACME Labs", "Acme", "Initech"]),
    ("companies", {"employees": {"eq": 5000}}, ["Umbrella Corp"]),
    # text patterns
    ("companies", {"name": {"like": "%cme%"}}, ["Acme"]),
    ("companies", {"name": {"like": "ACME%"}}, ["ACME Labs"]),
    ("companies", {"name": {"ilike": "%acme%"}}, ["ACME Labs", "Acme"]),
    ("companies", {"name": {"startsWith": "ACME"}}, ["ACME Labs"]),
    ("companies", {"name": {"startsWith": "Ac"}}, ["Acme"]),
    ("companies", {"name": {"endsWith": "Corp"}}, ["Umbrella Corp"]),
    ("companies", {"name": {"endsWith": "e"}}, ["Acme"]),
    # composite subfields
    ("companies", {"address": {"addressCity": {"eq": "Paris"}}}, ["Acme", "Globex"]),
    ("people", {"name": {"firstName": {"eq": "Ada"}}}, ["Ada Byron", "Ada Lovelace"]),
    ("people", {"name": {"lastName": {"in": ["Turing", "Hopper"]}}},
     ["Alan Turing", "Grace Hopper"]),
    # and / or / not, nested
    ("companies", {"or": [{"name": {"eq": "Acme"}}, {"employees": {"gt": 1000}}]},
     ["Acme", "Umbrella Corp"]),
    ("companies", {"and": [{"address": {"addressCity": {"eq": "Paris"}}},
                           {"not": {"name": {"eq": "Acme"}}}]}, ["Globex"]),
    ("companies", {"not": {"or": [{"employees": {"is": NULL}}, {"employees": {"gte": 250}}]}},
     ["Acme", "Initech"]),
    ("people", {"jobTitle": {"eq": "Mathematician"}, "city": {"eq": "London"}}, ["Ada Lovelace"]),
    ("people", {"or": [{"and": [{"city": {"eq": "London"}},
                                {"tags": {"containsAny": [Enum("LEAD")]}}]},
                       {"name": {"lastName": {"startsWith": "Hop"}}}]},
     ["Ada Byron", "Grace Hopper"]),
    # containsAny on a custom MULTI_SELECT
    ("people", {"tags": {"containsAny": [Enum("PARTNER")]}}, ["Ada Lovelace", "Charles Babbage"]),
    ("people", {"tags": {"containsAny": [Enum("VIP"), Enum("LEAD")]}},
     ["Ada Byron", "Ada Lovelace", "Alan Turing"]),
    ("people", {"tags": {"is": NULL}}, ["Grace Hopper"]),
    # DateTime ranges (stored with milliseconds; compared as instants)
    ("opportunities", {"closeDate": {"gt": "2024-03-01T00:00:00Z"}}, ["Deal C"]),
    ("opportunities", {"closeDate": {"gte": "2024-03-01T00:00:00Z"}}, ["Deal B", "Deal C"]),
    ("opportunities", {"closeDate": {"lt": "2024-03-01T00:00:00.000Z"}}, ["Deal A"]),
    ("opportunities", {"closeDate": {"lte": "2024-03-01T00:00:00Z"}}, ["Deal A", "Deal B"]),
    ("opportunities", {"closeDate": {"eq": "2024-01-15T10:00:00.000Z"}}, ["Deal A"]),
    ("opportunities", {"closeDate": {"is": NULL}}, ["Deal D"]),
    ("opportunities", {"createdAt": {"gt": "2000-01-01T00:00:00Z"},
                       "updatedAt": {"lte": "2999-01-01T00:00:00Z"}},
     ["Deal A", "Deal B", "Deal C", "Deal D"]),
    ("opportunities", {"createdAt": {"lt": "2000-01-01T00:00:00Z"}}, []),
    # SELECT enums and CURRENCY subfields
    ("opportunities", {"stage": {"eq": Enum("MEETING")}}, ["Deal B"]),
    ("opportunities", {"stage": {"in": [Enum("NEW"), Enum("CUSTOMER")]}}, ["Deal A", "Deal C"]),
    ("opportunities", {"stage": {"neq": Enum("NEW")}}, ["Deal B", "Deal C", "Deal D"]),
    ("opportunities", {"amount": {"amountMicros": {"gte": 2_000_000_000}}}, ["Deal B", "Deal C"]),
    ("opportunities", {"amount": {"currencyCode": {"eq": "EUR"}}}, ["Deal C"]),
]  # fmt: skip

FILTER_TYPES = {
    "companies": "CompanyFilterInput",
    "people": "PersonFilterInput",
    "opportunities": "OpportunityFilterInput",
}
LABEL_SELECTION = {
    "companies": "name",
    "people": "name { firstName lastName }",
    "opportunities": "name",
}


def labels(plural: str, connection: dict[str, Any]) -> list[str]:
    nodes = [edge["node"] for edge in connection["edges"]]
    found = [full_name(node) if plural == "people" else node["name"] for node in nodes]
    assert connection["totalCount"] == len(found)
    return sorted(found)


@pytest.mark.parametrize(("plural", "where", "expected"), FILTER_CASES)
def test_filter_inline_and_as_variables(
    crm: Client, plural: str, where: dict[str, Any], expected: list[str]
) -> None:
    selection = f"{{ edges {{ node {{ {LABEL_SELECTION[plural]} }} }} totalCount }}"
    inline_doc = f"query {{ {plural}(first: 100, filter: {inline(where)}) {selection} }}"
    variables_doc = (
        f"query Filtered($filter: {FILTER_TYPES[plural]}) "
        f"{{ {plural}(first: 100, filter: $filter) {selection} }}"
    )
    by_text = labels(plural, ok(crm, inline_doc)[plural])
    by_variables = labels(plural, ok(crm, variables_doc, {"filter": where})[plural])
    assert by_text == sorted(expected)
    assert by_variables == sorted(expected)


def test_filter_by_relation_id(crm: Client) -> None:
    acme = crm.company_ids["Acme"]  # type: ignore[attr-defined]
    found = ok(
        crm,
        f'{{ people(filter: {{companyId: {{eq: "{acme}"}}}}) '
        "{ edges { node { name { firstName lastName } company { name } } } } }",
    )["people"]["edges"]
    assert [(full_name(e["node"]), e["node"]["company"]) for e in found] == [
        ("Ada Lovelace", {"name": "Acme"})
    ]
    nobody = ok(crm, "{ people(filter: {companyId: {is: NULL}}) { totalCount } }")
    assert nobody["people"]["totalCount"] == 4


ORDER_CASES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("people", [{"name": {"lastName": Enum("DescNullsLast")}}],
     ["Alan Turing", "Ada Lovelace", "Grace Hopper", "Ada Byron", "Charles Babbage"]),
    ("people", [{"name": {"firstName": Enum("AscNullsFirst")}},
                {"name": {"lastName": Enum("DescNullsLast")}}],
     ["Ada Lovelace", "Ada Byron", "Alan Turing", "Charles Babbage", "Grace Hopper"]),
    ("people", [{"city": Enum("AscNullsFirst")}, {"jobTitle": Enum("DescNullsFirst")}],
     ["Grace Hopper", "Ada Byron", "Ada Lovelace", "Charles Babbage", "Alan Turing"]),
    ("companies", [{"employees": Enum("AscNullsFirst")}],
     ["Globex", "Acme", "Initech", "ACME Labs", "Umbrella Corp"]),
    ("companies", [{"employees": Enum("AscNullsLast")}],
     ["Acme", "Initech", "ACME Labs", "Umbrella Corp", "Globex"]),
    ("companies", [{"employees": Enum("DescNullsFirst")}],
     ["Globex", "Umbrella Corp", "ACME Labs", "Initech", "Acme"]),
    ("companies", [{"employees": Enum("DescNullsLast")}],
     ["Umbrella Corp", "ACME Labs", "Initech", "Acme", "Globex"]),
    ("companies", [{"address": {"addressCity": Enum("AscNullsLast")}},
                   {"name": Enum("AscNullsLast")}],
     ["Initech", "Umbrella Corp", "ACME Labs", "Acme", "Globex"]),
    ("opportunities", [{"closeDate": Enum("DescNullsLast")}],
     ["Deal C", "Deal B", "Deal A", "Deal D"]),
    ("opportunities", [{"amount": {"amountMicros": Enum("AscNullsFirst")}}],
     ["Deal D", "Deal A", "Deal B", "Deal C"]),
]  # fmt: skip
ORDER_TYPES = {
    "companies": "CompanyOrderByInput",
    "people": "PersonOrderByInput",
    "opportunities": "OpportunityOrderByInput",
}


@pytest.mark.parametrize(("plural", "order", "expected"), ORDER_CASES)
def test_order_by_inline_and_as_variables(
    crm: Client, plural: str, order: list[dict[str, Any]], expected: list[str]
) -> None:
    selection = f"{{ edges {{ node {{ {LABEL_SELECTION[plural]} }} }} }}"
    inline_doc = f"query {{ {plural}(orderBy: {inline(order)}) {selection} }}"
    variables_doc = (
        f"query Ordered($orderBy: [{ORDER_TYPES[plural]}!]) "
        f"{{ {plural}(orderBy: $orderBy) {selection} }}"
    )

    def names(data: dict[str, Any]) -> list[str]:
        nodes = [edge["node"] for edge in data[plural]["edges"]]
        return [full_name(n) if plural == "people" else n["name"] for n in nodes]

    assert names(ok(crm, inline_doc)) == expected
    assert names(ok(crm, variables_doc, {"orderBy": order})) == expected


def test_twenty_order_by_document(crm: Client) -> None:
    data = ok(
        crm,
        "query { people(orderBy: [{name: {lastName: DescNullsLast}}]) "
        "{ edges { node { name { lastName } } } } }",
    )
    assert [e["node"]["name"]["lastName"] for e in data["people"]["edges"]] == [
        "Turing",
        "Lovelace",
        "Hopper",
        "Byron",
        "Babbage",
    ]


def test_filter_on_unknown_comparator_or_field_is_refused(crm: Client) -> None:
    error = error_of(crm, '{ people(filter: {name: {firstName: {contains: "A"}}}) { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "contains" in error["message"]
    error = error_of(crm, '{ people(filter: {nickname: {eq: "A"}}) { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "nickname" in error["message"]


# mutations


def test_create_update_delete_restore_destroy_person(client: Client) -> None:
    company = ok(client, 'mutation { createCompany(data: {name: "Babbage & Co"}) { id } }')
    company_id = company["createCompany"]["id"]
    created = ok(
        client,
        "mutation Many($data: [PersonCreateInput!]!) { createPeople(data: $data) "
        "{ id name { firstName lastName } jobTitle companyId company { name } } }",
        {
            "data": [
                {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "companyId": company_id},
                {"name": {"firstName": "Charles", "lastName": "Babbage"}, "jobTitle": "Engineer"},
            ]
        },
    )["createPeople"]
    ada, charles = created
    assert ada["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert ada["jobTitle"] == ""  # the field's default
    assert ada["companyId"] == company_id
    assert ada["company"] == {"name": "Babbage & Co"}
    assert charles["company"] is None and charles["companyId"] is None
    assert person_count(client) == 2

    updated = ok(
        client,
        f'mutation {{ updatePerson(id: "{ada["id"]}", '
        'data: {jobTitle: "Analyst", name: {lastName: "King"}}) '
        "{ id jobTitle name { firstName lastName } company { name } updatedAt createdAt } }",
    )["updatePerson"]
    assert updated["jobTitle"] == "Analyst"
    assert updated["name"] == {"firstName": "Ada", "lastName": "King"}  # subfields merge
    assert updated["company"] == {"name": "Babbage & Co"}
    assert updated["updatedAt"] >= updated["createdAt"]

    deleted = ok(client, f'mutation {{ deletePerson(id: "{ada["id"]}") {{ id deletedAt }} }}')
    assert deleted["deletePerson"]["id"] == ada["id"]
    assert deleted["deletePerson"]["deletedAt"].endswith("Z")
    listed = ok(client, "{ people { edges { node { id } } totalCount } }")["people"]
    assert listed == {"edges": [{"node": {"id": charles["id"]}}], "totalCount": 1}
    trash = ok(client, "{ people(filter: {deletedAt: {is: NOT_NULL}}) { edges { node { id } } } }")
    assert trash["people"]["edges"] == [{"node": {"id": ada["id"]}}]

    restored = ok(client, f'mutation {{ restorePerson(id: "{ada["id"]}") {{ id deletedAt }} }}')
    assert restored == {"restorePerson": {"id": ada["id"], "deletedAt": None}}
    assert person_count(client) == 2

    destroyed = ok(
        client, f'mutation {{ destroyPerson(id: "{ada["id"]}") {{ id name {{ lastName }} }} }}'
    )
    assert destroyed == {"destroyPerson": {"id": ada["id"], "name": {"lastName": "King"}}}
    assert person_count(client) == 1
    gone = gql(client, "/graphql", f'{{ person(filter: {{id: {{eq: "{ada["id"]}"}}}}) {{ id }} }}')
    assert gone["data"] == {"person": None}
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert client.get(f"/rest/people/{ada['id']}").status_code == 404
    trash = ok(client, "{ people(filter: {deletedAt: {is: NOT_NULL}}) { totalCount } }")
    assert trash["people"]["totalCount"] == 0


def test_update_of_missing_record_is_not_found(client: Client) -> None:
    missing = str(uuid.uuid4())
    body = gql(
        client,
        "/graphql",
        f'mutation {{ updatePerson(id: "{missing}", data: {{city: "Paris"}}) {{ id }} }}',
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == f"Person with id {missing} not found"


def test_inline_values_and_variables_create_the_same_record(client: Client) -> None:
    selection = "name { firstName lastName } emails { primaryEmail additionalEmails } city"
    inline_doc = (
        'mutation { createPerson(data: {name: {firstName: "Grace", lastName: "Hopper"}, '
        'emails: {primaryEmail: "grace@navy.example", additionalEmails: ["g@h.example"]}, '
        f'city: "Arlington"}}) {{ {selection} }} }}'
    )
    by_text = ok(client, inline_doc)["createPerson"]
    # emails is unique: the first Grace goes before the second one arrives.
    first = ok(client, '{ person(filter: {city: {eq: "Arlington"}}) { id } }')["person"]
    ok(client, f'mutation {{ destroyPerson(id: "{first["id"]}") {{ id }} }}')
    by_variables = ok(
        client,
        "mutation New($data: PersonCreateInput!) "
        f"{{ createPerson(data: $data) {{ {selection} }} }}",
        {
            "data": {
                "name": {"firstName": "Grace", "lastName": "Hopper"},
                "emails": {
                    "primaryEmail": "grace@navy.example",
                    "additionalEmails": ["g@h.example"],
                },
                "city": "Arlington",
            }
        },
    )["createPerson"]
    assert (
        by_text
        == by_variables
        == {
            "name": {"firstName": "Grace", "lastName": "Hopper"},
            "emails": {"primaryEmail": "grace@navy.example", "additionalEmails": ["g@h.example"]},
            "city": "Arlington",
        }
    )


def test_operation_name_picks_the_operation(client: Client) -> None:
    document = (
        "query Workspace { currentWorkspace { id } } "
        'mutation Make { createPerson(data: {city: "X"}) { city } }'
    )
    body = gql(client, "/graphql", document, operation_name="Workspace")
    assert body == {"data": {"currentWorkspace": {"id": client.workspace_id}}}
    assert person_count(client) == 0
    body = gql(client, "/graphql", document)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert person_count(client) == 0


# the schema follows the workspace's metadata


def person_type_fields(client: Client) -> set[str]:
    data = ok(client, '{ __type(name: "Person") { fields { name } } }')
    return {field["name"] for field in data["__type"]["fields"]}


def test_custom_field_shows_up_in_the_next_request_in_that_workspace_only(
    client: Client, other_client: Client
) -> None:
    assert "nickname" not in person_type_fields(client)  # the schema is built and cached
    assert "nickname" not in person_type_fields(other_client)
    field = create_field(client, "person", name="nickname", label="Nickname", type="TEXT")
    assert field["name"] == "nickname" and field["type"] == "TEXT"

    assert "nickname" in person_type_fields(client)
    assert "nickname" not in person_type_fields(other_client)
    created = ok(
        client, 'mutation { createPerson(data: {nickname: "Amazing Grace"}) { nickname } }'
    )
    assert created == {"createPerson": {"nickname": "Amazing Grace"}}
    found = ok(client, '{ people(filter: {nickname: {eq: "Amazing Grace"}}) { totalCount } }')
    assert found["people"]["totalCount"] == 1
    error = gql(
        other_client, "/graphql", '{ people(filter: {nickname: {eq: "x"}}) { totalCount } }'
    )
    assert "nickname" in error["errors"][0]["message"]


def test_custom_field_added_over_rest_shows_up_in_graphql(client: Client) -> None:
    person_id = metadata_object_id(client, "person")
    response = client.post(
        "/rest/metadata/fields",
        json={
            "objectMetadataId": person_id,
            "name": "seniority",
            "label": "Seniority",
            "type": "SELECT",
            "options": [
                {"value": "JUNIOR", "label": "Junior"},
                {"value": "SENIOR", "label": "Senior"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    assert "seniority" in person_type_fields(client)
    enum = ok(client, '{ __type(name: "PersonSeniorityEnum") { enumValues { name } } }')
    assert enum == {"__type": {"enumValues": [{"name": "JUNIOR"}, {"name": "SENIOR"}]}}
    created = ok(client, "mutation { createPerson(data: {seniority: SENIOR}) { seniority } }")
    assert created == {"createPerson": {"seniority": "SENIOR"}}


# validation errors


def test_wrong_type_is_bad_user_input_naming_the_field(client: Client) -> None:
    error = error_of(client, "mutation { createPerson(data: {jobTitle: 5}) { id } }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "jobTitle" in error["message"]

    error = error_of(
        client,
        "mutation New($data: PersonCreateInput!) { createPerson(data: $data) { id } }",
        {"data": {"jobTitle": 5}},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "jobTitle" in error["message"]

    error = error_of(client, 'mutation { createCompany(data: {employees: "many"}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "employees" in error["message"]
    assert person_count(client) == 0


def test_wrong_scalar_format_is_bad_user_input_naming_the_field(client: Client) -> None:
    error = error_of(client, 'mutation { createOpportunity(data: {closeDate: "soon"}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "closeDate" in error["message"]
    assert "ISO 8601" in error["message"]

    error = error_of(client, 'mutation { createPerson(data: {companyId: "nope"}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "companyId" in error["message"]
    assert "UUID" in error["message"]


def test_unknown_field_is_bad_user_input_naming_the_field(client: Client) -> None:
    error = error_of(client, 'mutation { createPerson(data: {favouriteColour: "red"}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "favouriteColour" in error["message"]
    assert "PersonCreateInput" in error["message"]

    error = error_of(
        client,
        "mutation New($data: PersonCreateInput!) { createPerson(data: $data) { id } }",
        {"data": {"favouriteColour": "red"}},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "favouriteColour" in error["message"]


def test_bad_select_value_is_bad_user_input_naming_the_field(client: Client) -> None:
    error = error_of(client, "mutation { createOpportunity(data: {stage: WON}) { id } }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "stage" in error["message"]
    assert "WON" in error["message"]

    error = error_of(
        client,
        "mutation New($data: OpportunityCreateInput!) { createOpportunity(data: $data) { id } }",
        {"data": {"stage": "WON"}},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "stage" in error["message"]
    assert "WON" in error["message"]
    assert ok(client, "{ opportunities { totalCount } }")["opportunities"]["totalCount"] == 0


def test_missing_required_field_is_bad_user_input_naming_the_field(client: Client) -> None:
    create_field(client, "note", name="reference", label="Reference", type="TEXT", isNullable=False)
    error = error_of(client, 'mutation { createNote(data: {title: "Minutes"}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "field 'reference' is required on object 'note'"
    created = ok(
        client, 'mutation { createNote(data: {title: "Minutes", reference: "N-1"}) { reference } }'
    )
    assert created == {"createNote": {"reference": "N-1"}}


def test_relation_to_another_workspaces_record_is_refused(
    client: Client, other_client: Client
) -> None:
    theirs = ok(other_client, 'mutation { createCompany(data: {name: "Theirs"}) { id } }')
    their_id = theirs["createCompany"]["id"]
    body = gql(
        client,
        "/graphql",
        f'mutation {{ createPerson(data: {{companyId: "{their_id}"}}) {{ id }} }}',
    )
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        f"field 'companyId': no company with id {their_id} in this workspace"
    )
    assert person_count(client) == 0


def test_mutation_document_is_all_or_nothing(client: Client) -> None:
    kept = ok(client, 'mutation { createPerson(data: {city: "Paris"}) { id } }')["createPerson"]
    missing = str(uuid.uuid4())
    body = gql(
        client,
        "/graphql",
        "mutation Two { "
        'first: createPerson(data: {city: "Lyon"}) { id } '
        f'moved: updatePerson(id: "{kept["id"]}", data: {{city: "Nice"}}) {{ id }} '
        f'second: createPerson(data: {{companyId: "{missing}"}}) {{ id }} '
        "}",
    )
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["path"] == ["second"]
    assert person_count(client) == 1
    city = ok(client, f'{{ person(filter: {{id: {{eq: "{kept["id"]}"}}}}) {{ city }} }}')
    assert city == {"person": {"city": "Paris"}}


def test_batch_create_is_all_or_nothing(client: Client) -> None:
    body = gql(
        client,
        "/graphql",
        "mutation Many($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {"data": [{"city": "Paris"}, {"city": "Lyon", "phones": {"primaryPhoneNumber": 5}}]},
    )
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "primaryPhoneNumber" in body["errors"][0]["message"]
    assert person_count(client) == 0


# auth


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token", "Basic abc", "Bearer ", "Bearer a.b.c"]
)
def test_missing_or_invalid_token_is_unauthenticated(
    server: Server, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = requests.post(
        f"{server.base_url}{path}",
        json={"query": "{ currentWorkspace { id } }"},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "Token invalid."
    assert body.get("data") is None


def test_token_signed_for_another_secret_is_unauthenticated(client: Client) -> None:
    header, payload, _signature = client.token.split(".")
    forged = Client(client.base_url, f"{header}.{payload}.AAAA", client.workspace_id)
    body = gql(forged, "/graphql", "{ currentWorkspace { id } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "Token invalid."


def test_expired_key_is_unauthenticated(server: Server, client: Client) -> None:
    with transaction(server.database.engine) as session:
        issued = issue_api_key(
            session, APP_SECRET, client.workspace_id, "old", timedelta(seconds=-60)
        )
    expired = Client(server.base_url, issued.token, client.workspace_id)
    body = gql(expired, "/graphql", "{ currentWorkspace { id } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "Token has expired."


def test_revoked_key_is_forbidden(server: Server, client: Client) -> None:
    with transaction(server.database.engine) as session:
        issued = issue_api_key(session, APP_SECRET, client.workspace_id, "soon revoked")
    second = Client(server.base_url, issued.token, client.workspace_id)
    assert ok(second, "{ currentWorkspace { id } }") == {
        "currentWorkspace": {"id": client.workspace_id}
    }
    with transaction(server.database.engine) as session:
        revoke_api_key(session, issued.row.id)
    for path in ("/graphql", "/metadata"):
        body = gql(second, path, "{ currentWorkspace { id } }")
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["message"] == "This API key has been revoked."
    assert ok(client, "{ currentWorkspace { id } }")["currentWorkspace"]["id"] == (
        client.workspace_id
    )


def test_workspaces_never_see_each_others_records(client: Client, other_client: Client) -> None:
    mine = ok(client, 'mutation { createCompany(data: {name: "Mine"}) { id } }')["createCompany"]
    assert ok(other_client, "{ companies { totalCount } }") == {"companies": {"totalCount": 0}}
    seen = gql(
        other_client, "/graphql", f'{{ company(filter: {{id: {{eq: "{mine["id"]}"}}}}) {{ id }} }}'
    )
    assert seen["data"] == {"company": None}
    assert seen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = gql(
        other_client,
        "/graphql",
        f'mutation {{ updateCompany(id: "{mine["id"]}", data: {{name: "Stolen"}}) {{ id }} }}',
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    for name in ("deleteCompany", "destroyCompany", "restoreCompany"):
        body = gql(other_client, "/graphql", f'mutation {{ {name}(id: "{mine["id"]}") {{ id }} }}')
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", name
    name = ok(client, f'{{ company(filter: {{id: {{eq: "{mine["id"]}"}}}}) {{ name deletedAt }} }}')
    assert name == {"company": {"name": "Mine", "deletedAt": None}}


# request shapes


def test_body_without_query_is_bad_request(client: Client) -> None:
    for payload in ({}, {"query": ""}, {"query": 5}, []):
        response = client.post("/graphql", json=payload)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    response = client.post("/graphql", json={"query": "{ people { totalCount } }", "variables": 1})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "'variables' must be a JSON object."


def test_syntax_error_is_reported(client: Client) -> None:
    body = gql(client, "/graphql", "{ people { totalCount }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert body["errors"][0]["message"].startswith("Syntax Error")
    assert "data" not in body


def test_inlined_values_are_checked_even_when_the_shape_is_known(client: Client) -> None:
    """Documents differing only in literals share validation work, but never value checks."""
    template = 'query { person(filter: {id: {eq: "%s"}}) { id } }'
    assert gql(client, "/graphql", template % uuid.uuid4())["data"] == {"person": None}
    body = gql(client, "/graphql", template % "not-a-uuid")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith("filter.id.eq: ")

    field = 'a: person(filter: {id: {eq: "%s"}}) { id }'
    aliases = f"query {{ {field} {field} }}"
    same = str(uuid.uuid4())
    assert gql(client, "/graphql", aliases % (same, same))["data"] == {"a": None}
    conflict = gql(client, "/graphql", aliases % (same, uuid.uuid4()))
    assert "conflict" in conflict["errors"][0]["message"]
