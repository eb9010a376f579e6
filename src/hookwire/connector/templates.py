"""Request templates: ``{{bundle.authData.apiUrl}}`` placeholders filled from the bundle."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*bundle\.([A-Za-z_]\w*(?:\.[\w-]+)*)\s*\}\}")


def placeholders(text: str) -> list[str]:
    """The dotted paths after ``bundle.`` that ``text`` refers to."""
    return PLACEHOLDER.findall(text)


def lookup(namespace: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (list items by index), or None when any step is missing."""
    value: Any = namespace
    for step in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif (
            isinstance(value, list)
            and step.isascii()
            and step.isdigit()
            and len(step) <= 9
            and int(step) < len(value)
        ):
            value = value[int(step)]
        else:
            return None
    return value


def render(template: Any, namespace: Mapping[str, Any]) -> Any:
    """Fill every placeholder in strings nested anywhere in ``template``.

    A string that is exactly one placeholder takes the value itself (a number stays a number);
    inside longer text, objects render as JSON and a missing value as an empty string.
    """
    if isinstance(template, str):
        whole = PLACEHOLDER.fullmatch(template.strip())
        if whole:
            return lookup(namespace, whole.group(1))
        return PLACEHOLDER.sub(lambda match: _text(lookup(namespace, match.group(1))), template)
    if isinstance(template, Mapping):
        return {key: render(value, namespace) for key, value in template.items()}
    if isinstance(template, list):
        return [render(item, namespace) for item in template]
    return template


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
