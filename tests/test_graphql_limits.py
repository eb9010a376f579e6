"""GraphQL limits and transports: depth and cost bounds, introspection, GET for queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import build_client_schema, get_introspection_query, print_schema

from conftest import Client
from graphql_support import gql, ok

MAX_DEPTH = 12
MAX_COST = 250_000
SCALARS = "id jobTitle city companyId position createdAt updatedAt deletedAt"  # 8 fields


def refused(body: dict[str, Any]) -> dict[str, Any]:
    """The single QUERY_TOO_COMPLEX error of a document that was not executed."""
    assert "data" not in body, body  # refused before execution: no data at all
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    return error


def depth_message(depth: int) -> str:
    return f"Query is {depth} levels deep; the limit is {MAX_DEPTH}. Split it into several queries."


def cost_message(cost: int) -> str:
    return (
        f"Query could return about {cost} values; the limit is {MAX_COST}. "
        "Ask for fewer fields or smaller pages (first/last)."
    )


@pytest.fixture
def cyclic(client: Client) -> dict[str, str]:
    """A company whose ``ceo`` (a custom relation) works at that company: a cycle to nest."""
    edges = ok(client, "{ objects { edges { node { id nameSingular } } } }", path="/metadata")[
        "objects"
    ]["edges"]
    company_object = next(e["node"]["id"] for e in edges if e["node"]["nameSingular"] == "company")
    ok(
        client,
        "mutation { createOneField(input: {field: {objectMetadataId: "
        f'"{company_object}", name: "ceo", label: "CEO", type: RELATION, '
        'settings: {targetObject: "person"}}}) { id } }',
        path="/metadata",
    )
    company = ok(client, 'mutation { createCompany(data: {name: "Acme"}) { id } }')
    company_id = company["createCompany"]["id"]
    person = ok(
        client,
        f'mutation {{ createPerson(data: {{city: "Paris", companyId: "{company_id}"}}) {{ id }} }}',
    )
    person_id = person["createPerson"]["id"]
    ok(
        client,
        f'mutation {{ updateCompany(id: "{company_id}", data: {{ceoId: "{person_id}"}}) '
        "{ id } }",
    )
    return {"company": company_id, "person": person_id}


def relation_chain(depth: int, innermost: str = "id") -> str:
    """``person { company { ceo { company … { id } } } }`` whose selection sets nest
    ``depth`` deep (the operation's own selection set is level 1, person's is level 2)."""
    body = innermost
    for hop in reversed(range(depth - 2)):
        body = f"{('company', 'ceo')[hop % 2]} {{ {body} }}"
    return body


def company_count(client: Client) -> int:
    return ok(client, "{ companies { totalCount } }")["companies"]["totalCount"]


# depth


def test_query_at_the_depth_limit_runs(client: Client, cyclic: dict[str, str]) -> None:
    query = (
        f'query {{ person(filter: {{id: {{eq: "{cyclic["person"]}"}}}}) '
        f"{{ {relation_chain(MAX_DEPTH)} }} }}"
    )
    node = ok(client, query)["person"]
    hops = 0
    while "id" not in node:
        node = node["company"] if "company" in node else node["ceo"]
        hops += 1
    assert hops == MAX_DEPTH - 2
    assert node["id"] in (cyclic["company"], cyclic["person"])


def test_query_beyond_the_depth_limit_is_refused(client: Client, cyclic: dict[str, str]) -> None:
    for depth in (MAX_DEPTH + 1, 40):
        query = f"query {{ person(filter: {{}}) {{ {relation_chain(depth)} }} }}"
        error = refused(gql(client, "/graphql", query))
        assert error["message"] == depth_message(depth)


def test_deep_nesting_through_fragments_is_refused(client: Client, cyclic: dict[str, str]) -> None:
    fragments = "".join(
        f"fragment F{i} on Person {{ company {{ ceo {{ id ...F{i + 1} }} }} }} " for i in range(7)
    )
    fragments += "fragment F7 on Person { city } "
    query = f"query Deep {{ person(filter: {{}}) {{ ...F0 }} }} {fragments}"
    error = refused(gql(client, "/graphql", query))
    assert error["message"] == depth_message(2 + 2 * 7)

    chain = relation_chain(MAX_DEPTH + 1)
    inline = f"query Inline {{ person(filter: {{}}) {{ ... on Person {{ {chain} }} }} }}"
    body = gql(client, "/graphql", inline)
    assert refused(body)["message"] == depth_message(MAX_DEPTH + 1)


def test_deep_mutation_is_refused_and_not_executed(client: Client, cyclic: dict[str, str]) -> None:
    before = company_count(client)
    query = (
        'mutation Deep { createCompany(data: {name: "Too deep"}) '
        f"{{ ceo {{ {relation_chain(MAX_DEPTH)} }} }} }}"
    )
    error = refused(gql(client, "/graphql", query))
    assert error["message"] == depth_message(MAX_DEPTH + 1)
    assert company_count(client) == before
    found = ok(client, '{ companies(filter: {name: {eq: "Too deep"}}) { totalCount } }')
    assert found == {"companies": {"totalCount": 0}}


# cost


def many_pages(aliases: int, first: str = "200") -> str:
    selections = " ".join(
        f"p{i}: people(first: {first}) {{ edges {{ node {{ {SCALARS} }} }} }}"
        for i in range(aliases)
    )
    return f"{{ {selections} }}"


def test_enormous_query_is_refused(client: Client) -> None:
    # Each alias: people (1) + edges (1) + node (200) + 8 fields x 200 = 1802 values.
    error = refused(gql(client, "/graphql", many_pages(139)))
    assert error["message"] == cost_message(139 * 1802)


def test_enormous_query_with_page_size_in_variables_is_refused(client: Client) -> None:
    query = many_pages(139, first="$n").replace("{ p0", "query Big($n: Int) { p0", 1)
    error = refused(gql(client, "/graphql", query, {"n": 200}))
    assert error["message"] == cost_message(139 * 1802)
    small = ok(client, query, {"n": 5})  # 139 x (1 + 1 + 5 + 40) values
    assert len(small) == 139


def test_page_size_in_a_variable_default_counts(client: Client) -> None:
    query = many_pages(139, first="$n").replace("{ p0", "query Big($n: Int = 200) { p0", 1)
    error = refused(gql(client, "/graphql", query))
    assert error["message"] == cost_message(139 * 1802)
    assert len(ok(client, query, {"n": 5})) == 139


def test_page_sizes_count_at_most_the_server_maximum(client: Client) -> None:
    # first: 100000 is refused by the page-size rule, not counted as 100000 rows.
    body = gql(client, "/graphql", "{ people(first: 100000) { edges { node { id } } } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == "first: expected 1 to 200, got 100000"


def test_large_but_bounded_query_runs(client: Client) -> None:
    ok(client, 'mutation { createPeople(data: [{city: "A"}, {city: "B"}]) { id } }')
    data = ok(client, many_pages(138))  # 138 x 1802 = 248676 values, under the limit
    assert sorted(data) == sorted(f"p{i}" for i in range(138))
    assert all(len(page["edges"]) == 2 for page in data.values())


def test_normal_query_runs(client: Client) -> None:
    ok(client, 'mutation { createCompany(data: {name: "Acme"}) { id } }')
    data = ok(
        client,
        "query Normal { companies(first: 60, orderBy: [{name: AscNullsFirst}]) { "
        "edges { cursor node { id name address { addressCity addressCountry } "
        "annualRecurringRevenue { amountMicros currencyCode } } } "
        "pageInfo { hasNextPage endCursor } totalCount } currentWorkspace { id } }",
    )
    assert data["companies"]["totalCount"] == 1
    assert data["companies"]["edges"][0]["node"]["name"] == "Acme"
    assert data["currentWorkspace"] == {"id": client.workspace_id}


def test_metadata_pages_count_what_the_workspace_holds(client: Client) -> None:
    """``first: 1000`` on a workspace of a few objects costs those objects, not a thousand."""
    catalog = metadata_shape(client)
    objects, most_fields = len(catalog), max(catalog.values())
    fields = "type name label description isActive isNullable defaultValue options"
    one = f"objects(paging: {{first: 1000}}) {{ edges {{ node {{ fieldsList {{ {fields} }} }} }} }}"
    # Each alias: objects, edges (1 each) + node, fieldsList (one per object) + 8 per field.
    per_alias = 2 + 2 * objects + 8 * objects * most_fields
    aliases = MAX_COST // per_alias + 1
    many = " ".join(f"o{i}: {one}" for i in range(aliases))
    error = refused(gql(client, "/metadata", f"{{ {many} }}"))
    assert error["message"] == cost_message(aliases * per_alias)
    assert (
        len(ok(client, f"{{ {' '.join(f'o{i}: {one}' for i in range(6))} }}", path="/metadata"))
        == 6
    )


def metadata_shape(client: Client) -> dict[str, int]:
    """Field count per object, every object included (active or not)."""
    edges = ok(client, "{ objects { edges { node { nameSingular fieldsList { id } } } } }",
               path="/metadata")["objects"]["edges"]  # fmt: skip
    return {e["node"]["nameSingular"]: len(e["node"]["fieldsList"]) for e in edges}


# introspection


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_standard_introspection_query_loads_into_a_client_schema(client: Client, path: str) -> None:
    data = ok(client, get_introspection_query(descriptions=True), path=path)
    schema = build_client_schema(data)
    assert "currentWorkspace" in schema.query_type.fields
    printed = print_schema(schema)
    if path == "/graphql":
        person = schema.get_type("Person")
        assert {"id", "name", "emails", "companyId", "company"} <= set(person.fields)
        assert str(person.fields["name"].type) == "FullName"
        assert str(schema.get_type("Query").fields["people"].type) == "PersonConnection"
        assert {"createPerson", "createPeople", "updatePerson", "deletePerson", "destroyPerson",
                "restorePerson"} <= set(schema.mutation_type.fields)  # fmt: skip
        assert "enum OpportunityStageEnum" in printed
        assert "scalar DateTime" in printed
    else:
        assert {"objects", "object", "apiKeys"} <= set(schema.query_type.fields)
        assert {"createOneObject", "updateOneObject", "deleteOneObject", "createOneField",
                "updateOneField", "deleteOneField", "createApiKey", "revokeApiKey"} <= set(
            schema.mutation_type.fields
        )  # fmt: skip


def test_introspection_follows_custom_objects(client: Client) -> None:
    ok(
        client,
        'mutation { createOneObject(input: {object: {nameSingular: "invoice", '
        'namePlural: "invoices", labelSingular: "Invoice", labelPlural: "Invoices"}}) { id } }',
        path="/metadata",
    )
    schema = build_client_schema(ok(client, get_introspection_query()))
    assert {"invoice", "invoices"} <= set(schema.query_type.fields)
    assert "createInvoice" in schema.mutation_type.fields


# GET


def test_get_runs_queries(client: Client) -> None:
    ok(client, 'mutation { createPerson(data: {city: "Paris"}) { id } }')
    response = client.get("/graphql", params={"query": "{ people { totalCount } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"people": {"totalCount": 1}}}

    response = client.get(
        "/graphql",
        params={
            "query": "query ByCity($city: String) "
            "{ people(filter: {city: {eq: $city}}) { edges { node { city } } } }",
            "variables": json.dumps({"city": "Paris"}),
            "operationName": "ByCity",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"people": {"edges": [{"node": {"city": "Paris"}}]}}}

    response = client.get(
        "/graphql", params={"query": "{ people { totalCount } }", "variables": "{not json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "'variables' must be a JSON object."


def test_get_refuses_mutations(client: Client) -> None:
    response = client.get(
        "/graphql", params={"query": 'mutation { createPerson(data: {city: "Paris"}) { id } }'}
    )
    assert response.status_code == 405
    assert response.json() == {
        "errors": [
            {
                "message": "Mutations must be sent with POST.",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert ok(client, "{ people { totalCount } }") == {"people": {"totalCount": 0}}


def test_get_applies_the_limits(client: Client) -> None:
    response = client.get("/graphql", params={"query": many_pages(139)})
    assert response.status_code == 200
    assert refused(response.json())["message"] == cost_message(139 * 1802)
