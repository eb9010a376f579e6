"""GraphQL over multipart/form-data: the GraphQL multipart request spec
(github.com/jaydenseric/graphql-multipart-request-spec), which Twenty's clients upload with.

A request has an ``operations`` part (the JSON body a plain request would have, with ``null``
wherever a file goes), a ``map`` part (``{"0": ["variables.file"]}``: for each file part, the
places in ``operations`` it fills) and the file parts. Each file reaches its variable as
werkzeug's ``FileStorage``, which the ``Upload`` scalar takes. As with JSON bodies, one
operation per request: a batch (an array of operations) is refused.

The spec warns that a multipart request is a "simple" cross-site request a browser sends
without asking; that matters to servers that authenticate by cookie. Hookwire's GraphQL
endpoints authenticate by the ``Authorization`` header only, which no cross-site form can set.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from hookwire.errors import BadRequest
from hookwire.inputs import loads


def multipart_operation(
    form: MultiDict[str, str], files: MultiDict[str, FileStorage]
) -> dict[str, Any]:
    """The operation (``query``, ``variables``, ``operationName``) with every file that
    ``map`` places put in its place."""
    raw = form.get("operations")
    if raw is None:
        raise BadRequest(
            "operations: expected a part named 'operations' holding the operation's JSON "
            '({"query": …, "variables": {"file": null}})'
        )
    operation = loads(raw, "operations")
    if isinstance(operation, list):
        raise BadRequest("operations: a batch of operations is not supported; send one")
    if not isinstance(operation, dict):
        raise BadRequest("operations: expected a JSON object with a 'query' string")
    mapping = loads(form.get("map") or "{}", "map")
    if not isinstance(mapping, dict):
        raise BadRequest('map: expected a JSON object such as {"0": ["variables.file"]}')
    for key, paths in mapping.items():
        upload = files.get(key)
        if upload is None:
            raise BadRequest(f"map: names the part {key!r}, which the request does not have")
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise BadRequest(f'map.{key}: expected a list of paths such as ["variables.file"]')
        for path in paths:
            _place(operation, path, upload, f"map.{key}")
    return operation


def _place(operation: dict[str, Any], path: str, upload: FileStorage, where: str) -> None:
    """Put ``upload`` at ``path`` (``variables.file``, ``variables.files.0``)."""
    parts = path.split(".")
    if len(parts) < 2 or parts[0] != "variables":
        raise BadRequest(f"{where}: {path!r} is not a path into the variables (variables.<name>)")
    if operation.get("variables") is None:
        operation["variables"] = {}
    node: Any = operation
    for part in parts[:-1]:
        node = _child(node, part, path, where)
        if not isinstance(node, (dict, list)):
            raise BadRequest(f"{where}: {path!r} goes through a value that holds no files")
    last = parts[-1]
    if isinstance(node, list):
        node[_index(node, last, path, where)] = upload
    else:
        node[last] = upload


def _child(node: dict[str, Any] | list[Any], part: str, path: str, where: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, path, where)]
    if part not in node:
        raise BadRequest(f"{where}: {path!r} names {part!r}, which operations does not have")
    return node[part]


def _index(node: list[Any], part: str, path: str, where: str) -> int:
    if not (part.isascii() and part.isdigit()) or int(part) >= len(node):
        raise BadRequest(f"{where}: {path!r}: {part!r} is no index of a list of {len(node)}")
    return int(part)
