"""``GET /open-api/core``: a valid OpenAPI 3.1 document that follows the workspace's metadata."""

from __future__ import annotations

import requests
from openapi_spec_validator import validate

from conftest import Client, Server
from metadata_support import create_object


def test_document_is_valid_openapi_and_lists_every_object(client: Client) -> None:
    response = client.get("/open-api/core")
    assert response.status_code == 200, response.text
    document = response.json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    for plural in ("people", "companies", "opportunities", "notes", "tasks"):
        assert f"/rest/{plural}" in document["paths"]
        assert f"/rest/{plural}/{{id}}" in document["paths"]
    person = document["components"]["schemas"]["PersonForCreate"]
    assert person["properties"]["companyId"]["else"]["format"] == "uuid"
    stage = document["components"]["schemas"]["OpportunityForUpdate"]["properties"]["stage"]
    assert stage["else"]["enum"] == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]


def test_custom_object_appears_in_the_next_document(client: Client) -> None:
    create_object(client, "rocket")
    document = client.get("/open-api/core").json()
    validate(document)
    assert "/rest/rockets" in document["paths"]
    assert "Rocket" in document["components"]["schemas"]


def test_requires_an_api_key(server: Server) -> None:
    response = requests.get(f"{server.base_url}/open-api/core", timeout=10)
    assert response.status_code == 401
    assert response.json()["messages"] == ["Token invalid."]


def test_batch_bodies_hold_at_least_one_item(client: Client) -> None:
    paths = client.get("/open-api/core").json()["paths"]
    body = paths["/rest/batch/people"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["type"] == "array"
    assert body["schema"]["minItems"] == 1
    empty = client.post("/rest/batch/people", json=[])
    assert empty.status_code == 400
