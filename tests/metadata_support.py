"""Custom objects and fields over REST metadata for tests, created the way a client does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conftest import Client

# (name, type, more of the field's body: options, settings...)
FieldSpec = tuple[str, str, dict[str, Any]]


def create_object(client: Client, singular: str, plural: str | None = None) -> str:
    """Create the object ``singular``/``plural`` (default: ``singular`` + "s"); its id."""
    plural = plural or f"{singular}s"
    response = client.post(
        "/rest/metadata/objects",
        json={
            "nameSingular": singular,
            "namePlural": plural,
            "labelSingular": singular.title(),
            "labelPlural": plural.title(),
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["createOneObject"]["id"]


def add_fields(client: Client, object_id: str, fields: Iterable[FieldSpec]) -> None:
    """Add each ``(name, type, extra)`` to the object, labelled by its name."""
    for name, field_type, extra in fields:
        body = {"objectMetadataId": object_id, "name": name, "label": name, "type": field_type}
        response = client.post("/rest/metadata/fields", json=body | extra)
        assert response.status_code == 201, response.text
