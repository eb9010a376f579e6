"""Duplicate criteria: which records count as duplicates of a given one.

An object's ``duplicate_criteria`` are groups of field paths (``["name.firstName",
"name.lastName"]``, ``["emails.primaryEmail"]``); another record is a duplicate when it equals
the given one on every path of any group. Groups with an empty value in the given record are
skipped, as Twenty does, so two people without e-mail addresses are not duplicates by e-mail;
so are groups with a value that is not a string of at least ``MIN_LENGTH`` characters (Twenty's
``minLengthOfStringForDuplicateCheck``): "Al Bo" and "Al Bo" are not duplicates by name.
"""

from __future__ import annotations

from typing import Any

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.filters import Comparator, Condition, Conjunction, FilterNode

MIN_LENGTH = 3


def path_value(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def duplicates_filter(spec: ObjectSpec, record: dict[str, Any]) -> FilterNode | None:
    """Records equal to ``record`` on a whole criteria group, ``record`` itself excluded;
    None when no group applies."""
    groups = []
    for group in spec.duplicate_criteria:
        values = [path_value(record, path) for path in group]
        if all(isinstance(v, str) and len(v) >= MIN_LENGTH for v in values):
            conditions = tuple(
                Condition(path, Comparator.EQ, value)
                for path, value in zip(group, values, strict=True)
            )
            groups.append(conditions[0] if len(conditions) == 1 else Conjunction("and", conditions))
    if not groups:
        return None
    matching = groups[0] if len(groups) == 1 else Conjunction("or", tuple(groups))
    if record.get("id"):
        return Conjunction("and", (matching, Condition("id", Comparator.NEQ, record["id"])))
    return matching
