"""Webhook operations: ``<object>.<action>`` patterns, validated and matched against events."""

from __future__ import annotations

from collections.abc import Iterable

from hookwire.errors import BadRequest

ACTIONS = ("created", "updated", "deleted", "destroyed", "restored")
WILDCARD = "*"
DEFAULT_OPERATIONS = ["*.*"]
# What events are of beside the workspace's objects: uploads (``file.created``, hookwire.files).
EVENT_SOURCES = ("file",)


def validate_operations(value: object, object_names: Iterable[str]) -> list[str]:
    """Each entry is ``name.action`` with a known object and action, or ``*`` in either place."""
    if value is None:
        return list(DEFAULT_OPERATIONS)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise BadRequest('operations: expected a non-empty list such as ["person.created", "*.*"]')
    known = set(object_names) | set(EVENT_SOURCES)
    checked: list[str] = []
    for index, operation in enumerate(value):
        name, dot, action = operation.partition(".")
        if not dot or (name != WILDCARD and name not in known):
            raise BadRequest(
                f"operations[{index}]: '{operation}' must be <object>.<action> with a known "
                f"object ({', '.join(sorted(known))}) or '*'"
            )
        if action != WILDCARD and action not in ACTIONS:
            raise BadRequest(
                f"operations[{index}]: unknown action '{action}'; expected one of "
                f"{', '.join(ACTIONS)} or '*'"
            )
        if operation not in checked:
            checked.append(operation)
    return checked


def matches(operations: Iterable[str], event_name: str) -> bool:
    name, _, action = event_name.partition(".")
    wanted = {event_name, f"{WILDCARD}.{action}", f"{name}.{WILDCARD}", f"{WILDCARD}.{WILDCARD}"}
    return any(operation in wanted for operation in operations)
