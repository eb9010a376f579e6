"""Twenty's own clients against a live server: their documents sent verbatim, Twenty's answers.

The documents are those of Twenty's Zapier connector (packages/twenty-zapier): its schema query
``GetObjects``, its webhook subscription, and the record mutations it writes with every value
inlined (``handleQueryParams``). A client written for Twenty must work by changing its base URL
only, so nothing here is adapted to Hookwire.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from conftest import APP_SECRET, Client, Server, new_workspace
from graphql_support import gql
from hookwire.crm.catalog import Catalog, load_catalog
from hookwire.crm.field_types import FieldType
from hookwire.crm.metadata import add_object, bump_version
from hookwire.crm.standard_objects import FieldDefinition, ObjectDefinition
from hookwire.database import transaction
from hookwire.hooks.webhook_secrets import SecretBox
from hookwire.models import Webhook

# requestSchema in the connector's utils/requestDb.ts, as DESIGN.md quotes it.
GET_OBJECTS = (
    "query GetObjects { objects(paging: {first: 1000}, filter: {isActive: {is:true}}) "
    "{ edges { node { nameSingular namePlural labelSingular "
    "fields(paging: {first: 1000}, filter: {isActive: {is:true}}) "
    "{ edges { node { type name label description isNullable defaultValue options } } } "
    "} } } }"
)
BIG_OBJECTS, BIG_FIELDS = 200, 50
# Types without an expression index, so building the big workspace adds none to the shared
# test database.
BIG_FIELD_TYPES = (FieldType.RICH_TEXT, FieldType.RAW_JSON, FieldType.ARRAY)
UNRESOLVABLE_TARGET = "https://hooks.zapier.invalid/catch/1"  # .invalid never resolves


def handle_query_params(data: dict[str, Any]) -> str:
    """``handleQueryParams`` (utils/handleQueryParams.ts): values inlined as GraphQL literals,
    strings in double quotes, numbers and booleans bare, lists in brackets."""

    def literal(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ",".join(f'"{item}"' for item in value) + "]"
        if isinstance(value, dict):
            return "{" + handle_query_params(value) + "}"
        if isinstance(value, str):
            return f'"{value}"'
        return str(value).lower() if isinstance(value, bool) else str(value)

    return ", ".join(f"{key}: {literal(value)}" for key, value in data.items())


def crud_record(operation: str, name_singular: str, data: dict[str, Any]) -> str:
    """The document ``perform`` of creates/crud_record.ts sends, whitespace included."""
    name = f"{operation}{name_singular[:1].upper()}{name_singular[1:]}"
    if operation == "create":
        parameters = f"data:{{{handle_query_params(data)}}}"
    elif operation == "update":
        parameters = (
            f'\n      data:{{{handle_query_params(data)}}},\n      id: "{data["id"]}"\n      '
        )
    else:
        parameters = f'\n      id: "{data["id"]}"\n      '
    return f"\n  mutation {name} {{\n    {name}(\n      {parameters}\n    )\n    {{id}}\n  }}"


def answer(client: Client, path: str, document: str) -> dict[str, Any]:
    """``data`` of a document Twenty answers without errors."""
    body = gql(client, path, document)
    assert "errors" not in body, body
    return body["data"]


def catalog_of(client: Client, server: Server) -> Catalog:
    with transaction(server.database.engine) as session:
        return load_catalog(session, client.workspace_id)


def expected_objects(catalog: Catalog) -> list[tuple[str, str, str, list[str]]]:
    """What GetObjects must answer: every active object with every active field, in order."""
    return [
        (
            o.name_singular,
            o.name_plural,
            o.label_singular,
            [f.name for f in o.fields if f.is_active],
        )
        for o in catalog.objects
        if o.is_active
    ]


def answered_objects(data: dict[str, Any]) -> list[tuple[str, str, str, list[str]]]:
    return [
        (
            node["nameSingular"],
            node["namePlural"],
            node["labelSingular"],
            [edge["node"]["name"] for edge in node["fields"]["edges"]],
        )
        for node in (edge["node"] for edge in data["objects"]["edges"])
    ]


# GetObjects


def test_get_objects_answers_every_object_and_field(client: Client, server: Server) -> None:
    data = answer(client, "/metadata", GET_OBJECTS)
    assert answered_objects(data) == expected_objects(catalog_of(client, server))
    nodes = {edge["node"]["nameSingular"]: edge["node"] for edge in data["objects"]["edges"]}
    assert list(nodes) == ["company", "person", "opportunity", "note", "task", "attachment"]
    person = {edge["node"]["name"]: edge["node"] for edge in nodes["person"]["fields"]["edges"]}
    # System fields say what the server fills in, so a connector never asks for them.
    assert person["id"] == {
        "type": "UUID",
        "name": "id",
        "label": "Id",
        "description": None,
        "isNullable": False,
        "defaultValue": "uuid",
        "options": None,
    }
    assert person["createdAt"]["defaultValue"] == "now"
    assert person["position"]["defaultValue"] == 0
    assert person["createdBy"]["type"] == "ACTOR"
    assert person["searchVector"]["type"] == "TS_VECTOR"
    assert person["company"]["type"] == "RELATION"
    assert person["name"]["type"] == "FULL_NAME"
    company = {edge["node"]["name"]: edge["node"] for edge in nodes["company"]["fields"]["edges"]}
    assert company["people"]["type"] == "RELATION"


@pytest.fixture(scope="module")
def big_workspace(server: Server) -> Iterator[Client]:
    """A workspace of 200 custom objects of 50 fields each, written straight to the database."""
    workspace_id, token = new_workspace(server.database)
    fields = tuple(
        FieldDefinition(f"field{j}", f"Field {j}", BIG_FIELD_TYPES[j % len(BIG_FIELD_TYPES)])
        for j in range(BIG_FIELDS)
    )
    with transaction(server.database.engine) as session:
        for i in range(BIG_OBJECTS):
            definition = ObjectDefinition(
                f"thing{i}", f"things{i}", f"Thing {i}", f"Things {i}", fields
            )
            add_object(session, workspace_id, definition, is_custom=True)
        bump_version(session, workspace_id)
    yield Client(server.base_url, token, workspace_id)


def test_get_objects_answers_a_workspace_of_200_objects_of_50_fields(
    big_workspace: Client, server: Server
) -> None:
    data = answer(big_workspace, "/metadata", GET_OBJECTS)
    expected = expected_objects(catalog_of(big_workspace, server))
    assert len(expected) == 6 + BIG_OBJECTS
    assert answered_objects(data) == expected
    custom_fields = [f"field{j}" for j in range(BIG_FIELDS)]
    for name, *_, fields in expected[6:]:
        assert [f for f in fields if f.startswith("field")] == custom_fields, name


# webhooks: the connector's performSubscribe / performUnsubscribe


def test_connector_subscribes_to_a_catch_url_not_resolvable_yet_and_unsubscribes(
    client: Client, server: Server
) -> None:
    create = (
        "mutation createWebhook {createWebhook(input:{"
        + handle_query_params(
            {
                "targetUrl": UNRESOLVABLE_TARGET,
                "operations": ["company.created"],
                "description": "Zapier: company.created",
                "secret": "",
            }
        )
        + "}) {id}}"
    )
    assert create == (
        'mutation createWebhook {createWebhook(input:{targetUrl: "https://hooks.zapier.invalid/'
        'catch/1", operations: ["company.created"], description: "Zapier: company.created", '
        'secret: ""}) {id}}'
    )
    created = answer(client, "/metadata", create)["createWebhook"]
    webhook_id = created["id"]
    assert created == {"id": webhook_id} and uuid.UUID(webhook_id)
    listed = answer(client, "/metadata", "{ webhooks { id targetUrl operations description } }")
    assert listed["webhooks"] == [
        {
            "id": webhook_id,
            "targetUrl": UNRESOLVABLE_TARGET,
            "operations": ["company.created"],
            "description": "Zapier: company.created",
        }
    ]
    with transaction(server.database.engine) as session:
        row = session.exec(select(Webhook).where(Webhook.id == webhook_id)).one()
        secret = SecretBox(APP_SECRET).open(row.secret_ciphertext)
    assert secret.startswith("whsec_")  # `secret: ""` asks for a generated one

    arguments = handle_query_params({"id": webhook_id})
    delete = f"mutation deleteWebhook {{deleteWebhook({arguments}) {{id}}}}"
    assert delete == f'mutation deleteWebhook {{deleteWebhook(id: "{webhook_id}") {{id}}}}'
    assert answer(client, "/metadata", delete) == {"deleteWebhook": {"id": webhook_id}}
    assert answer(client, "/metadata", "{ webhooks { id } }") == {"webhooks": []}


# records: the connector's crud_record


def test_connector_creates_updates_and_deletes_a_company_with_inlined_values(
    client: Client,
) -> None:
    create = crud_record("create", "company", {"name": "Acme", "employees": 12})
    assert " ".join(create.split()) == (
        'mutation createCompany { createCompany( data:{name: "Acme", employees: 12} ) {id} }'
    )
    company_id = answer(client, "/graphql", create)["createCompany"]["id"]
    stored = client.get(f"/rest/companies/{company_id}").json()["data"]["company"]
    assert (stored["name"], stored["employees"]) == ("Acme", 12)

    update = crud_record("update", "company", {"id": company_id, "name": "Acme 2"})
    assert " ".join(update.split()) == (
        f'mutation updateCompany {{ updateCompany( data:{{id: "{company_id}", name: "Acme 2"}}, '
        f'id: "{company_id}" ) {{id}} }}'
    )
    assert answer(client, "/graphql", update) == {"updateCompany": {"id": company_id}}
    assert client.get(f"/rest/companies/{company_id}").json()["data"]["company"]["name"] == (
        "Acme 2"
    )

    delete = crud_record("delete", "company", {"id": company_id})
    assert " ".join(delete.split()) == (
        f'mutation deleteCompany {{ deleteCompany( id: "{company_id}" ) {{id}} }}'
    )
    assert answer(client, "/graphql", delete) == {"deleteCompany": {"id": company_id}}
    remaining = answer(
        client,
        "/graphql",
        f'{{ companies(filter: {{id: {{eq: "{company_id}"}}}}) {{ totalCount }} }}',
    )
    assert remaining == {"companies": {"totalCount": 0}}


def test_get_objects_answer_follows_every_metadata_change(client: Client) -> None:
    """The connector repeats GetObjects before every step; repeats are served from memory
    until the metadata changes, and a change shows at once."""
    first = gql(client, "/metadata", GET_OBJECTS)
    assert gql(client, "/metadata", GET_OBJECTS) == first
    company = next(
        edge["node"]
        for edge in gql(client, "/metadata", "{ objects { edges { node { id nameSingular } } } }")[
            "data"
        ]["objects"]["edges"]
        if edge["node"]["nameSingular"] == "company"
    )
    created = gql(
        client,
        "/metadata",
        "mutation { createOneField(input: {field: {objectMetadataId: "
        f'"{company["id"]}", name: "tier", label: "Tier", type: TEXT}}}}) {{ id }} }}',
    )
    assert "errors" not in created, created
    after = gql(client, "/metadata", GET_OBJECTS)
    names = {
        field["node"]["name"]
        for edge in after["data"]["objects"]["edges"]
        if edge["node"]["nameSingular"] == "company"
        for field in edge["node"]["fields"]["edges"]
    }
    assert "tier" in names
    assert after != first


def test_the_same_introspection_text_answers_each_endpoint_with_its_own_schema(
    client: Client,
) -> None:
    query = "{ __schema { queryType { fields { name } } } }"
    roots = {
        path: {
            f["name"] for f in gql(client, path, query)["data"]["__schema"]["queryType"]["fields"]
        }
        for path in ("/metadata", "/graphql", "/metadata", "/graphql")
    }
    assert "objects" in roots["/metadata"] and "people" not in roots["/metadata"]
    assert "people" in roots["/graphql"] and "objects" not in roots["/graphql"]
