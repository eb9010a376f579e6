"""How the bundled connector talks to the CRM: GraphQL over HTTP, and the object metadata."""

from __future__ import annotations

import os
from typing import Any

from hookwire.connector import Bundle, ConnectorError, ExpiredAuthError, Requester

AUTH_ERROR_CODES = ("UNAUTHENTICATED", "FORBIDDEN")
SYSTEM_FIELDS = ("id", "createdAt", "updatedAt", "deletedAt", "position")
COMPOSITE_SUBFIELDS: dict[str, tuple[str, ...]] = {
    "FULL_NAME": ("firstName", "lastName"),
    "EMAILS": ("primaryEmail", "additionalEmails"),
    "PHONES": (
        "primaryPhoneNumber",
        "primaryPhoneCountryCode",
        "primaryPhoneCallingCode",
        "additionalPhones",
    ),
    "LINKS": ("primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"),
    "CURRENCY": ("amountMicros", "currencyCode"),
    "ADDRESS": (
        "addressStreet1",
        "addressStreet2",
        "addressCity",
        "addressState",
        "addressCountry",
        "addressPostcode",
        "addressLat",
        "addressLng",
    ),
    "ACTOR": ("source", "workspaceMemberId", "name", "context"),
}
# Set by the server from the caller (createdBy, updatedBy): read, never written.
SERVER_FILLED_TYPES = ("ACTOR",)
# The schema as Twenty's own connector reads it: active objects, each with its active fields.
# Answers ``objects.edges[].node`` with ``fields.edges[].node`` (see ``active_objects``).
OBJECTS_QUERY = """
query GetObjects {
  objects(paging: {first: 1000}, filter: {isActive: {is: true}}) {
    edges { node {
      id nameSingular namePlural labelSingular labelPlural labelIdentifierFieldMetadataId
      fields(paging: {first: 1000}, filter: {isActive: {is: true}}) {
        edges { node {
          id name type label description isSystem isNullable defaultValue options settings
        } }
      }
    } }
  }
}
"""


def default_api_url() -> str:
    """The server on this machine: ``http://localhost:$PORT`` (3000 when PORT is unset)."""
    return f"http://localhost:{os.environ.get('PORT') or 3000}"


class GraphQLError(ConnectorError):
    """The server answered a GraphQL request with errors; ``code`` is the first one's."""

    def __init__(self, message: str, code: str | None) -> None:
        super().__init__(message)
        self.code = code


def api_url(bundle: Bundle) -> str:
    """The server's base URL from the connection, without a trailing slash."""
    return str(bundle.auth_data.get("apiUrl") or default_api_url()).rstrip("/")


def graphql(
    z: Requester,
    bundle: Bundle,
    endpoint: str,
    document: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``data`` of a GraphQL request to ``/graphql`` or ``/metadata``; errors become typed."""
    response = z.request(
        f"{api_url(bundle)}/{endpoint}",
        method="POST",
        body={"query": document, "variables": variables or {}},
    )
    try:
        payload = response.json()
    except ValueError:
        raise ConnectorError(
            f"{api_url(bundle)}/{endpoint} did not answer JSON; is apiUrl a Hookwire or "
            "Twenty server?"
        ) from None
    errors = payload.get("errors") or []
    if errors:
        code = (errors[0].get("extensions") or {}).get("code")
        messages = "; ".join(str(error.get("message")) for error in errors)
        if code in AUTH_ERROR_CODES:
            raise ExpiredAuthError(
                f"the server rejected the API key ({messages}); create a new key "
                "(hookwire apikey create) and reconnect"
            )
        raise GraphQLError(f"{endpoint}: {messages}", code)
    return payload["data"]


def active_objects(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    """Every active object, its active fields as a list under ``fields``."""
    data = graphql(z, bundle, "metadata", OBJECTS_QUERY)
    return [
        {**node, "fields": [edge["node"] for edge in node["fields"]["edges"]]}
        for node in (edge["node"] for edge in data["objects"]["edges"])
    ]


def find_object(z: Requester, bundle: Bundle, name_singular: Any) -> dict[str, Any]:
    """The active object named ``name_singular``; an error listing the choices otherwise."""
    objects = active_objects(z, bundle)
    for node in objects:
        if node["nameSingular"] == name_singular:
            return node
    names = ", ".join(node["nameSingular"] for node in objects)
    raise ConnectorError(
        f"inputData.nameSingular: no active object named {name_singular!r}; use one of {names}"
    )


def is_to_many(field: dict[str, Any]) -> bool:
    """The one-to-many side of a relation: the other records store it, not this one."""
    settings = field.get("settings") or {}
    return field["type"] == "RELATION" and settings.get("relationType") == "ONE_TO_MANY"


def data_fields(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields a record of the object holds: not system, not a one-to-many relation."""
    return [field for field in node["fields"] if not field["isSystem"] and not is_to_many(field)]


def writable_fields(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields a user writes: those a record holds, less what the server fills in."""
    return [field for field in data_fields(node) if field["type"] not in SERVER_FILLED_TYPES]


def storage_names(field: dict[str, Any]) -> list[str]:
    """The keys a record carries for the field: ``companyId`` for the relation ``company``;
    one id per target for a morph relation (``ownerPersonId``, ``ownerCompanyId``)."""
    if field["type"] == "RELATION":
        return [f"{field['name']}Id"]
    if field["type"] == "MORPH_RELATION":
        targets = (field.get("settings") or {}).get("targetObjects") or []
        return [f"{field['name']}{target[:1].upper()}{target[1:]}Id" for target in targets]
    return [field["name"]]


def field_selection(field: dict[str, Any]) -> str:
    """How to select one field: a composite lists its subfields."""
    subfields = COMPOSITE_SUBFIELDS.get(field["type"])
    if subfields:
        return f"{field['name']} {{ {' '.join(subfields)} }}"
    return " ".join(storage_names(field))


def selection(node: dict[str, Any]) -> str:
    """A GraphQL selection of every field of the object's records."""
    return " ".join([*SYSTEM_FIELDS, *(field_selection(f) for f in data_fields(node))])


def label_field(node: dict[str, Any]) -> dict[str, Any] | None:
    """The field whose value names a record (``name`` for people and companies)."""
    wanted = node.get("labelIdentifierFieldMetadataId")
    return next((f for f in data_fields(node) if f["id"] == wanted), None)


def type_name(node: dict[str, Any], suffix: str = "") -> str:
    """The GraphQL type name for the object: ``Person``, ``PersonCreateInput``."""
    name = node["nameSingular"]
    return name[:1].upper() + name[1:] + suffix


def record_label(node: dict[str, Any], record: dict[str, Any]) -> str:
    """A readable label: the label-identifier field's value, else the id."""
    field = label_field(node)
    value = record.get(field["name"]) if field else None
    if isinstance(value, dict):
        value = " ".join(str(part) for part in value.values() if isinstance(part, str) and part)
    return str(value) if value not in (None, "") else str(record["id"])
