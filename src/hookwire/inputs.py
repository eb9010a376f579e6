"""What every request's input must be before anything reads it: one layer for the whole app.

JSON bodies (REST and GraphQL alike) are parsed here, within bounds: nested at most
``MAX_JSON_DEPTH`` levels, numbers finite (``Infinity``, ``NaN`` and ``1e400`` are not JSON
numbers a client can read back), and text storable in both databases (no NUL character, which
PostgreSQL's text and jsonb cannot hold, and no lone UTF-16 surrogate, which is not Unicode
text). Query parameters, form fields, header values and the path are checked for the same
text rules before any handler runs. Every refusal is a 400 that names the offending field.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request

from hookwire.errors import BadRequest

MAX_JSON_DEPTH = 64
_LARGEST_FLOAT_BITS = 1024  # an integer this long no longer fits a double: not a finite number


class InvalidJson(BadRequest):
    """The text is not JSON at all (as opposed to JSON outside the bounds)."""


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as text, or None when it can."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which text fields cannot hold"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate (such as \\ud800), which is not valid Unicode"
    return None


def number_problem(number: int | float) -> str | None:
    """Why ``number`` is no JSON number a client can read back, or None when it is one."""
    if isinstance(number, bool):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        shown = "NaN" if math.isnan(number) else "Infinity" if number > 0 else "-Infinity"
        return f"expected a finite number, got {shown} (or a number too large for a double)"
    if isinstance(number, int) and number.bit_length() >= _LARGEST_FLOAT_BITS:
        return "expected a finite number, got an integer too large for a double"
    return None


def check_text(text: str, where: str) -> str:
    problem = text_problem(text)
    if problem is not None:
        raise BadRequest(f"{where}: {problem}")
    return text


def check_value(value: Any, where: str = "") -> Any:
    """Refuse a decoded JSON value nested too deeply, or holding a non-finite number or text
    that cannot be stored; ``where`` prefixes the path named (``variables``), or is empty for
    a body whose top-level keys are the fields. Iterative: depth costs no Python stack."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            check_text(item, path or "body")
        elif isinstance(item, (int, float)):
            problem = number_problem(item)
            if problem is not None:
                raise BadRequest(f"{path or 'body'}: {problem}")
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise BadRequest(
                    f"{path or 'body'}: JSON nested more than {MAX_JSON_DEPTH} levels deep; "
                    f"the limit is {MAX_JSON_DEPTH}"
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    check_text(key, _join(path, key))
                    stack.append((child, _join(path, key), depth + 1))
            else:
                stack.extend((child, _join(path, i), depth + 1) for i, child in enumerate(item))
    return value


def loads(raw: bytes | str, where: str = "") -> Any:
    """``raw`` as JSON within the bounds above, or a 400 naming what is wrong and where."""
    what = where or "body"
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BadRequest(
            f"{what}: JSON nested more than {MAX_JSON_DEPTH} levels deep; "
            f"the limit is {MAX_JSON_DEPTH}"
        ) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidJson(f"{what}: invalid JSON ({error})") from None
    return check_value(value, where)


def refuse_unstorable_request_text() -> None:
    """``before_request``: the path, query parameters, form fields and header values must be
    text the databases can store; a 400 names the first that is not."""
    check_text(request.path, "path")
    for name, values in request.args.lists():
        check_text(name, f"query parameter {name!r}")
        for value in values:
            check_text(value, f"query parameter '{name}'")
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.form.lists():
            for value in values:
                check_text(value, f"form field '{name}'")
    for name, value in request.headers.items():
        check_text(value, f"header '{name}'")
