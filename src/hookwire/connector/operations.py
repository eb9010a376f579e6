"""Operation paths: ``triggers.trigger_record.operation.performSubscribe`` and short forms.

Every path into the definition (as ``hookwire connector export`` prints it) that ends at a
component, its ``operation`` or one of its methods names something to run, and so does each
short form; a component alone, or its ``operation``, means its ``perform``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hookwire.connector.errors import ConnectorError

COMPONENT_KINDS = ("triggers", "creates", "searches")
COMPONENT_METHODS = (
    "perform",
    "performList",
    "performSubscribe",
    "performUnsubscribe",
    "inputFields",
    "outputFields",
)
AUTH_METHODS = ("test", "connectionLabel")
OAUTH2_METHODS = ("authorizeUrl", "getAccessToken", "refreshAccessToken")


@dataclass(frozen=True)
class Target:
    """What to run: ``kind`` is a component kind or ``authentication``."""

    kind: str
    key: str | None
    method: str

    @property
    def path(self) -> str:
        if self.kind != "authentication":
            return f"{self.kind}.{self.key}.operation.{self.method}"
        if self.method in OAUTH2_METHODS:
            return f"authentication.oauth2Config.{self.method}"
        return f"authentication.{self.method}"


def parse_target(definition: Mapping[str, Any], text: str) -> Target:
    """Accept a path into the definition (``triggers.key[.operation][.method]``,
    ``authentication.test``, ``authentication.oauth2Config.getAccessToken``) or a short form
    (``key``, ``key.method``, ``test``, ``connectionLabel``, ``getAccessToken``, …)."""
    parts = text.split(".")
    target = _full(parts) or _short(definition, parts)
    if target is None:
        raise ConnectorError(f"unknown operation {text!r}; {_choices(definition)}")
    _check_exists(definition, target, text)
    return target


def _full(parts: list[str]) -> Target | None:
    if len(parts) >= 2 and parts[0] in COMPONENT_KINDS:
        rest = parts[3:] if parts[2:3] == ["operation"] else parts[2:]
        if len(rest) > 1:
            return None
        return Target(parts[0], parts[1], rest[0] if rest else "perform")
    if len(parts) == 2 and parts[0] == "authentication":
        methods = AUTH_METHODS + OAUTH2_METHODS
        return Target("authentication", None, parts[1]) if parts[1] in methods else None
    if parts[:2] == ["authentication", "oauth2Config"] and len(parts) == 3:
        return Target("authentication", None, parts[2])
    return None


def _short(definition: Mapping[str, Any], parts: list[str]) -> Target | None:
    if len(parts) == 1 and parts[0] in AUTH_METHODS + OAUTH2_METHODS:
        return Target("authentication", None, parts[0])
    if len(parts) not in (1, 2):
        return None
    method = parts[1] if len(parts) == 2 else "perform"
    for kind in COMPONENT_KINDS:
        if parts[0] in definition.get(kind, {}):
            return Target(kind, parts[0], method)
    return None


def _check_exists(definition: Mapping[str, Any], target: Target, text: str) -> None:
    if target.kind == "authentication":
        auth = definition.get("authentication")
        if auth is None:
            raise ConnectorError(f"{text!r}: this connector has no authentication")
        if target.method in OAUTH2_METHODS and target.method not in auth.get("oauth2Config", {}):
            raise ConnectorError(f"{text!r}: authentication.oauth2Config has no {target.method}")
        if target.method == "connectionLabel" and "connectionLabel" not in auth:
            raise ConnectorError(f"{text!r}: authentication has no connectionLabel")
        return
    component = definition.get(target.kind, {}).get(target.key)
    if component is None:
        raise ConnectorError(f"{text!r}: no {target.kind} named {target.key!r}")
    if target.method not in COMPONENT_METHODS:
        raise ConnectorError(
            f"{text!r}: unknown method {target.method!r}; use one of {', '.join(COMPONENT_METHODS)}"
        )
    if target.method not in component["operation"] and target.method not in (
        "inputFields",
        "outputFields",
    ):
        raise ConnectorError(f"{text!r}: {target.path} is not defined")


def _choices(definition: Mapping[str, Any]) -> str:
    paths = [f"{kind}.{key}" for kind in COMPONENT_KINDS for key in definition.get(kind, {})]
    return (
        f"use authentication.test, authentication.connectionLabel, or one of "
        f"{', '.join(paths) or '(no operations)'}, optionally with .operation.METHOD "
        "(short forms: test, KEY, KEY.METHOD)"
    )


def component_operation(definition: Mapping[str, Any], target: Target) -> dict[str, Any]:
    return definition[target.kind][target.key]["operation"]
