"""Records GraphQL parity with Twenty, second pass: what Twenty's own clients send, and what
Twenty answers (``../shared/DESIGN.md``, issue 11).

Every test talks HTTP to a live server, on SQLite and on PostgreSQL: update inputs carrying
``id``, ``findOne`` with a required filter, ``offset``, upsert, unique fields, filtered bulk
mutations (and their webhook events), duplicates, merges, nested relation inputs, the ACTOR,
FILES and NUMBER values, the ``searchVector`` filter, and the all-or-nothing rule of a mutation
document. Relation fields and their metadata pairs are in ``test_relations.py``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from typing import Any

import pytest

from conftest import APP_SECRET, Client, Server, new_workspace
from graphql_support import create_field, gql, ok
from hooks_support import subscribe
from hookwire.database import transaction
from hookwire.identity import issue_api_key
from receiver import Receiver

# The API key every `client` fixture holds is named "tests" (conftest.new_workspace).
API_ACTOR = {"source": "API", "workspaceMemberId": None, "name": "tests", "context": {}}
ACTOR = "{ source workspaceMemberId name context }"
EMPTY_CONNECTION = {
    "totalCount": 0,
    "edges": [],
    "pageInfo": {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    },
}
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
CONNECTION = f"totalCount edges {{ node {{ id }} }} {PAGE_INFO}"
# A filter that selects live and soft-deleted records alike.
ANY_STATE = "{or: [{deletedAt: {is: NULL}}, {deletedAt: {is: NOT_NULL}}]}"
COMPANY_STATE = f"""
    id updatedAt deletedAt name employees
    domainName {{ primaryLinkUrl primaryLinkLabel secondaryLinks }}
    createdBy {ACTOR} updatedBy {ACTOR}
"""
PERSON_STATE = f"""
    id updatedAt deletedAt city jobTitle companyId
    name {{ firstName lastName }}
    emails {{ primaryEmail additionalEmails }}
    createdBy {ACTOR} updatedBy {ACTOR}
"""


# helpers


def workspace(server: Server) -> Client:
    workspace_id, token = new_workspace(server.database)
    return Client(server.base_url, token, workspace_id)


def keyed_as(server: Server, client: Client, name: str) -> Client:
    """Another API key, named ``name``, of ``client``'s workspace."""
    with transaction(server.database.engine) as session:
        token = issue_api_key(session, APP_SECRET, client.workspace_id, name).token
    return Client(server.base_url, token, client.workspace_id)


def refused(
    client: Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    naming: str,
    code: str = "BAD_USER_INPUT",
) -> str:
    """The message of the one error of a document that must fail, naming ``naming``."""
    body = gql(client, "/graphql", query, variables)
    assert not any((body.get("data") or {}).values()), body
    assert len(body.get("errors", [])) == 1, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert naming in error["message"], error
    return error["message"]


def create(client: Client, singular: str, **data: Any) -> str:
    """The id of a new ``singular`` record created from ``data``."""
    kind = singular[:1].upper() + singular[1:]
    query = f"mutation New($data: {kind}CreateInput!) {{ create{kind}(data: $data) {{ id }} }}"
    return ok(client, query, {"data": data})[f"create{kind}"]["id"]


def read(client: Client, singular: str, record_id: str, fields: str) -> dict[str, Any] | None:
    """A record, live or soft-deleted, or None once destroyed."""
    query = (
        f'{{ {singular}(filter: {{and: [{{id: {{eq: "{record_id}"}}}}, {ANY_STATE}]}}) '
        f"{{ {fields} }} }}"
    )
    body = gql(client, "/graphql", query)
    if body["data"][singular] is None:
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", body
    else:
        assert "errors" not in body, body
    return body["data"][singular]


def snapshot(client: Client) -> dict[str, Any]:
    """Every company and person of the workspace, soft-deleted ones included."""
    everything = f"filter: {ANY_STATE}, first: 200"
    return ok(
        client,
        f"{{ companies({everything}) {{ totalCount edges {{ node {{ {COMPANY_STATE} }} }} }} "
        f"people({everything}) {{ totalCount edges {{ node {{ {PERSON_STATE} }} }} }} }}",
    )


def ids_of(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def total(client: Client, plural: str, where: str = "") -> int:
    arguments = f"(filter: {where})" if where else ""
    return ok(client, f"{{ {plural}{arguments} {{ totalCount }} }}")[plural]["totalCount"]


def events(receiver: Receiver) -> Counter[tuple[str, str]]:
    """How many deliveries arrived per (event name, record id)."""
    return Counter((r.json["eventName"], r.json["record"]["id"]) for r in receiver.received())


def settle(receiver: Receiver, client: Client) -> Counter[tuple[str, str]]:
    """Every event delivered so far: a marker record's event comes last, then a short wait for
    stragglers."""
    marker = create(client, "company", name="Marker")
    arrive(receiver, {("company.created", marker)})
    time.sleep(1.0)
    arrived = events(receiver)
    del arrived[("company.created", marker)]
    return arrived


def arrive(receiver: Receiver, wanted: set[tuple[str, str]], timeout: float = 30.0) -> None:
    """Wait until every (event name, record id) of ``wanted`` was delivered."""
    deadline = time.monotonic() + timeout
    while not wanted <= set(events(receiver)):
        assert time.monotonic() < deadline, f"never delivered: {wanted - set(events(receiver))}"
        time.sleep(0.05)


# update inputs carry `id` (Twenty's Zapier connector sends it)


def test_update_with_its_own_id_in_data_is_accepted(client: Client) -> None:
    company_id = create(client, "company", name="Acme")
    updated = ok(
        client,
        f'mutation {{ updateCompany(data: {{id: "{company_id}", name: "Acme Corp"}}, '
        f'id: "{company_id}") {{ id name }} }}',
    )
    assert updated == {"updateCompany": {"id": company_id, "name": "Acme Corp"}}
    updated = ok(
        client,
        "mutation U($id: UUID!, $data: CompanyUpdateInput!) "
        "{ updateCompany(id: $id, data: $data) { id name } }",
        {"id": company_id, "data": {"id": company_id, "name": "Acme SA"}},
    )
    assert updated == {"updateCompany": {"id": company_id, "name": "Acme SA"}}


def test_update_with_another_id_in_data_is_refused_and_writes_nothing(client: Client) -> None:
    acme = create(client, "company", name="Acme")
    globex = create(client, "company", name="Globex")
    before = snapshot(client)
    message = refused(
        client,
        f'mutation {{ updateCompany(id: "{acme}", data: {{id: "{globex}", name: "Hijack"}}) '
        "{ id } }",
        naming="id",
    )
    assert globex in message
    refused(
        client,
        f'mutation {{ updateCompanies(filter: {{name: {{eq: "Acme"}}}}, data: {{id: "{globex}"}}) '
        "{ id } }",
        naming="id",
    )
    assert snapshot(client) == before


# findOne: `person(filter!)`


def test_find_one_requires_a_filter(client: Client) -> None:
    body = gql(client, "/graphql", "{ person { id } }")
    assert body.get("data") is None
    [error] = body["errors"]
    assert "person(filter:)" in error["message"]
    assert "required" in error["message"]

    fields = ok(
        client,
        '{ __type(name: "Query") { fields { name args { name type { kind ofType { name } } } } } }',
    )["__type"]["fields"]
    person = next(field for field in fields if field["name"] == "person")
    assert person["args"] == [
        {"name": "filter", "type": {"kind": "NON_NULL", "ofType": {"name": "PersonFilterInput"}}}
    ]


def test_find_one_with_an_empty_filter_is_refused(client: Client) -> None:
    create(client, "person", city="Paris")
    body = gql(client, "/graphql", "{ person(filter: {}) { id } }")
    assert body.get("errors"), body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "filter" in body["errors"][0]["message"]


# a read-only workspace for offsets and one-to-many relations

NAMES = ["Ada", "Bea", "Cyd", "Dee", "Eve", "Fay", "Gus"]
CITIES = ["London", "Paris", "London", "London", "Paris", "Berlin", "Rome"]


@pytest.fixture(scope="module")
def roster(server: Server) -> dict[str, Any]:
    """Seven people at positions 1..7; the first five work at Acme, Fay at Globex."""
    crm = workspace(server)
    acme = create(crm, "company", name="Acme")
    globex = create(crm, "company", name="Globex")
    empty = create(crm, "company", name="Initech")
    employers = [acme] * 5 + [globex, None]
    people = [
        {
            "name": {"firstName": name, "lastName": "Roe"},
            "city": city,
            "position": index + 1,
            "companyId": employer,
        }
        for index, (name, city, employer) in enumerate(zip(NAMES, CITIES, employers, strict=True))
    ]
    created = ok(
        crm,
        "mutation P($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {"data": people},
    )["createPeople"]
    return {
        "client": crm,
        "acme": acme,
        "globex": globex,
        "initech": empty,
        "people": [person["id"] for person in created],
    }


def first_names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"]["firstName"] for edge in connection["edges"]]


PAGE = f"totalCount edges {{ cursor node {{ name {{ firstName }} }} }} {PAGE_INFO}"


def test_offset_skips_records_without_a_cursor(roster: dict[str, Any]) -> None:
    crm = roster["client"]
    page = ok(crm, f"{{ people(first: 2, offset: 3) {{ {PAGE} }} }}")["people"]
    assert first_names(page) == ["Dee", "Eve"]
    assert page["totalCount"] == 7
    # Twenty: a forward page has a previous page only when it starts after a cursor.
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]

    rest = ok(crm, f"{{ people(offset: 5) {{ {PAGE} }} }}")["people"]
    assert first_names(rest) == ["Fay", "Gus"]
    assert rest["pageInfo"]["hasNextPage"] is False

    beyond = ok(crm, f"{{ people(first: 2, offset: 10) {{ {PAGE} }} }}")["people"]
    assert beyond == {
        "totalCount": 7,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    zero = ok(crm, f"{{ people(first: 2, offset: 0) {{ {PAGE} }} }}")["people"]
    assert first_names(zero) == ["Ada", "Bea"]


def test_offset_counts_from_the_cursor(roster: dict[str, Any]) -> None:
    crm = roster["client"]
    start = ok(crm, f"{{ people(first: 2) {{ {PAGE} }} }}")["people"]
    after = start["pageInfo"]["endCursor"]
    page = ok(crm, f'{{ people(first: 2, after: "{after}", offset: 2) {{ {PAGE} }} }}')["people"]
    assert first_names(page) == ["Eve", "Fay"]
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["pageInfo"]["hasNextPage"] is True

    end = ok(crm, f"{{ people(first: 7) {{ {PAGE} }} }}")["people"]
    before = end["edges"][6]["cursor"]  # Gus
    back = ok(crm, f'{{ people(last: 2, before: "{before}", offset: 1) {{ {PAGE} }} }}')["people"]
    assert first_names(back) == ["Dee", "Eve"]
    assert back["pageInfo"]["hasNextPage"] is True
    assert back["pageInfo"]["hasPreviousPage"] is True


def test_offset_with_filter_and_order(roster: dict[str, Any]) -> None:
    crm = roster["client"]
    page = ok(
        crm,
        f'{{ people(filter: {{city: {{eq: "London"}}}}, orderBy: [{{position: DescNullsLast}}], '
        f"first: 1, offset: 1) {{ {PAGE} }} }}",
    )["people"]
    assert first_names(page) == ["Cyd"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True


def test_negative_offset_is_refused(roster: dict[str, Any]) -> None:
    body = gql(roster["client"], "/graphql", "{ people(offset: -1) { totalCount } }")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "offset" in error["message"]


# `company.people`: the one-to-many side, as a connection


def test_company_people_is_a_connection_with_filter_first_and_order(
    roster: dict[str, Any],
) -> None:
    crm = roster["client"]
    found = ok(
        crm,
        f'{{ company(filter: {{id: {{eq: "{roster["acme"]}"}}}}) {{ name '
        'people(filter: {city: {eq: "London"}}, first: 2, '
        "orderBy: [{name: {firstName: DescNullsLast}}]) "
        "{ totalCount edges { node { name { firstName } companyId company { name } } } "
        "pageInfo { hasNextPage hasPreviousPage } } } }",
    )["company"]
    assert found["name"] == "Acme"
    people = found["people"]
    assert first_names(people) == ["Dee", "Cyd"]
    assert people["totalCount"] == 3
    assert people["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    assert {edge["node"]["companyId"] for edge in people["edges"]} == {roster["acme"]}
    assert {edge["node"]["company"]["name"] for edge in people["edges"]} == {"Acme"}

    companies = ok(
        crm,
        "{ companies(orderBy: [{name: AscNullsFirst}]) "
        "{ edges { node { name people { totalCount edges { node { name { firstName } } } } } } } }",
    )["companies"]["edges"]
    assert [(c["node"]["name"], first_names(c["node"]["people"])) for c in companies] == [
        ("Acme", ["Ada", "Bea", "Cyd", "Dee", "Eve"]),
        ("Globex", ["Fay"]),
        ("Initech", []),
    ]

    kind = ok(
        crm,
        '{ __type(name: "Company") { fields { name type { name kind ofType { name } } } } }',
    )["__type"]["fields"]
    people_type = next(field["type"] for field in kind if field["name"] == "people")
    assert (people_type["name"] or people_type["ofType"]["name"]) == "PersonConnection"


# upsert: createCompany / createCompanies with `upsert: true`


def test_upsert_matches_by_id(client: Client) -> None:
    acme = create(client, "company", name="Acme", employees=10)
    matched = ok(
        client,
        f'mutation {{ createCompany(upsert: true, data: {{id: "{acme}", name: "Acme Inc"}}) '
        "{ id name employees } }",
    )
    assert matched == {"createCompany": {"id": acme, "name": "Acme Inc", "employees": 10}}
    assert total(client, "companies") == 1

    fresh = str(uuid.uuid4())
    created = ok(
        client,
        f'mutation {{ createCompany(upsert: true, data: {{id: "{fresh}", name: "Globex"}}) '
        "{ id name } }",
    )
    assert created == {"createCompany": {"id": fresh, "name": "Globex"}}
    assert total(client, "companies") == 2


def test_upsert_matches_by_domain_and_restores_a_soft_deleted_match(client: Client) -> None:
    acme = create(client, "company", name="Acme", domainName={"primaryLinkUrl": "https://acme.com"})
    matched = ok(
        client,
        'mutation { createCompany(upsert: true, data: {name: "Acme 2", '
        'domainName: {primaryLinkUrl: "https://acme.com"}}) { id name } }',
    )
    assert matched == {"createCompany": {"id": acme, "name": "Acme 2"}}

    ok(client, f'mutation {{ deleteCompany(id: "{acme}") {{ id }} }}')
    assert total(client, "companies") == 0
    upserted = ok(
        client,
        "mutation Many($data: [CompanyCreateInput!]!) "
        "{ createCompanies(data: $data, upsert: true) { id name deletedAt } }",
        {
            "data": [
                {"name": "Acme 3", "domainName": {"primaryLinkUrl": "https://acme.com"}},
                {"name": "Globex", "domainName": {"primaryLinkUrl": "https://globex.com"}},
            ]
        },
    )["createCompanies"]
    by_name = {company["name"]: company for company in upserted}
    assert set(by_name) == {"Acme 3", "Globex"}
    assert by_name["Acme 3"] == {"id": acme, "name": "Acme 3", "deletedAt": None}
    assert by_name["Globex"]["id"] != acme
    assert by_name["Globex"]["deletedAt"] is None
    assert total(client, "companies") == 2


def test_upsert_matching_two_records_is_refused(client: Client) -> None:
    acme = create(client, "company", name="A", domainName={"primaryLinkUrl": "https://a.com"})
    bravo = create(client, "company", name="B", domainName={"primaryLinkUrl": "https://b.com"})
    before = snapshot(client)
    message = refused(
        client,
        f'mutation {{ createCompany(upsert: true, data: {{id: "{acme}", '
        'domainName: {primaryLinkUrl: "https://b.com"}}) { id } }',
        naming=acme,
    )
    assert bravo in message
    assert snapshot(client) == before


def test_upsert_update_keeps_created_by(server: Server, client: Client) -> None:
    made = ok(
        client,
        "mutation New($data: CompanyCreateInput!) "
        f"{{ createCompany(data: $data) {{ id createdBy {ACTOR} updatedBy {ACTOR} }} }}",
        {
            "data": {
                "name": "Acme",
                "domainName": {"primaryLinkUrl": "https://acme.com"},
                "createdBy": {"source": "IMPORT"},
            }
        },
    )["createCompany"]
    imported = {**API_ACTOR, "source": "IMPORT"}
    assert made["createdBy"] == imported
    assert made["updatedBy"] == API_ACTOR

    zapier = keyed_as(server, client, "Zapier")
    upserted = ok(
        zapier,
        "mutation New($data: CompanyCreateInput!) "
        "{ createCompany(data: $data, upsert: true) "
        f"{{ id name createdBy {ACTOR} updatedBy {ACTOR} }} }}",
        {
            "data": {
                "name": "Acme Inc",
                "domainName": {"primaryLinkUrl": "https://acme.com"},
                "createdBy": {"source": "MANUAL"},
            }
        },
    )["createCompany"]
    assert upserted == {
        "id": made["id"],
        "name": "Acme Inc",
        "createdBy": imported,
        "updatedBy": {**API_ACTOR, "name": "Zapier"},
    }


def test_create_on_a_taken_domain_without_upsert_is_refused(client: Client) -> None:
    create(client, "company", name="Acme", domainName={"primaryLinkUrl": "https://acme.com"})
    before = snapshot(client)
    refused(
        client,
        'mutation { createCompany(data: {domainName: {primaryLinkUrl: "https://acme.com"}}) '
        "{ id } }",
        naming="domainName.primaryLinkUrl",
    )
    assert snapshot(client) == before


# unique fields: person.emails (on primaryEmail), company.domainName (on primaryLinkUrl)


def test_taken_email_is_refused_naming_the_subfield(client: Client) -> None:
    create(client, "person", emails={"primaryEmail": "ada@example.com"})
    bob = create(client, "person", emails={"primaryEmail": "bob@example.com"})
    before = snapshot(client)
    refused(
        client,
        'mutation { createPerson(data: {emails: {primaryEmail: "ada@example.com"}}) { id } }',
        naming="emails.primaryEmail",
    )
    refused(
        client,
        f'mutation {{ updatePerson(id: "{bob}", '
        'data: {emails: {primaryEmail: "ada@example.com"}}) { id } }',
        naming="emails.primaryEmail",
    )
    refused(
        client,
        "mutation Many($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {
            "data": [
                {"emails": {"primaryEmail": "twin@example.com"}},
                {"emails": {"primaryEmail": "twin@example.com"}},
            ]
        },
        naming="emails.primaryEmail",
    )
    assert snapshot(client) == before


def test_empty_emails_never_conflict(client: Client) -> None:
    shared = {"primaryEmail": "", "additionalEmails": ["shared@example.com"]}
    created = ok(
        client,
        "mutation Many($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
        {
            "data": [
                {"city": "Paris"},
                {"city": "Paris"},
                {"emails": {"primaryEmail": ""}},
                {"emails": {"primaryEmail": ""}},
                {"emails": shared},
                {"emails": shared},
            ]
        },
    )["createPeople"]
    assert len(created) == 6
    ok(
        client,
        'mutation { updatePeople(filter: {city: {eq: "Paris"}}, '
        'data: {emails: {primaryEmail: ""}}) { id } }',
    )
    assert total(client, "people") == 6


def test_soft_delete_frees_an_email_and_restoring_it_once_retaken_is_refused(
    client: Client,
) -> None:
    ada = create(client, "person", emails={"primaryEmail": "ada@example.com"})
    ok(client, f'mutation {{ deletePerson(id: "{ada}") {{ id }} }}')
    again = create(client, "person", emails={"primaryEmail": "ada@example.com"})
    before = snapshot(client)
    refused(
        client,
        f'mutation {{ restorePerson(id: "{ada}") {{ id }} }}',
        naming="emails.primaryEmail",
    )
    refused(
        client,
        f'mutation {{ restorePeople(filter: {{id: {{eq: "{ada}"}}}}) {{ id }} }}',
        naming="emails.primaryEmail",
    )
    assert snapshot(client) == before

    ok(client, f'mutation {{ destroyPerson(id: "{again}") {{ id }} }}')
    restored = ok(client, f'mutation {{ restorePerson(id: "{ada}") {{ id deletedAt }} }}')
    assert restored == {"restorePerson": {"id": ada, "deletedAt": None}}
    refused(
        client,
        'mutation { createPerson(data: {emails: {primaryEmail: "ada@example.com"}}) { id } }',
        naming="emails.primaryEmail",
    )


# filtered bulk mutations: one transaction, one event per changed record

BULK = '{name: {like: "Bulk%"}}'


def test_bulk_mutations_change_the_matches_with_one_event_each(
    client: Client, receiver: Receiver
) -> None:
    subscribe(client, receiver)
    created = ok(
        client,
        "mutation Many($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id name } }",
        {
            "data": [
                {"name": name, "employees": 1} for name in ("Bulk A", "Bulk B", "Bulk C", "Else")
            ]
        },
    )["createCompanies"]
    bulk = {c["id"] for c in created if c["name"].startswith("Bulk")}
    bystander = next(c["id"] for c in created if c["name"] == "Else")

    updated = ok(
        client,
        f"mutation {{ updateCompanies(filter: {BULK}, data: {{employees: 5}}) "
        "{ id employees } }",
    )["updateCompanies"]
    assert {c["id"] for c in updated} == bulk
    assert {c["employees"] for c in updated} == {5}
    assert read(client, "company", bystander, "employees") == {"employees": 1}

    deleted = ok(client, f"mutation {{ deleteCompanies(filter: {BULK}) {{ id deletedAt }} }}")
    assert {c["id"] for c in deleted["deleteCompanies"]} == bulk
    assert all(c["deletedAt"] for c in deleted["deleteCompanies"])
    assert total(client, "companies") == 1

    restored = ok(client, f"mutation {{ restoreCompanies(filter: {BULK}) {{ id deletedAt }} }}")
    assert {c["id"] for c in restored["restoreCompanies"]} == bulk
    assert {c["deletedAt"] for c in restored["restoreCompanies"]} == {None}
    assert total(client, "companies") == 4

    destroyed = ok(client, f"mutation {{ destroyCompanies(filter: {BULK}) {{ id }} }}")
    assert {c["id"] for c in destroyed["destroyCompanies"]} == bulk
    assert total(client, "companies", ANY_STATE) == 1

    expected = {("company.created", i): 1 for i in bulk | {bystander}}
    for action in ("updated", "deleted", "restored", "destroyed"):
        expected.update({(f"company.{action}", i): 1 for i in bulk})
    arrive(receiver, set(expected))
    assert settle(receiver, client) == Counter(expected)
    for request in receiver.received():
        if request.json["eventName"] == "company.updated":
            assert request.json["updatedFields"] == ["employees"]
            assert request.json["record"]["employees"] == 5


def test_bulk_mutations_that_change_nothing_send_no_event(
    client: Client, receiver: Receiver
) -> None:
    subscribe(client, receiver)
    seeded = ok(
        client,
        "mutation Many($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id } }",
        {"data": [{"name": "Same A", "employees": 5}, {"name": "Same B", "employees": 5}]},
    )["createCompanies"]
    gone = create(client, "company", name="Gone")
    ok(client, f'mutation {{ deleteCompany(id: "{gone}") {{ id }} }}')
    arrive(
        receiver,
        {("company.created", c["id"]) for c in seeded} | {("company.deleted", gone)},
    )
    before = events(receiver)

    same = '{name: {like: "Same%"}}'
    kept = ok(
        client, f"mutation {{ updateCompanies(filter: {same}, data: {{employees: 5}}) {{ id }} }}"
    )
    assert len(kept["updateCompanies"]) == 2
    nothing = ok(
        client,
        f"mutation {{ restoreCompanies(filter: {same}) {{ id }} "
        'again: deleteCompanies(filter: {name: {eq: "Gone"}}) { id } '
        'none: updateCompanies(filter: {name: {eq: "Nobody"}}, data: {employees: 1}) { id } }',
    )
    assert nothing == {"restoreCompanies": [], "again": [], "none": []}
    assert settle(receiver, client) == before


def test_bulk_filter_must_not_be_empty(client: Client) -> None:
    create(client, "company", name="Keep")
    before = snapshot(client)
    for mutation in (
        "updateCompanies(filter: {}, data: {employees: 1})",
        "deleteCompanies(filter: {})",
        "destroyCompanies(filter: {})",
        "restoreCompanies(filter: {})",
    ):
        refused(client, f"mutation {{ {mutation} {{ id }} }}", naming="filter")
    assert snapshot(client) == before


@pytest.fixture(scope="module")
def crowd(server: Server) -> dict[str, Any]:
    """201 companies named Crowd and one bystander."""
    crm = workspace(server)
    ids: list[str] = []
    for size in (101, 100):
        ids += [
            c["id"]
            for c in ok(
                crm,
                "mutation Many($data: [CompanyCreateInput!]!) "
                "{ createCompanies(data: $data) { id } }",
                {"data": [{"name": "Crowd"}] * size},
            )["createCompanies"]
        ]
    create(crm, "company", name="Bystander")
    return {"client": crm, "ids": ids}


def test_bulk_change_of_more_than_200_records_is_refused_whole(crowd: dict[str, Any]) -> None:
    crm, ids = crowd["client"], crowd["ids"]
    crowd_filter = '{name: {eq: "Crowd"}}'
    for mutation in (
        f"updateCompanies(filter: {crowd_filter}, data: {{employees: 7}})",
        f"deleteCompanies(filter: {crowd_filter})",
        f"destroyCompanies(filter: {crowd_filter})",
    ):
        refused(crm, f"mutation {{ {mutation} {{ id }} }}", naming="filter")
        assert total(crm, "companies") == 202
        assert total(crm, "companies", "{employees: {eq: 7}}") == 0
        assert total(crm, "companies", "{deletedAt: {is: NOT_NULL}}") == 0

    # exactly 200 is allowed
    two_hundred = f'{{and: [{crowd_filter}, {{id: {{neq: "{ids[0]}"}}}}]}}'
    changed = ok(
        crm,
        f"mutation {{ updateCompanies(filter: {two_hundred}, data: {{employees: 7}}) {{ id }} }}",
    )["updateCompanies"]
    assert len(changed) == 200
    assert total(crm, "companies", "{employees: {eq: 7}}") == 200

    for chunk in (ids[:101], ids[101:]):
        ok(
            crm,
            "mutation D($ids: [UUID!]) { deleteCompanies(filter: {id: {in: $ids}}) { id } }",
            {"ids": chunk},
        )
    assert total(crm, "companies", "{deletedAt: {is: NOT_NULL}}") == 201
    refused(
        crm, f"mutation {{ restoreCompanies(filter: {crowd_filter}) {{ id }} }}", naming="filter"
    )
    assert total(crm, "companies", "{deletedAt: {is: NOT_NULL}}") == 201


# duplicates: the object's criteria groups


def test_person_duplicates_by_ids_follow_the_criteria(client: Client) -> None:
    linkedin = {"primaryLinkUrl": "https://linkedin.com/in/ada"}
    ada = create(
        client,
        "person",
        name={"firstName": "Ada", "lastName": "Lovelace"},
        emails={"primaryEmail": "ada@example.com"},
        linkedinLink=linkedin,
    )
    namesake = create(client, "person", name={"firstName": "Ada", "lastName": "Lovelace"})
    same_link = create(
        client, "person", name={"firstName": "Augusta", "lastName": "King"}, linkedinLink=linkedin
    )
    create(client, "person", name={"firstName": "Ada", "lastName": "Byron"})
    grace = create(client, "person", name={"firstName": "Grace", "lastName": "Hopper"})
    deleted = create(client, "person", name={"firstName": "Ada", "lastName": "Lovelace"})
    ok(client, f'mutation {{ deletePerson(id: "{deleted}") {{ id }} }}')
    blank = create(client, "person", name={"firstName": "", "lastName": ""})
    create(client, "person", name={"firstName": "", "lastName": ""})
    short = create(client, "person", name={"firstName": "Al", "lastName": "Bo"})
    create(client, "person", name={"firstName": "Al", "lastName": "Bo"})

    found = ok(
        client,
        f"query D($ids: [UUID!]) {{ personDuplicates(ids: $ids) {{ {CONNECTION} }} }}",
        {"ids": [ada, grace, blank, short]},
    )["personDuplicates"]
    assert len(found) == 4
    assert set(ids_of(found[0])) == {namesake, same_link}
    assert found[0]["totalCount"] == 2
    assert found[0]["pageInfo"]["hasNextPage"] is False
    # no match, empty values, and values under three characters (Twenty's minimum) find none
    assert found[1:] == [EMPTY_CONNECTION] * 3


def test_duplicates_by_data(client: Client) -> None:
    ada = create(
        client,
        "person",
        name={"firstName": "Ada", "lastName": "Lovelace"},
        emails={"primaryEmail": "ada@example.com"},
    )
    found = ok(
        client,
        "query D($data: [PersonCreateInput!]) "
        f"{{ personDuplicates(data: $data) {{ {CONNECTION} }} }}",
        {
            "data": [
                {"emails": {"primaryEmail": "ada@example.com"}},
                {"name": {"firstName": "Ada", "lastName": "Lovelace"}},
                {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "id": ada},
                {"name": {"firstName": "Nobody", "lastName": "Here"}},
            ]
        },
    )["personDuplicates"]
    assert [ids_of(connection) for connection in found] == [[ada], [ada], [], []]

    acme = create(client, "company", name="Acme", domainName={"primaryLinkUrl": "https://acme.com"})
    found = ok(
        client,
        "query D($data: [CompanyCreateInput!]) "
        f"{{ companyDuplicates(data: $data) {{ {CONNECTION} }} }}",
        {"data": [{"domainName": {"primaryLinkUrl": "https://acme.com"}}, {"name": "Acme"}, {}]},
    )["companyDuplicates"]
    assert [ids_of(connection) for connection in found] == [[acme], [acme], []]


def test_duplicates_need_ids_or_data(client: Client) -> None:
    acme = create(client, "company", name="Acme")
    refused(
        client,
        f'{{ companyDuplicates(ids: ["{acme}"], data: [{{name: "Acme"}}]) {{ totalCount }} }}',
        naming="ids",
    )
    refused(client, "{ companyDuplicates { totalCount } }", naming="ids")
    refused(client, "{ companyDuplicates(ids: []) { totalCount } }", naming="ids")


def test_custom_object_without_criteria_has_no_duplicates_and_no_merge(client: Client) -> None:
    ok(
        client,
        'mutation { createOneObject(input: {object: {nameSingular: "gadget", '
        'namePlural: "gadgets", labelSingular: "Gadget", labelPlural: "Gadgets"}}) { id } }',
        path="/metadata",
    )
    one = create(client, "gadget", name="Same")
    two = create(client, "gadget", name="Same")
    found = ok(
        client,
        f"query D($ids: [UUID!]) {{ gadgetDuplicates(ids: $ids) {{ {CONNECTION} }} }}",
        {"ids": [one, two]},
    )
    assert found == {"gadgetDuplicates": [EMPTY_CONNECTION, EMPTY_CONNECTION]}
    refused(
        client,
        f'mutation {{ mergeGadgets(ids: ["{one}", "{two}"], conflictPriorityIndex: 0) {{ id }} }}',
        naming="duplicate criteria",
    )


# merge


MERGED_PERSON = """
    id name { firstName lastName } jobTitle city companyId aliases
    emails { primaryEmail additionalEmails }
    phones { primaryPhoneNumber primaryPhoneCountryCode primaryPhoneCallingCode additionalPhones }
    linkedinLink { primaryLinkUrl primaryLinkLabel secondaryLinks }
"""


def test_merge_people_priority_wins_and_lists_gather(client: Client) -> None:
    create_field(client, "person", name="aliases", label="Aliases", type="ARRAY")
    acme = create(client, "company", name="Acme")
    first = create(
        client,
        "person",
        name={"firstName": "Ada", "lastName": "Lovelace"},
        jobTitle="Countess",
        companyId=acme,
        aliases=["Ada", "AAL"],
        emails={"primaryEmail": "a@example.com", "additionalEmails": ["a2@example.com"]},
        phones={
            "primaryPhoneNumber": "111",
            "primaryPhoneCountryCode": "GB",
            "primaryPhoneCallingCode": "+44",
        },
        linkedinLink={"primaryLinkUrl": "https://linkedin.com/in/ada", "primaryLinkLabel": "Ada"},
    )
    second = create(
        client,
        "person",
        name={"firstName": "Ada", "lastName": "Byron"},
        city="London",
        aliases=["AAL", "Byron"],
        emails={
            "primaryEmail": "b@example.com",
            "additionalEmails": ["a2@example.com", "b2@example.com"],
        },
        phones={
            "primaryPhoneNumber": "222",
            "primaryPhoneCountryCode": "GB",
            "primaryPhoneCallingCode": "+44",
        },
        linkedinLink={
            "primaryLinkUrl": "https://linkedin.com/in/byron",
            "primaryLinkLabel": "Byron",
            "secondaryLinks": [{"url": "https://ada.dev", "label": "site"}],
        },
    )
    merged = ok(
        client,
        f'mutation {{ mergePeople(ids: ["{first}", "{second}"], conflictPriorityIndex: 1) '
        f"{{ {MERGED_PERSON} }} }}",
    )["mergePeople"]
    # Twenty's rules: the priority record's value where it has one, else the first record's
    # (in `ids` order) that has one; lists and e-mails, phones, links gathered in `ids` order.
    assert merged == {
        "id": second,
        "name": {"firstName": "Ada", "lastName": "Byron"},
        "jobTitle": "Countess",
        "city": "London",
        "companyId": acme,
        "aliases": ["Ada", "AAL", "Byron"],
        "emails": {
            "primaryEmail": "b@example.com",
            "additionalEmails": ["a@example.com", "a2@example.com", "b2@example.com"],
        },
        "phones": {
            "primaryPhoneNumber": "222",
            "primaryPhoneCountryCode": "GB",
            "primaryPhoneCallingCode": "+44",
            "additionalPhones": [{"number": "111", "countryCode": "GB", "callingCode": "+44"}],
        },
        "linkedinLink": {
            "primaryLinkUrl": "https://linkedin.com/in/byron",
            "primaryLinkLabel": "Byron",
            "secondaryLinks": [
                {"url": "https://linkedin.com/in/ada", "label": "Ada"},
                {"url": "https://ada.dev", "label": "site"},
            ],
        },
    }
    assert read(client, "person", first, "id") is None
    assert read(client, "person", second, MERGED_PERSON) == merged
    # the merged-away record's e-mail is free again; the survivor's is not
    create(client, "person", emails={"primaryEmail": "a@example.com"})
    refused(
        client,
        'mutation { createPerson(data: {emails: {primaryEmail: "b@example.com"}}) { id } }',
        naming="emails.primaryEmail",
    )


def test_merge_companies_repoints_people_and_destroys_the_others(client: Client) -> None:
    acme = create(
        client,
        "company",
        name="Acme",
        employees=10,
        domainName={"primaryLinkUrl": "https://acme.com"},
    )
    survivor = create(client, "company", name="Acme Inc")
    third = create(client, "company", name="ACME", domainName={"primaryLinkUrl": "https://acme.io"})
    globex = create(client, "company", name="Globex")
    staff = [create(client, "person", companyId=acme), create(client, "person", companyId=third)]
    outsider = create(client, "person", companyId=globex)

    merged = ok(
        client,
        f'mutation {{ mergeCompanies(ids: ["{acme}", "{survivor}", "{third}"], '
        "conflictPriorityIndex: 1) { id name employees "
        "domainName { primaryLinkUrl primaryLinkLabel secondaryLinks } "
        "people { edges { node { id } } } } }",
    )["mergeCompanies"]
    assert {key: value for key, value in merged.items() if key != "people"} == {
        "id": survivor,
        "name": "Acme Inc",
        "employees": 10,
        "domainName": {
            "primaryLinkUrl": "https://acme.com",
            "primaryLinkLabel": "",
            "secondaryLinks": [{"url": "https://acme.io", "label": ""}],
        },
    }
    assert set(ids_of(merged["people"])) == set(staff)
    assert read(client, "person", outsider, "companyId") == {"companyId": globex}
    assert read(client, "company", acme, "id") is None
    assert read(client, "company", third, "id") is None
    assert total(client, "companies", ANY_STATE) == 2
    refused(
        client,
        'mutation { createCompany(data: {domainName: {primaryLinkUrl: "https://acme.com"}}) '
        "{ id } }",
        naming="domainName.primaryLinkUrl",
    )
    create(client, "company", domainName={"primaryLinkUrl": "https://acme.io"})


def test_merge_dry_run_writes_nothing(client: Client) -> None:
    acme = create(
        client,
        "company",
        name="Acme",
        employees=10,
        domainName={"primaryLinkUrl": "https://acme.com"},
    )
    survivor = create(client, "company", name="Acme Inc")
    create(client, "person", companyId=acme)
    before = snapshot(client)
    preview = ok(
        client,
        f'mutation {{ mergeCompanies(ids: ["{acme}", "{survivor}"], conflictPriorityIndex: 1, '
        "dryRun: true) { id name employees deletedAt domainName { primaryLinkUrl } } }",
    )["mergeCompanies"]
    assert preview["id"] not in (acme, survivor)
    assert str(uuid.UUID(preview["id"])) == preview["id"]
    assert preview["deletedAt"] is not None
    assert {key: preview[key] for key in ("name", "employees", "domainName")} == {
        "name": "Acme Inc",
        "employees": 10,
        "domainName": {"primaryLinkUrl": "https://acme.com"},
    }
    assert snapshot(client) == before


def test_merge_arguments_are_checked(client: Client) -> None:
    acme = create(client, "company", name="Acme")
    globex = create(client, "company", name="Globex")
    missing = str(uuid.uuid4())
    before = snapshot(client)
    for index in (2, -1):
        refused(
            client,
            f'mutation {{ mergeCompanies(ids: ["{acme}", "{globex}"], '
            f"conflictPriorityIndex: {index}) {{ id }} }}",
            naming="conflictPriorityIndex",
        )
    for ids in ([acme], [acme, acme], []):
        refused(
            client,
            f"mutation {{ mergeCompanies(ids: {json.dumps(ids)}, conflictPriorityIndex: 0) "
            "{ id } }",
            naming="ids",
        )
    refused(
        client,
        f'mutation {{ mergeCompanies(ids: ["{acme}", "{missing}"], conflictPriorityIndex: 0) '
        "{ id } }",
        naming=missing,
        code="NOT_FOUND",
    )
    assert snapshot(client) == before


# nested relation inputs: connect and disconnect


def test_connect_and_disconnect_a_company(client: Client) -> None:
    acme = create(client, "company", name="Acme", domainName={"primaryLinkUrl": "https://acme.com"})
    globex = create(client, "company", name="Globex")
    made = ok(
        client,
        f'mutation {{ createPerson(data: {{company: {{connect: {{where: {{id: "{acme}"}}}}}}}}) '
        "{ id companyId company { name } } }",
    )["createPerson"]
    assert {key: made[key] for key in ("companyId", "company")} == {
        "companyId": acme,
        "company": {"name": "Acme"},
    }
    by_domain = ok(
        client,
        "mutation { createPerson(data: {company: {connect: {where: "
        '{domainName: {primaryLinkUrl: "https://acme.com"}}}}}) { companyId } }',
    )
    assert by_domain == {"createPerson": {"companyId": acme}}
    moved = ok(
        client,
        "mutation M($id: UUID!, $data: PersonUpdateInput!) "
        "{ updatePerson(id: $id, data: $data) { companyId company { name } } }",
        {"id": made["id"], "data": {"company": {"connect": {"where": {"id": globex}}}}},
    )
    assert moved == {"updatePerson": {"companyId": globex, "company": {"name": "Globex"}}}
    dropped = ok(
        client,
        f'mutation {{ updatePerson(id: "{made["id"]}", data: {{company: {{disconnect: true}}}}) '
        "{ companyId company { name } } }",
    )
    assert dropped == {"updatePerson": {"companyId": None, "company": None}}
    names = ok(client, '{ __type(name: "CompanyRelationInput") { inputFields { name } } }')
    assert names == {"__type": {"inputFields": [{"name": "connect"}, {"name": "disconnect"}]}}


def test_bad_connect_is_refused(client: Client, other_client: Client) -> None:
    acme = create(client, "company", name="Acme")
    theirs = create(other_client, "company", name="Theirs")
    missing = str(uuid.uuid4())
    before = snapshot(client)
    for data, naming in (
        (f'{{company: {{connect: {{where: {{id: "{missing}"}}}}}}}}', missing),
        (f'{{company: {{connect: {{where: {{id: "{theirs}"}}}}}}}}', theirs),
        (
            '{company: {connect: {where: {domainName: {primaryLinkUrl: "https://nope.com"}}}}}',
            "https://nope.com",
        ),
        ('{company: {connect: {where: {name: "Acme"}}}}', "name"),
        (f'{{companyId: "{acme}", company: {{connect: {{where: {{id: "{acme}"}}}}}}}}', "company"),
        ("{company: {disconnect: false}}", "disconnect"),
        (f'{{company: {{disconnect: true, connect: {{where: {{id: "{acme}"}}}}}}}}', "company"),
    ):
        refused(client, f"mutation {{ createPerson(data: {data}) {{ id }} }}", naming=naming)
    assert snapshot(client) == before


# createdBy / updatedBy: the caller, as Twenty's ACTOR


def test_created_by_and_updated_by_name_the_api_key(server: Server, client: Client) -> None:
    made = ok(
        client,
        f'mutation {{ createPerson(data: {{city: "Paris"}}) '
        f"{{ id createdBy {ACTOR} updatedBy {ACTOR} }} }}",
    )["createPerson"]
    assert made["createdBy"] == API_ACTOR
    assert made["updatedBy"] == API_ACTOR

    zapier = keyed_as(server, client, "Zapier")
    changed = ok(
        zapier,
        f'mutation {{ updatePerson(id: "{made["id"]}", data: {{city: "Lyon"}}) '
        f"{{ createdBy {ACTOR} updatedBy {ACTOR} }} }}",
    )["updatePerson"]
    assert changed == {"createdBy": API_ACTOR, "updatedBy": {**API_ACTOR, "name": "Zapier"}}
    over_rest = client.get(f"/rest/people/{made['id']}").json()["data"]["person"]
    assert over_rest["createdBy"] == API_ACTOR
    assert over_rest["updatedBy"] == {**API_ACTOR, "name": "Zapier"}


def test_a_client_says_where_a_record_came_from_not_who_wrote_it(client: Client) -> None:
    # Twenty keeps a given createdBy.source; the rest of the actor is the caller's, and
    # updatedBy is always the caller.
    made = ok(
        client,
        "mutation New($data: PersonCreateInput!) "
        f"{{ createPerson(data: $data) {{ id createdBy {ACTOR} updatedBy {ACTOR} }} }}",
        {
            "data": {
                "createdBy": {"source": "IMPORT", "context": {"batch": 7}},
                "updatedBy": {"source": "WORKFLOW"},
            }
        },
    )["createPerson"]
    assert made["createdBy"] == {**API_ACTOR, "source": "IMPORT"}
    assert made["updatedBy"] == API_ACTOR
    changed = ok(
        client,
        "mutation U($id: UUID!, $data: PersonUpdateInput!) "
        f"{{ updatePerson(id: $id, data: $data) {{ createdBy {ACTOR} updatedBy {ACTOR} }} }}",
        {"id": made["id"], "data": {"createdBy": {"source": "MANUAL"}, "city": "Oslo"}},
    )["updatePerson"]
    assert changed == {"createdBy": {**API_ACTOR, "source": "IMPORT"}, "updatedBy": API_ACTOR}


# FILES, NUMBER and searchVector values


def test_files_field_round_trip(client: Client) -> None:
    create_field(client, "company", name="contracts", label="Contracts", type="FILES")
    signed, readme = str(uuid.uuid4()), str(uuid.uuid4())
    made = ok(
        client,
        "mutation New($data: CompanyCreateInput!) "
        "{ createCompany(data: $data) { id contracts { fileId label extension url } } }",
        {"data": {"name": "Acme", "contracts": [{"fileId": signed, "label": "contract.pdf"}]}},
    )["createCompany"]
    assert made["contracts"] == [
        {"fileId": signed, "label": "contract.pdf", "extension": ".pdf", "url": None}
    ]
    changed = ok(
        client,
        "mutation U($id: UUID!, $data: CompanyUpdateInput!) "
        "{ updateCompany(id: $id, data: $data) { contracts { fileId label extension } } }",
        {
            "id": made["id"],
            "data": {
                "contracts": [
                    {"fileId": signed, "label": "contract.pdf"},
                    {"fileId": readme, "label": "README"},
                ]
            },
        },
    )["updateCompany"]
    assert changed["contracts"] == [
        {"fileId": signed, "label": "contract.pdf", "extension": ".pdf"},
        {"fileId": readme, "label": "README", "extension": None},
    ]
    over_rest = client.get(f"/rest/companies/{made['id']}").json()["data"]["company"]
    assert [item["fileId"] for item in over_rest["contracts"]] == [signed, readme]
    refused(
        client,
        f'mutation {{ createCompany(data: {{contracts: [{{fileId: "{signed}"}}]}}) {{ id }} }}',
        naming="label",
    )


def test_integral_number_is_an_integer_over_rest_and_in_webhook_bodies(
    client: Client, receiver: Receiver
) -> None:
    subscribe(client, receiver)
    response = client.post("/rest/companies", json={"name": "Acme", "employees": 12.0})
    assert response.status_code == 201, response.text
    made = response.json()["data"]["createCompany"]
    assert type(made["employees"]) is int and made["employees"] == 12
    fetched = client.get(f"/rest/companies/{made['id']}").json()["data"]["company"]
    assert type(fetched["employees"]) is int and fetched["employees"] == 12
    ok(
        client,
        f'mutation {{ updateCompany(id: "{made["id"]}", data: {{employees: 13.0}}) {{ id }} }}',
    )
    arrive(receiver, {("company.created", made["id"]), ("company.updated", made["id"])})
    bodies = {r.json["eventName"]: r.json["record"] for r in receiver.received()}
    assert type(bodies["company.created"]["employees"]) is int
    assert bodies["company.created"]["employees"] == 12
    assert type(bodies["company.updated"]["employees"]) is int
    assert bodies["company.updated"]["employees"] == 13
    half = client.post("/rest/companies", json={"name": "Half", "employees": 12.5})
    assert half.json()["data"]["createCompany"]["employees"] == 12.5


def test_integral_number_is_an_integer_over_graphql(client: Client) -> None:
    body = gql(
        client,
        "/graphql",
        'mutation { createCompany(data: {name: "Acme", employees: 12.0}) { employees } }',
    )
    employees = body["data"]["createCompany"]["employees"]
    assert type(employees) is int and employees == 12, body


def test_search_filter_on_search_vector(client: Client) -> None:
    ada = create(
        client,
        "person",
        name={"firstName": "Ada", "lastName": "Lovelace"},
        jobTitle="Mathematician",
    )
    create(client, "person", name={"firstName": "Grace", "lastName": "Hopper"}, jobTitle="Admiral")

    def found(words: str) -> list[str]:
        query = (
            "query S($words: String) "
            "{ people(filter: {searchVector: {search: $words}}) { edges { node { id } } } }"
        )
        return ids_of(ok(client, query, {"words": words})["people"])

    assert found("lovelace") == [ada]
    assert found("LOVEL") == [ada]  # prefixes, any case
    assert found("mathematician") == [ada]
    ok(
        client,
        f'mutation {{ updatePerson(id: "{ada}", data: {{name: {{lastName: "Byron"}}}}) {{ id }} }}',
    )
    assert found("byron") == [ada]
    assert found("lovelace") == []
    ok(client, f'mutation {{ deletePerson(id: "{ada}") {{ id }} }}')
    assert found("byron") == []


# a mutation document with an error writes nothing


@pytest.fixture(scope="module")
def settled(server: Server) -> dict[str, Any]:
    """A workspace with records that the failing documents below would change."""
    crm = workspace(server)
    return {"client": crm, **seed_conflicts(crm)}


SEEDED_EVENTS = 9  # what seed_conflicts writes: eight records created, one deleted


def seed_conflicts(crm: Client) -> dict[str, str]:
    """Companies holding a.com and b.com, a person holding p@example.com, a soft-deleted one
    whose q@example.com another took since, and records the documents' first steps change."""
    domains = {name: {"primaryLinkUrl": f"https://{name}.com"} for name in ("a", "b", "c", "d")}
    acme = create(crm, "company", name="Acme", domainName=domains["a"])
    bravo = create(crm, "company", name="Bravo", domainName=domains["b"])
    charlie = create(crm, "company", name="Charlie", domainName=domains["c"])
    delta = create(crm, "company", name="Delta", domainName=domains["d"])
    person = create(crm, "person", companyId=acme, emails={"primaryEmail": "p@example.com"})
    extra = create(crm, "person", companyId=charlie, city="Oslo")
    gone = create(crm, "person", emails={"primaryEmail": "q@example.com"})
    ok(crm, f'mutation {{ deletePerson(id: "{gone}") {{ id }} }}')
    create(crm, "person", emails={"primaryEmail": "q@example.com"})
    return {
        "acme": acme,
        "bravo": bravo,
        "charlie": charlie,
        "delta": delta,
        "person": person,
        "extra": extra,
        "gone": gone,
    }


# Each is the failing step of a document whose earlier steps (WRITES_FIRST) succeed.
FAILING_STEPS = {
    "update id mismatch": 'updateCompany(id: "{acme}", data: {{id: "{bravo}"}}) {{ id }}',
    "upsert two matches": (
        'createCompany(upsert: true, data: {{id: "{acme}", '
        'domainName: {{primaryLinkUrl: "https://b.com"}}}}) {{ id }}'
    ),
    "unique email": 'createPerson(data: {{emails: {{primaryEmail: "p@example.com"}}}}) {{ id }}',
    "bulk update unique": (
        'updateCompanies(filter: {{id: {{in: ["{acme}", "{bravo}"]}}}}, '
        'data: {{domainName: {{primaryLinkUrl: "https://same.com"}}}}) {{ id }}'
    ),
    "empty bulk filter": "updateCompanies(filter: {{}}, data: {{employees: 1}}) {{ id }}",
    "merge priority": (
        'mergeCompanies(ids: ["{acme}", "{bravo}"], conflictPriorityIndex: 2) {{ id }}'
    ),
    "merge one id": 'mergeCompanies(ids: ["{acme}"], conflictPriorityIndex: 0) {{ id }}',
    "bad connect": (
        "createPerson(data: {{company: {{connect: {{where: "
        '{{domainName: {{primaryLinkUrl: "https://nope.com"}}}}}}}}}}) {{ id }}'
    ),
    "restore retaken": 'restorePerson(id: "{gone}") {{ id }}',
    "batch twins": (
        'createPeople(data: [{{emails: {{primaryEmail: "t@example.com"}}}}, '
        '{{emails: {{primaryEmail: "t@example.com"}}}}]) {{ id }}'
    ),
}
WRITES_FIRST = (
    'first: createCompany(data: {{name: "Marker"}}) {{ id }} '
    'moved: updatePerson(id: "{person}", data: {{city: "Changed"}}) {{ id }} '
    'merged: mergeCompanies(ids: ["{charlie}", "{delta}"], conflictPriorityIndex: 1) {{ id }} '
    'bulk: updateCompanies(filter: {{name: {{like: "%"}}}}, data: {{employees: 99}}) {{ id }} '
    'gone: destroyPerson(id: "{extra}") {{ id }} '
)


def failing_document(step: str, ids: dict[str, str]) -> str:
    return ("mutation {{ " + WRITES_FIRST + "failing: " + FAILING_STEPS[step] + " }}").format(**ids)


def test_the_first_steps_of_the_failing_documents_succeed_alone(client: Client) -> None:
    ids = seed_conflicts(client)
    done = ok(client, ("mutation {{ " + WRITES_FIRST + " }}").format(**ids))
    assert done["merged"] == {"id": ids["delta"]}
    assert len(done["bulk"]) == 4


@pytest.mark.parametrize("step", sorted(FAILING_STEPS))
def test_a_mutation_with_an_error_writes_nothing(settled: dict[str, Any], step: str) -> None:
    crm = settled["client"]
    before = snapshot(crm)
    body = gql(crm, "/graphql", failing_document(step, settled))
    assert body["data"] is None, body
    assert len(body["errors"]) == 1, body
    assert body["errors"][0]["path"] == ["failing"], body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert snapshot(crm) == before


def test_a_mutation_with_an_error_sends_no_event(client: Client, receiver: Receiver) -> None:
    subscribe(client, receiver)
    ids = seed_conflicts(client)
    receiver.wait_for(SEEDED_EVENTS)
    before = events(receiver)
    for step in FAILING_STEPS:
        assert gql(client, "/graphql", failing_document(step, ids))["data"] is None
    assert settle(receiver, client) == before
