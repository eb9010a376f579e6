"""Which scope each root field of a GraphQL schema needs (a field's ``extensions``), and the
check of an operation's root fields against the caller's scopes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLField, GraphQLObjectType

from hookwire.identity import Caller

SCOPE = "hookwire_scope"


def requiring(scope: str | None, fields: dict[str, GraphQLField]) -> dict[str, GraphQLField]:
    """``fields``, each marked as needing ``scope`` (None: any valid caller may use it)."""
    for field in fields.values():
        field.extensions = {**(field.extensions or {}), SCOPE: scope}
    return fields


def check_field_scopes(
    caller: Caller, root: GraphQLObjectType | None, names: Iterable[str], default: str
) -> None:
    """403 naming the first scope the caller lacks among the fields ``names`` of ``root``;
    a field without a mark needs ``default``."""
    for name in names:
        if name.startswith("__"):
            continue  # introspection: the schema is no secret from a valid caller
        field = root.fields.get(name) if root is not None else None
        extensions: dict[str, Any] = (field.extensions or {}) if field is not None else {}
        scope = extensions.get(SCOPE, default)
        if scope is not None:
            caller.require(scope)
