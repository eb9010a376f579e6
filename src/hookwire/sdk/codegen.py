"""Running ariadne-codegen over a workspace's schema and operations: the ``generated`` package.

Why per-object operation documents (``hookwire.sdk.operations``) and not ariadne-codegen's
custom operations (``enable_custom_operations``): a method generated from a document answers
a pydantic model of exactly what it selected (``create_person(...) -> PersonFields``, with
``name.first_name`` typed), while a custom operation's ``client.query(...)`` answers
``dict[str, Any]``: typed only while the query is being built. Objects added later are
reached the same way either way, by generating again: the server does so for every metadata
version, and the documents are derived from the schema, never written by hand. Custom
operations would also model every aggregate field of every connection (``countEmpty…``,
``min…`` for each field), which on a workspace of 50 objects of 30 fields multiplies the
generation time and the package size. For anything the documents do not cover (group-by,
search, nested relations), ``client.graphql(query, variables)`` sends any document.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from hookwire.sdk.asyncify import ASYNC_CLASS, async_client_source
from hookwire.sdk.errors import GenerationError
from hookwire.sdk.toolchain import Toolchain

PACKAGE = "generated"  # hookwire_client.generated
CODEGEN_TIMEOUT = 300  # seconds
LINE_LENGTH = 88  # ariadne-codegen's own, kept for the async client it does not write

# Custom scalars as Python types (Twenty's SDK maps UUID and DateTime to strings; datetime
# objects are the typed choice in Python, and pydantic reads and writes them as ISO 8601).
# JSON, RawJSONScalar and the rest stay ``Any``.
SCALARS = {
    "UUID": "str",
    "DateTime": "datetime.datetime",
    "Date": "datetime.date",
    "BigFloat": "float",
}

# The base classes the generated clients subclass: hookwire_client's, told the generated
# package's UNSET and Upload types and the URL of the server the package was made from.
BASE_SOURCE = '''"""The base classes of this workspace's clients (by Hookwire's SDK generator)."""

from typing import ClassVar

from hookwire_client import AsyncClient, Client

from .base_model import Upload, UnsetType

SERVER_URL = {url}


class GeneratedClientBase(Client):
    default_url: ClassVar[str] = SERVER_URL
    unset_types: ClassVar[tuple[type, ...]] = (UnsetType,)
    upload_types: ClassVar[tuple[type, ...]] = (*Client.upload_types, Upload)


class AsyncGeneratedClientBase(AsyncClient):
    default_url: ClassVar[str] = SERVER_URL
    unset_types: ClassVar[tuple[type, ...]] = (UnsetType,)
    upload_types: ClassVar[tuple[type, ...]] = (*AsyncClient.upload_types, Upload)
'''


class CodegenError(GenerationError):
    """ariadne-codegen (or ruff after it) failed."""


def generate_package(
    tools: Toolchain, schema_sdl: str, operations: str, server_url: str, work: Path
) -> Path:
    """Generate the client package into ``work``; the package's directory."""
    (work / "schema.graphql").write_text(schema_sdl)
    (work / "operations.graphql").write_text(operations)
    (work / "codegen_base.py").write_text(BASE_SOURCE.format(url=json.dumps(server_url)))
    (work / "out").mkdir()
    config = work / "ariadne-codegen.toml"
    config.write_text(_config(work, schema_sdl))
    _run([str(tools.codegen), "--config", str(config)], work, "ariadne-codegen")
    package = work / "out" / PACKAGE
    client = (package / "client.py").read_text()
    (package / "async_client.py").write_text(async_client_source(client))
    ruff = [str(tools.ruff), "format", "--isolated", "--quiet", f"--line-length={LINE_LENGTH}"]
    _run([*ruff, str(package / "async_client.py")], work, "ruff format")
    init = package / "__init__.py"
    init.write_text(
        init.read_text()
        + f"\nfrom .async_client import {ASYNC_CLASS}  # noqa: E402\n\n"
        + f'__all__ += ["{ASYNC_CLASS}"]\n'
    )
    return package


def _config(work: Path, schema_sdl: str) -> str:
    """ariadne-codegen's configuration, as TOML (its strings written as JSON ones, which
    TOML reads the same)."""
    settings = {
        "schema_path": str(work / "schema.graphql"),
        "queries_path": str(work / "operations.graphql"),
        "target_package_name": PACKAGE,
        "target_package_path": str(work / "out"),
        "client_name": "Client",
        "base_client_name": "GeneratedClientBase",
        "base_client_file_path": str(work / "codegen_base.py"),
        "async_client": False,
        "include_comments": "none",
        # Fields named in Python (``first_name``), their GraphQL names derived by pydantic:
        # type checkers then see the Python names in every model's constructor (an explicit
        # ``Field(alias="firstName")`` would make them ask for ``firstName``).
        "use_alias_generator": True,
        # The package's ``__init__`` and the client import a model's module when it is first
        # used: importing the client of 50 objects takes a tenth of the time.
        "lazy_imports": True,
        # Methods answer the one field they ask for (``create_person`` → the person).
        "plugins": ["ariadne_codegen.contrib.shorter_results.ShorterResultsPlugin"],
    }
    lines = ["[tool.ariadne-codegen]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    for scalar, python_type in SCALARS.items():
        if re.search(rf"^scalar {scalar}\b", schema_sdl, re.MULTILINE):
            lines += [
                f"[tool.ariadne-codegen.scalars.{scalar}]",
                f"type = {json.dumps(python_type)}",
            ]
    return "\n".join(lines) + "\n"


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        subprocess.run(
            command, cwd=cwd, check=True, capture_output=True, text=True, timeout=CODEGEN_TIMEOUT
        )
    except subprocess.CalledProcessError as error:
        output = (error.stderr or error.stdout or "").strip()[-2000:]
        raise CodegenError(f"{what} failed (exit {error.returncode}): {output}") from None
    except subprocess.TimeoutExpired:
        raise CodegenError(f"{what} took over {CODEGEN_TIMEOUT} s") from None
