"""The action: create, update or delete a record of any object, fields from its metadata.

Every value travels as a GraphQL variable; only names checked against the metadata (object
and type names) are part of the document.
"""

from __future__ import annotations

from typing import Any

from hookwire.actions.record_fields import input_fields, record_data
from hookwire.connector import Bundle, ConnectorError, Requester
from hookwire.triggers import find_object_names_singular, list_record_ids
from hookwire.triggers.crm_api import find_object, graphql, selection, type_name

KEY = "crud_record"
OPERATIONS = ("create", "update", "delete")
CONTROL_KEYS = ("nameSingular", "operation", "id")


def record_input_fields(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    """The fields the chosen object and operation need (none until both are chosen)."""
    name, operation = bundle.input_data.get("nameSingular"), bundle.input_data.get("operation")
    if not name or operation not in OPERATIONS:
        return []
    id_field = {
        "key": "id",
        "label": "Record",
        "type": "string",
        "required": True,
        "dynamic": list_record_ids.DROPDOWN,
        "helpText": "The id of the record to change.",
    }
    if operation == "delete":
        return [id_field]
    fields = input_fields(find_object(z, bundle, name), for_create=operation == "create")
    return [id_field, *fields] if operation == "update" else fields


def perform(z: Requester, bundle: Bundle) -> dict[str, Any]:
    """Run the mutation; the record as it is afterwards."""
    inputs = bundle.input_data
    operation = inputs["operation"]
    if operation not in OPERATIONS:
        raise ConnectorError(
            f"inputData.operation: {operation!r} is not one of {', '.join(OPERATIONS)}"
        )
    node = find_object(z, bundle, inputs["nameSingular"])
    values = {key: value for key, value in inputs.items() if key not in CONTROL_KEYS}
    if operation != "create" and not inputs.get("id"):
        raise ConnectorError(f"inputData.id: required to {operation} a record")
    if operation == "delete":
        if values:
            raise ConnectorError(f"inputData: delete takes only id, not {', '.join(values)}")
        document = _mutation(node, "delete", "$id: UUID!", "id: $id")
        variables: dict[str, Any] = {"id": inputs["id"]}
    elif operation == "update":
        data_type = type_name(node, "UpdateInput")
        document = _mutation(
            node, "update", f"$id: UUID!, $data: {data_type}!", "id: $id, data: $data"
        )
        variables = {"id": inputs["id"], "data": record_data(node, values)}
    else:
        data_type = type_name(node, "CreateInput")
        document = _mutation(node, "create", f"$data: {data_type}!", "data: $data")
        variables = {"data": record_data(node, values)}
    field = f"{operation}{type_name(node)}"
    return graphql(z, bundle, "graphql", document, variables)[field]


def _mutation(node: dict[str, Any], verb: str, parameters: str, arguments: str) -> str:
    field = f"{verb}{type_name(node)}"
    return (
        f"mutation {verb.capitalize()}Record({parameters}) "
        f"{{ {field}({arguments}) {{ {selection(node)} }} }}"
    )


ACTION: dict[str, Any] = {
    "key": KEY,
    "noun": "Record",
    "display": {
        "label": "Create, Update or Delete Record",
        "description": "Creates, updates or deletes a record of any object.",
    },
    "operation": {
        "inputFields": [
            {
                "key": "nameSingular",
                "label": "Object",
                "required": True,
                "dynamic": find_object_names_singular.DROPDOWN,
                "altersDynamicFields": True,
            },
            {
                "key": "operation",
                "label": "Operation",
                "required": True,
                "choices": [{"value": op, "label": op.capitalize()} for op in OPERATIONS],
                "altersDynamicFields": True,
            },
            record_input_fields,
        ],
        "perform": perform,
        "sample": {
            "id": "20202020-0000-4000-8000-000000000001",
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
        },
    },
}
