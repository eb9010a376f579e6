"""Find a definition: a JSON file, a Python file, or an importable ``module:NAME``."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hookwire.connector.errors import ConnectorError

DEFAULT_ATTRIBUTE = "CONNECTOR"


def load_definition(source: str) -> Mapping[str, Any]:
    """``path.json``, ``path.py[:NAME]`` or ``package.module:NAME`` (NAME defaults to CONNECTOR)."""
    location, _, attribute = source.rpartition(":") if _has_attribute(source) else (source, "", "")
    if location.endswith(".json"):
        return _json_file(Path(location))
    if location.endswith(".py"):
        module = _python_file(Path(location))
    else:
        try:
            module = importlib.import_module(location)
        except ImportError as error:
            raise ConnectorError(
                f"{source}: not a .json or .py file, and {location!r} does not import ({error})"
            ) from None
    definition = getattr(module, attribute or DEFAULT_ATTRIBUTE, None)
    if not isinstance(definition, Mapping):
        raise ConnectorError(
            f"{source}: {module.__name__} has no definition dict named "
            f"{attribute or DEFAULT_ATTRIBUTE}; name it with {location}:NAME"
        )
    return definition


def _has_attribute(source: str) -> bool:
    # A Windows drive ("C:\\") is not an attribute separator; "x.py:NAME" and "pkg.mod:NAME" are.
    head, _, tail = source.rpartition(":")
    return bool(head) and bool(tail) and "/" not in tail and "\\" not in tail


def _json_file(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as error:
        raise ConnectorError(f"{path}: cannot read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise ConnectorError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg})"
        ) from None
    if not isinstance(data, Mapping):
        raise ConnectorError(f"{path}: expected a JSON object at the top level")
    return data


def _python_file(path: Path) -> Any:
    """Import a file as a module named after it, so its callables have importable names."""
    if not path.is_file():
        raise ConnectorError(f"{path}: no such file")
    name = path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConnectorError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        sys.modules.pop(name, None)
        raise
    return module
