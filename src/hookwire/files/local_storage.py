"""Files on local disk, under ``STORAGE_LOCAL_PATH`` (by default beside the SQLite file)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from hookwire.files.storage import CHUNK_SIZE

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class LocalStorage:
    """One file per key under ``root``, the key's segments as folders. A save is written
    beside its place and renamed into it, so no reader ever sees half a file.

    Arguments: ``root``, the folder (created when the first file arrives).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not all(_SEGMENT.fullmatch(part) and ".." not in part for part in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

    def save(self, key: str, source: BinaryIO, media_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK_SIZE)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
