"""Helpers shared by the webhook tests: the compressed test settings and common requests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from conftest import Client
from receiver import Receiver

T = TypeVar("T")


def subscribe(
    api: Client, receiver: Receiver, path: str = "/hook", **fields: Any
) -> dict[str, Any]:
    response = api.post("/rest/webhooks", json={"targetUrl": receiver.url + path, **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]["createWebhook"]


def create_person(api: Client, last_name: str = "Lovelace") -> dict[str, Any]:
    response = api.post("/rest/people", json={"name": {"firstName": "Ada", "lastName": last_name}})
    assert response.status_code == 201, response.text
    return response.json()["data"]["createPerson"]


def wait_until(check: Callable[[], T], timeout: float = 20.0) -> T:
    """Poll ``check()`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(0.1)
