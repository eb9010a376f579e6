"""Built client wheels, one per workspace and metadata version.

A workspace's client changes only when its metadata does, so a wheel is built once per
metadata version (and per server URL, which it carries as its default, and per generator:
a new release of this code builds anew) and kept under ``HOOKWIRE_SDK_DIR``:

    <cache>/<workspace id>/m<metadata version>-<key>/hookwire_client-…-py3-none-any.whl

A lock per workspace makes concurrent requests (threads or processes) build it once; a
wheel appears whole or not at all; older versions of a workspace's wheel are removed once a
newer one is built, and so are the oldest when a workspace has more than ``MAX_VARIANTS``
(the URL comes from the request's Host: a caller varying it must not fill the disk).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

from graphql import GraphQLSchema

from hookwire.config import SdkSettings
from hookwire.sdk.files import locked
from hookwire.sdk.generate import base_client, build_wheel
from hookwire.sdk.toolchain import ARIADNE_CODEGEN

WHEELS = "*.whl"
MAX_VARIANTS = 4  # wheels kept per workspace (server URLs by generator versions)


class WheelCache:
    """The wheels under ``settings.cache_dir``, built with ``settings.tools_dir``."""

    def __init__(self, settings: SdkSettings) -> None:
        self.settings = settings

    def has_any(self, workspace_id: str) -> bool:
        """Whether a client of this workspace was ever built (and kept)."""
        return any((self.settings.cache_dir / workspace_id).glob(f"*/{WHEELS}"))

    def wheel(
        self,
        workspace_id: str,
        metadata_version: int,
        server_url: str,
        schema: Callable[[], GraphQLSchema],
    ) -> Path:
        """The wheel of this workspace at this metadata version, built now (from
        ``schema()``) if no one has built it yet."""
        workspace_dir = self.settings.cache_dir / workspace_id
        key = hashlib.sha256(f"{server_url}\n{generator_fingerprint()}".encode()).hexdigest()
        directory = workspace_dir / f"m{metadata_version}-{key[:16]}"
        built = _built(directory)
        if built is not None:
            return built
        with locked(workspace_dir / ".lock"):
            built = _built(directory)  # another thread or process may have built it meanwhile
            if built is None:
                built = build_wheel(
                    schema(),
                    directory,
                    server_url=server_url,
                    tools_dir=self.settings.tools_dir,
                    local_version=f"m{metadata_version}",
                )
                _remove_older(workspace_dir, metadata_version)
        return built


def _built(directory: Path) -> Path | None:
    return next(directory.glob(WHEELS), None) if directory.is_dir() else None


def _remove_older(workspace_dir: Path, metadata_version: int) -> None:
    """Remove the wheels of older metadata versions, then all but the newest
    ``MAX_VARIANTS``."""
    kept = []
    for directory in workspace_dir.iterdir():
        version = directory.name.partition("-")[0].removeprefix("m")
        if not directory.is_dir() or not version.isdigit():
            continue
        if int(version) < metadata_version:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            kept.append(directory)
    kept.sort(key=lambda directory: directory.stat().st_mtime, reverse=True)
    for directory in kept[MAX_VARIANTS:]:
        shutil.rmtree(directory, ignore_errors=True)


@cache
def generator_fingerprint() -> str:
    """A digest of what makes a wheel: this package's code, the base client's, the pin."""
    digest = hashlib.sha256(ARIADNE_CODEGEN.encode())
    for directory in (Path(__file__).parent, base_client().source):
        for path in sorted(directory.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()
