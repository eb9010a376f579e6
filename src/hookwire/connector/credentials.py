"""The headers each auth type adds to a request; ``custom`` adds none (middleware does)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from hookwire.connector.errors import ExpiredAuthError


def auth_headers(auth_type: str | None, auth_data: Mapping[str, Any]) -> dict[str, str]:
    if auth_type == "basic":
        username, password = auth_data.get("username"), auth_data.get("password")
        if username is None:
            raise ExpiredAuthError("authData.username is missing; connect the account again")
        raw = f"{username}:{password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    if auth_type in ("bearer", "oauth2"):
        token = auth_data.get("access_token")
        if not token:
            raise ExpiredAuthError("authData.access_token is missing; connect the account again")
        return {"Authorization": f"Bearer {token}"}
    return {}
