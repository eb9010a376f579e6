"""Validate a definition: the JSON Schema, and the rules a schema cannot express.

Every problem is one line: the exact path, what is wrong, and what to change. All of them
are reported at once: the rules look at whatever parts of a definition are well-formed
enough to check, so fixing the schema's problems never uncovers a second round.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from hookwire.connector.bundle import BUNDLE_PARTS
from hookwire.connector.errors import DefinitionError
from hookwire.connector.references import UnresolvedReference, is_reference, name_of, resolve
from hookwire.connector.schema import DEFINITION_SCHEMA
from hookwire.connector.templates import placeholders

COMPONENT_KINDS = ("triggers", "creates", "searches")
HOOK_METHODS = ("performSubscribe", "performUnsubscribe", "performList")
_VALIDATOR = Draft202012Validator(DEFINITION_SCHEMA)
_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}
_EXPECTED = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


def validate_definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition with callables replaced by their names; DefinitionError if invalid."""
    problems: list[str] = []
    data = normalize(definition, problems)
    # A callable without an importable name is reported as such, not again as a null value.
    unnamed = {problem.split(": ", 1)[0] for problem in problems}
    problems.extend(line for line in schema_problems(data) if line.split(": ", 1)[0] not in unnamed)
    problems.extend(rule_problems(data))
    if problems:
        raise DefinitionError(sorted(problems, key=lambda line: line.split(": ", 1)[0]))
    return data


def normalize(value: Any, problems: list[str], path: tuple[Any, ...] = ()) -> Any:
    """A JSON-ready copy: Python callables become ``module:function`` names."""
    if isinstance(value, Mapping):
        return {key: normalize(item, problems, (*path, key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(item, problems, (*path, index)) for index, item in enumerate(value)]
    if callable(value):
        try:
            return name_of(value)
        except UnresolvedReference as error:
            problems.append(f"{format_path(path)}: {error}")
            return None
    return value


def format_path(path: Iterable[Any]) -> str:
    """``triggers.new_row.operation.inputFields[2].type``; the root is ``(definition)``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(definition)"


# schema errors


def schema_problems(data: Any) -> list[str]:
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return _unique(line for error in errors for line in _describe(error))


def _describe(error: ValidationError) -> list[str]:
    path = format_path(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf"):
        return _describe_alternatives(error, path)
    if kind == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return [f"{path}: missing required property '{key}'; add it" for key in missing]
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return [
            f"{_join(path, extra)}: unknown property; {_suggest(extra, allowed)}"
            for extra in error.instance
            if extra not in allowed
        ]
    if kind == "enum":
        options = ", ".join(repr(option) for option in error.validator_value)
        return [f"{path}: {error.instance!r} is not allowed; use one of {options}"]
    if kind == "type":
        return [f"{path}: expected {_expected(error.validator_value)}, got {_got(error.instance)}"]
    if kind == "pattern":
        hint = error.schema.get("description") or f"match {error.validator_value}"
        return [f"{path}: {error.instance!r} is not valid; write {hint}"]
    if kind == "minLength":
        return [f"{path}: must not be empty"]
    if error.validator == "propertyNames":
        return [line for sub in error.context or () for line in _describe(sub)]
    return [f"{path}: {error.message}"]


def _describe_alternatives(error: ValidationError, path: str) -> list[str]:
    """Pick the alternative whose JSON type fits the value and report only its problems."""
    branches = [_resolve_ref(branch) for branch in error.validator_value]
    fitting = [i for i, branch in enumerate(branches) if _type_fits(branch, error.instance)]
    if not fitting:
        expected = " or ".join(_branch_summary(branch) for branch in branches)
        return [f"{path}: expected {expected}, got {_got(error.instance)}"]
    context = [sub for sub in error.context or () if sub.relative_schema_path[0] in fitting]
    by_branch = {i: [sub for sub in context if sub.relative_schema_path[0] == i] for i in fitting}
    chosen = min(by_branch.values(), key=len)
    if not chosen:
        return [f"{path}: {error.message}"]
    return _unique(line for sub in chosen for line in _describe(sub))


def _resolve_ref(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return DEFINITION_SCHEMA["$defs"][ref.removeprefix("#/$defs/")]
    return schema


def _type_fits(schema: Mapping[str, Any], instance: Any) -> bool:
    expected = schema.get("type")
    if expected is None:
        return True
    types = expected if isinstance(expected, list) else [expected]
    return any(_VALIDATOR.is_type(instance, kind) for kind in types)


def _branch_summary(schema: Mapping[str, Any]) -> str:
    if schema.get("type") == "string" and "pattern" in schema:
        return schema.get("description", "a string")
    if schema.get("type") == "object" and "url" in schema.get("properties", {}):
        return "a request object {method, url, headers, params, body}"
    if schema.get("type") == "object" and "key" in schema.get("properties", {}):
        return "a field object {key, label, type, ...}"
    return _expected(schema.get("type", "a value"))


def _expected(kind: Any) -> str:
    kinds = kind if isinstance(kind, list) else [kind]
    return " or ".join(_EXPECTED.get(k, str(k)) for k in kinds)


def _got(instance: Any) -> str:
    text = repr(instance)
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"{_JSON_TYPES.get(type(instance), type(instance).__name__)} {shown}"


def _suggest(name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"remove it (allowed here: {', '.join(allowed)})"


def _join(path: str, key: str) -> str:
    return key if path == "(definition)" else f"{path}.{key}"


def _unique(lines: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(lines))


# rules beyond the schema


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is an object; otherwise nothing to check (the schema says what is wrong)."""
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def rule_problems(data: Any) -> list[str]:
    """Keys, samples, hook methods, dynamic references, callables and placeholders.

    Parts that are not of the schema's shape are skipped: their problems are the schema's.
    """
    data = _mapping(data)
    triggers = _mapping(data.get("triggers"))
    problems: list[str] = []
    for kind in COMPONENT_KINDS:
        for key, component in _mapping(data.get(kind)).items():
            if isinstance(component, Mapping):
                problems.extend(_component_problems(kind, key, component))
    for path, field in _fields(data):
        problems.extend(_dynamic_problems(path, field, triggers))
    for path, value in _strings(data):
        problems.extend(_string_problems(path, value))
    auth = _mapping(data.get("authentication"))
    problems.extend(_duplicate_keys(("authentication", "fields"), _list(auth.get("fields"))))
    return problems


def _component_problems(kind: str, key: str, component: Mapping[str, Any]) -> Iterator[str]:
    path = (kind, key)
    if isinstance(component.get("key"), str) and component["key"] != key:
        yield (
            f"{format_path((*path, 'key'))}: {component['key']!r} does not match the entry "
            f"name {key!r}; make them equal"
        )
    if not isinstance(component.get("operation"), Mapping):
        return
    operation = component["operation"]
    hidden = _mapping(component.get("display")).get("hidden", False)
    if hidden is not True and "sample" not in operation:
        yield (
            f"{format_path((*path, 'operation'))}: missing 'sample'; visible operations need "
            "one (an example result), or set display.hidden to true"
        )
    if kind == "triggers":
        yield from _trigger_problems(path, operation)
    for list_name in ("inputFields", "outputFields"):
        yield from _duplicate_keys((*path, "operation", list_name), _list(operation.get(list_name)))


def _trigger_problems(path: tuple[str, ...], operation: Mapping[str, Any]) -> Iterator[str]:
    where = format_path((*path, "operation"))
    if operation.get("type", "polling") == "hook":
        for method in HOOK_METHODS:
            if method not in operation:
                yield f"{where}: missing '{method}'; hook triggers need {', '.join(HOOK_METHODS)}"
    else:
        for method in ("performSubscribe", "performUnsubscribe"):
            if method in operation:
                yield (
                    f"{where}.{method}: only hook triggers subscribe; set {where}.type to "
                    f"'hook' or remove {method}"
                )


def _duplicate_keys(path: tuple[Any, ...], fields: list[Any]) -> Iterator[str]:
    seen: dict[str, int] = {}
    for index, field in enumerate(fields):
        if not isinstance(field, Mapping) or not isinstance(field.get("key"), str):
            continue
        if field["key"] in seen:
            yield (
                f"{format_path((*path, index, 'key'))}: {field['key']!r} is already used by "
                f"{format_path((*path, seen[field['key']]))}; field keys must be unique"
            )
        seen.setdefault(field["key"], index)


def _fields(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    for kind in COMPONENT_KINDS:
        for key, component in _mapping(data.get(kind)).items():
            operation = _mapping(_mapping(component).get("operation"))
            for list_name in ("inputFields", "outputFields"):
                for index, field in enumerate(_list(operation.get(list_name))):
                    if isinstance(field, Mapping):
                        yield (kind, key, "operation", list_name, index), field


def _dynamic_problems(
    path: tuple[Any, ...], field: Mapping[str, Any], triggers: Mapping[str, Any]
) -> Iterator[str]:
    dynamic = field.get("dynamic")
    if isinstance(dynamic, str) and dynamic and dynamic.split(".")[0] not in triggers:
        names = ", ".join(sorted(triggers)) or "none defined"
        yield (
            f"{format_path((*path, 'dynamic'))}: {dynamic!r} names no trigger "
            f"{dynamic.split('.')[0]!r}; use an existing trigger key ({names})"
        )


def _strings(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key not in ("sample", "default", "helpText", "description", "label"):
                yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


_CALLABLE_KEYS = {
    "perform",
    "performList",
    "performSubscribe",
    "performUnsubscribe",
    "test",
    "connectionLabel",
    "getAccessToken",
    "refreshAccessToken",
    "inputFields",
    "outputFields",
    "beforeRequest",
    "afterResponse",
}


def _string_problems(path: tuple[Any, ...], value: str) -> Iterator[str]:
    for placeholder in placeholders(value):
        root = placeholder.split(".")[0]
        if root not in BUNDLE_PARTS:
            yield (
                f"{format_path(path)}: '{{{{bundle.{placeholder}}}}}' reads an unknown bundle "
                f"part {root!r}; {_suggest(root, list(BUNDLE_PARTS))}"
            )
    if _names_callable(path) and is_reference(value):
        try:
            resolve(value)
        except UnresolvedReference as error:
            yield f"{format_path(path)}: {error}"


def _names_callable(path: tuple[Any, ...]) -> bool:
    """Whether the string at ``path`` sits where a callable may be named."""
    steps = [step for step in path if not isinstance(step, int)]
    return bool(steps) and steps[-1] in _CALLABLE_KEYS
