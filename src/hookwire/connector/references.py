"""Callables named in a definition: ``package.module:function`` (or ``package.module.function``)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

_NAME = r"[A-Za-z_]\w*"
REFERENCE_PATTERN = rf"^{_NAME}(\.{_NAME})*(:{_NAME}(\.{_NAME})*|\.{_NAME})$"
_REFERENCE = re.compile(REFERENCE_PATTERN)


class UnresolvedReference(LookupError):
    """A reference names nothing importable, or something that is not callable."""


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(_REFERENCE.match(value))


def name_of(function: Callable[..., Any]) -> str:
    """The reference that resolves back to ``function``; raises if there is none."""
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise UnresolvedReference(
            f"{function!r} has no importable name; define it at module level so the "
            "definition can name it"
        )
    reference = f"{module}:{qualname}"
    try:
        found = resolve(reference)
    except UnresolvedReference:
        found = None
    if found is not function:
        raise UnresolvedReference(
            f"{reference} does not import back to {function!r}; define it at module level"
        )
    return reference


def resolve(reference: str) -> Callable[..., Any]:
    """Import the callable a reference names."""
    if ":" in reference:
        module_name, _, attribute_path = reference.partition(":")
        target = _import(module_name, reference)
    else:
        target, attribute_path = _longest_module(reference)
    for attribute in attribute_path.split("."):
        try:
            target = getattr(target, attribute)
        except AttributeError:
            raise UnresolvedReference(
                f"{reference}: {attribute!r} not found in {getattr(target, '__name__', target)}"
            ) from None
    if not callable(target):
        raise UnresolvedReference(f"{reference} is not callable")
    return target


def _import(module_name: str, reference: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise UnresolvedReference(f"{reference}: cannot import {module_name} ({error})") from None


def _longest_module(reference: str) -> tuple[Any, str]:
    """For ``a.b.c``: module ``a.b`` and attribute ``c``, trying the longest module first."""
    parts = reference.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            return importlib.import_module(".".join(parts[:cut])), ".".join(parts[cut:])
        except ImportError:
            continue
    raise UnresolvedReference(f"{reference}: no importable module in this name")
