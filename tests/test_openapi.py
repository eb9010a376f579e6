"""``GET /open-api/core``: a valid OpenAPI 3.1 document that follows the workspace's metadata."""

from __future__ import annotations

import requests
from openapi_spec_validator import validate

from conftest import Client, Server


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
    assert person["properties"]["companyId"]["else"]["pattern"].startswith("^[0-9a-fA-F]")
    stage = document["components"]["schemas"]["OpportunityForUpdate"]["properties"]["stage"]
    assert stage["else"]["enum"] == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]


def test_custom_object_appears_in_the_next_document(client: Client) -> None:
    created = client.post(
        "/rest/metadata/objects",
        json={
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Rocket",
            "labelPlural": "Rockets",
        },
    )
    assert created.status_code == 201, created.text
    document = client.get("/open-api/core").json()
    validate(document)
    assert "/rest/rockets" in document["paths"]
    assert "Rocket" in document["components"]["schemas"]


def test_requires_an_api_key(server: Server) -> None:
    response = requests.get(f"{server.base_url}/open-api/core", timeout=10)
    assert response.status_code == 401
    assert response.json()["messages"] == ["Token invalid."]
