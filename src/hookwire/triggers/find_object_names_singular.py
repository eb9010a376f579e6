"""Hidden trigger that fills the object dropdown: every active object."""

from __future__ import annotations

from typing import Any

from hookwire.connector import Bundle, Requester
from hookwire.triggers.crm_api import active_objects

KEY = "find_object_names_singular"
DROPDOWN = f"{KEY}.nameSingular.labelSingular"


def perform(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    return [
        {
            "id": node["nameSingular"],
            "nameSingular": node["nameSingular"],
            "labelSingular": node["labelSingular"],
        }
        for node in active_objects(z, bundle)
    ]


TRIGGER: dict[str, Any] = {
    "key": KEY,
    "noun": "Object",
    "display": {
        "label": "Find Object Names",
        "description": "Lists the workspace's active objects (for dropdowns).",
        "hidden": True,
    },
    "operation": {
        "perform": perform,
        "sample": {"id": "person", "nameSingular": "person", "labelSingular": "Person"},
    },
}
