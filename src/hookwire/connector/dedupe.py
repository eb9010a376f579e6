"""Deduplication for polling triggers: each item fires once, the first poll fires nothing."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

DEFAULT_CAPACITY = 10_000


class Deduper:
    """Remembers the ids a polling trigger returned, newest last, up to ``capacity`` of them.

    Like Zapier, the first poll only learns what exists, so turning a trigger on does not fire
    for every old item. Persist ``seen_ids()`` between polls and pass it back in.
    """

    def __init__(
        self, seen_ids: Iterable[str] | None = None, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        self.capacity = capacity
        self.primed = seen_ids is not None
        self._seen: OrderedDict[str, None] = OrderedDict.fromkeys(seen_ids or ())
        self._trim()

    def new_items(self, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items not seen before, in the order given; all become seen."""
        fresh = []
        for item in items:
            key = str(item["id"])
            if key not in self._seen:
                fresh.append(item)
            self._seen[key] = None
            self._seen.move_to_end(key)
        self._trim()
        if not self.primed:
            self.primed = True
            return []
        return fresh

    def _trim(self) -> None:
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)

    def seen_ids(self) -> list[str]:
        return list(self._seen)
