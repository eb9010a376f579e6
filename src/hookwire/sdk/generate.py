"""A workspace's Python client as a wheel: the base client (``clients/python``) plus the
typed package ariadne-codegen generates from the workspace's records schema.

    python -m hookwire.sdk.generate --url http://localhost:3000 --key $KEY --out dist/

(``hookwire sdk generate`` is the same command.) The server builds the same wheel for
``GET /sdk/python`` from the schema it serves, without going over HTTP.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import requests
from graphql import GraphQLSchema, build_client_schema, build_schema, get_introspection_query

from hookwire.config import sdk_settings
from hookwire.sdk.codegen import PACKAGE, generate_package
from hookwire.sdk.errors import GenerationError
from hookwire.sdk.operations import operations_document
from hookwire.sdk.schema import codegen_schema
from hookwire.sdk.toolchain import toolchain
from hookwire.sdk.wheel import write_wheel

DISTRIBUTION = "hookwire-client"
BASE_PACKAGE = "hookwire_client"
SUMMARY = "A Hookwire workspace's typed Python client (generated)."
CHECKOUT = Path(__file__).resolve().parents[3] / "clients" / "python"
SKIPPED_FILES = ("__pycache__", ".pyc")


@dataclass(frozen=True)
class BaseClient:
    """The ``hookwire_client`` package the generated code goes into."""

    source: Path  # the package's directory
    version: str
    requires: tuple[str, ...]


def base_client() -> BaseClient:
    """``clients/python`` of this checkout, else the installed ``hookwire-client``."""
    project = CHECKOUT / "pyproject.toml"
    if project.exists():
        meta = tomllib.loads(project.read_text())["project"]
        source = CHECKOUT / "src" / BASE_PACKAGE
        return BaseClient(source, meta["version"], tuple(meta.get("dependencies", ())))
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise GenerationError(
            f"the base client is missing: install {DISTRIBUTION} (pip install clients/python)"
        )
    return BaseClient(
        Path(next(iter(spec.submodule_search_locations))),
        importlib.metadata.version(DISTRIBUTION),
        tuple(importlib.metadata.requires(DISTRIBUTION) or ()),
    )


def build_wheel(
    schema: GraphQLSchema,
    out_dir: Path,
    *,
    server_url: str,
    tools_dir: Path,
    local_version: str | None = None,
) -> Path:
    """Generate the client of ``schema`` and write it as a wheel into ``out_dir``; its path.

    The version is the base client's with a local label: ``local_version`` (the server
    passes the metadata version, ``m12``), else a digest of the schema.
    """
    operations = operations_document(schema)
    if not operations:
        raise GenerationError("the schema has no record objects to generate a client for")
    schema_sdl = codegen_schema(schema)
    base = base_client()
    files = _package_files(base.source, BASE_PACKAGE, skip=PACKAGE)
    with tempfile.TemporaryDirectory(prefix="hookwire-sdk-") as work:
        generated = generate_package(
            toolchain(tools_dir), schema_sdl, operations, server_url, Path(work)
        )
        files.update(_package_files(generated, f"{BASE_PACKAGE}/{PACKAGE}"))
    label = local_version or "s" + hashlib.sha256(schema_sdl.encode()).hexdigest()[:12]
    return write_wheel(
        out_dir,
        DISTRIBUTION,
        f"{base.version}+{label}",
        files,
        requires=base.requires,
        summary=SUMMARY,
    )


def fetch_schema(url: str, key: str, timeout: float = 60.0) -> GraphQLSchema:
    """The records schema ``{url}/graphql`` shows to ``key``, by introspection."""
    try:
        response = requests.post(
            f"{url.rstrip('/')}/graphql",
            json={"query": get_introspection_query(descriptions=False)},
            headers={"Authorization": f"Bearer {key}"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        raise GenerationError(f"could not reach {url}/graphql: {error}") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("data") or body.get("errors"):
        detail = body.get("errors") if isinstance(body, dict) else response.text[:200]
        raise GenerationError(f"introspection of {url}/graphql failed: {detail}")
    return build_client_schema(body["data"])


def load_schema(path: Path) -> GraphQLSchema:
    """A schema from a file: SDL (``.graphql``), or an introspection answer (``.json``, with or
    without its ``data`` envelope)."""
    text = path.read_text()
    if path.suffix != ".json":
        return build_schema(text)
    answer = json.loads(text)
    return build_client_schema(answer.get("data", answer))


def _package_files(directory: Path, prefix: str, skip: str | None = None) -> dict[str, bytes]:
    files = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if (
            path.is_dir()
            or any(part.endswith(SKIPPED_FILES) for part in relative.parts)
            or (skip is not None and relative.parts[0] == skip)
        ):
            continue
        files[f"{prefix}/{relative.as_posix()}"] = path.read_bytes()
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://localhost:3000")
    parser.add_argument("--key", help="an API key of the workspace (unless --schema)")
    parser.add_argument("--schema", type=Path, help="an SDL or introspection JSON file instead")
    parser.add_argument("--out", required=True, type=Path, help="the folder for the wheel")
    args = parser.parse_args(argv)
    if not args.schema and not args.key:
        parser.error("--key is required unless --schema is given")
    tools = sdk_settings(os.environ).tools_dir
    schema = load_schema(args.schema) if args.schema else fetch_schema(args.url, args.key)
    print(build_wheel(schema, args.out, server_url=args.url.rstrip("/"), tools_dir=tools))


if __name__ == "__main__":
    main()
