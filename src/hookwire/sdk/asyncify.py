"""The async twin of ariadne-codegen's generated sync client.

ariadne-codegen generates one flavour per run, and a second run over the same schema and
operations would repeat all its work (most of a wide workspace's generation time) to change
only the client module: each method becomes ``async def`` and awaits ``self.execute``. So
that change is made here, on the formatted source (which keeps its layout), and then
checked on the syntax tree: every method that sends must be a coroutine awaiting its send.
"""

from __future__ import annotations

import ast
import re

SYNC_CLASS = "Client"
ASYNC_CLASS = "AsyncClient"
SYNC_BASE = "GeneratedClientBase"
ASYNC_BASE = "AsyncGeneratedClientBase"
SENDS = ("execute", "execute_custom_operation")

_METHOD = re.compile(r"^    def ", re.MULTILINE)
_SEND = re.compile(r"(?<![\w.])self\.(execute|execute_custom_operation)\(")


class NotAsyncifiable(Exception):
    """The generated client is not shaped as this transformation expects."""


def async_client_source(source: str) -> str:
    """``source`` (the generated ``client.py``) as ``async_client.py``."""
    header = f"class {SYNC_CLASS}({SYNC_BASE}):"
    if source.count(header) != 1:
        raise NotAsyncifiable(f"expected one '{header}' in the generated client")
    before, _, body = source.partition(header)
    before = re.sub(rf"\b{SYNC_BASE}\b", ASYNC_BASE, before)
    body = _METHOD.sub("    async def ", body)
    body = _SEND.sub(r"await self.\1(", body)
    result = f"{before}class {ASYNC_CLASS}({ASYNC_BASE}):{body}"
    _check(result)
    return result


def _check(source: str) -> None:
    """Every method of the async class is a coroutine and awaits each of its sends."""
    tree = ast.parse(source)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == ASYNC_CLASS]
    if len(classes) != 1:
        raise NotAsyncifiable(f"expected one class {ASYNC_CLASS}")
    for node in classes[0].body:
        if isinstance(node, ast.FunctionDef):
            raise NotAsyncifiable(f"method {node.name} is not async")
    awaited = {id(n.value) for n in ast.walk(classes[0]) if isinstance(n, ast.Await)}
    for node in ast.walk(classes[0]):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SENDS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
            and id(node) not in awaited
        ):
            raise NotAsyncifiable(f"a call to self.{node.func.attr} is not awaited")
