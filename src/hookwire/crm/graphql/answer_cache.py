"""Answers of queries that read only a workspace's catalog, kept per metadata version.

Twenty's Zapier connector sends the same ``GetObjects`` document before every list, sample,
dropdown and create, and on a large workspace its answer takes a second to build. Such an
answer depends only on the document, its variables and the metadata version (every metadata
change bumps the version), so it is kept as the JSON it was sent as, within a byte budget,
oldest dropped first.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from hookwire.crm.catalog import Catalog

AnswerKey = tuple[str, str, int, str, str, str | None]


def root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterable[str]:
    """The names of the root fields an operation selects, through fragments."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from root_fields(fragment.selection_set, fragments)


def answer_key(
    endpoint: str,
    catalog: Catalog,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> AnswerKey:
    """What identifies an answer: the same introspection text means another schema on
    ``/graphql`` than on ``/metadata``."""
    return (
        endpoint,
        catalog.workspace_id,
        catalog.version,
        query,
        json.dumps(variables or {}, sort_keys=True),
        operation_name,
    )


class AnswerCache:
    """Serialized answers by (endpoint, workspace, metadata version, document, variables,
    operation)."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[AnswerKey, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: AnswerKey) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: AnswerKey, body: bytes) -> None:
        if len(body) > self._max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            self._bytes -= len(previous or b"")
            self._entries[key] = body
            self._bytes += len(body)
            while self._bytes > self._max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)
