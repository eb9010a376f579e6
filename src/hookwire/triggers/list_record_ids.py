"""Hidden trigger that fills record dropdowns: ids and labels of one object's records."""

from __future__ import annotations

from typing import Any

from hookwire.connector import Bundle, Requester
from hookwire.triggers import find_object_names_singular
from hookwire.triggers.crm_api import (
    field_selection,
    find_object,
    graphql,
    label_field,
    record_label,
)

KEY = "list_record_ids"
DROPDOWN = f"{KEY}.id.label"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 200


def perform(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    """Page ``meta.page`` (from 0) of the records, newest first, as ``{id, label}``."""
    node = find_object(z, bundle, bundle.input_data.get("nameSingular"))
    plural = node["namePlural"]
    label = label_field(node)
    fields = f"id {field_selection(label)}" if label else "id"
    document = (
        f"query RecordIds($first: Int, $after: String) {{ {plural}(first: $first, after: $after, "
        f"orderBy: [{{createdAt: DescNullsLast}}]) {{ edges {{ node {{ {fields} }} }} "
        "pageInfo { hasNextPage endCursor } } }"
    )
    variables = {"first": min(bundle.meta.limit or PAGE_SIZE, MAX_PAGE_SIZE), "after": None}
    # The API pages by cursor; a platform asks by page number, so walk to the page asked for.
    for _ in range(bundle.meta.page):
        page_info = graphql(z, bundle, "graphql", document, variables)[plural]["pageInfo"]
        if not page_info["hasNextPage"]:
            return []
        variables["after"] = page_info["endCursor"]
    edges = graphql(z, bundle, "graphql", document, variables)[plural]["edges"]
    return [{"id": e["node"]["id"], "label": record_label(node, e["node"])} for e in edges]


TRIGGER: dict[str, Any] = {
    "key": KEY,
    "noun": "Record",
    "display": {
        "label": "List Record Ids",
        "description": "Lists the records of one object, newest first (for dropdowns).",
        "hidden": True,
    },
    "operation": {
        "inputFields": [
            {
                "key": "nameSingular",
                "label": "Object",
                "required": True,
                "dynamic": find_object_names_singular.DROPDOWN,
            }
        ],
        "perform": perform,
        "canPaginate": True,
        "sample": {"id": "20202020-0000-4000-8000-000000000001", "label": "Ada Lovelace"},
    },
}
