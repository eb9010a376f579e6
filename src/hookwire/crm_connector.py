"""The bundled CRM connector's definitions, assembled from ``auth/``, ``triggers/``, ``actions/``.

A definition has one ``authentication``, so each way to connect is a definition of its own,
sharing the triggers and actions: ``CRM_CONNECTOR`` (an API key) and ``CRM_CONNECTOR_OAUTH2``
(an OAuth application of the workspace, through Hookwire's ``/oauth/authorize`` and
``/oauth/token``). The CLI loads them by name (``hookwire.crm_connector:CRM_CONNECTOR``), never
by import, so the framework itself does not depend on the connector built with it.
"""

from __future__ import annotations

from typing import Any

from hookwire import __version__
from hookwire.actions import CREATES
from hookwire.auth import connector_oauth2
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

CRM_CONNECTOR_OAUTH2: dict[str, Any] = {
    **CRM_CONNECTOR,
    "key": "hookwire_crm_oauth2",
    "title": "Hookwire CRM (OAuth)",
    "authentication": connector_oauth2.AUTHENTICATION,
    "beforeRequest": [connector_oauth2.add_access_token],
    "afterResponse": [connector_oauth2.refresh_when_refused],
}
