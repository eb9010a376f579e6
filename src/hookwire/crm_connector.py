"""The bundled CRM connector's definition, assembled from ``auth/``, ``triggers/``, ``actions/``.

The CLI loads it by name (``hookwire.crm_connector:CRM_CONNECTOR``), never by import, so
the framework itself does not depend on the connector built with it.
"""

from __future__ import annotations

from typing import Any

from hookwire import __version__
from hookwire.actions import CREATES
from hookwire.auth.connector_auth import AUTHENTICATION, add_api_key, reject_bad_key
from hookwire.triggers import TRIGGERS

CRM_CONNECTOR: dict[str, Any] = {
    "key": "hookwire_crm",
    "version": __version__,
    "title": "Hookwire CRM",
    "description": "Records of a Hookwire (or Twenty) workspace: trigger on changes, write them.",
    "authentication": AUTHENTICATION,
    "beforeRequest": [add_api_key],
    "afterResponse": [reject_bad_key],
    "triggers": TRIGGERS,
    "creates": CREATES,
}
