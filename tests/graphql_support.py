"""GraphQL over HTTP for tests: one POST helper, answers checked the same way everywhere."""

from __future__ import annotations

from typing import Any

from conftest import Client


def gql(
    client: Client,
    path: str,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL document; GraphQL answers HTTP 200 even for errors."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    if operation_name is not None:
        payload["operationName"] = operation_name
    response = client.post(path, json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def ok(client: Client, query: str, variables: dict[str, Any] | None = None, path: str = "/graphql"):
    """The ``data`` of a document that must succeed."""
    body = gql(client, path, query, variables)
    assert "errors" not in body, body
    return body["data"]


def metadata_object_id(client: Client, name_singular: str) -> str:
    edges = ok(
        client,
        "{ objects(paging: {first: 100}) { edges { node { id nameSingular } } } }",
        path="/metadata",
    )["objects"]["edges"]
    return next(e["node"]["id"] for e in edges if e["node"]["nameSingular"] == name_singular)


def create_field(
    client: Client,
    object_name: str,
    selection: str = "id name type isNullable options",
    **field: Any,
) -> dict[str, Any]:
    """Add a field to an object over /metadata, as Twenty's clients do; its ``selection``."""
    field = {"objectMetadataId": metadata_object_id(client, object_name), **field}
    return ok(
        client,
        "mutation AddField($input: CreateOneFieldMetadataInput!) "
        f"{{ createOneField(input: $input) {{ {selection} }} }}",
        {"input": {"field": field}},
        path="/metadata",
    )["createOneField"]
