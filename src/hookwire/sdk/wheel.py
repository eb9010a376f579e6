"""A pure-Python wheel (PEP 427) written directly: the generated client is files, so a build
backend (and its isolated environment, seconds per build) would add nothing but time."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from hookwire.sdk.files import replacing

# Every entry gets this timestamp, so the same files make the same wheel, byte for byte.
EPOCH = (2020, 1, 1, 0, 0, 0)


def wheel_name(distribution: str, version: str) -> str:
    """``hookwire_client-0.1.0+m3-py3-none-any.whl``: the name pip expects for these."""
    return f"{_escaped(distribution)}-{version}-py3-none-any.whl"


def write_wheel(
    out_dir: Path,
    distribution: str,
    version: str,
    files: Mapping[str, bytes],
    *,
    requires: Sequence[str] = (),
    requires_python: str = ">=3.11",
    summary: str = "",
) -> Path:
    """Write ``files`` (archive path → content) as a wheel into ``out_dir``; its path."""
    dist_info = f"{_escaped(distribution)}-{version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {distribution}",
        f"Version: {version}",
        f"Summary: {summary}",
        f"Requires-Python: {requires_python}",
        *(f"Requires-Dist: {requirement}" for requirement in requires),
    ]
    entries = dict(sorted(files.items()))
    entries[f"{dist_info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    entries[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: hookwire.sdk\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [
        f"{path},sha256={_digest(content)},{len(content)}" for path, content in entries.items()
    ]
    record.append(f"{dist_info}/RECORD,,")
    entries[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    target = out_dir / wheel_name(distribution, version)
    with replacing(target) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        for path, content in entries.items():
            info = zipfile.ZipInfo(path, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return target


def _digest(content: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()


def _escaped(distribution: str) -> str:
    return re.sub(r"[-_.]+", "_", distribution).lower()
