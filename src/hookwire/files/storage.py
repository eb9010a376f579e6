"""Where uploaded bytes are kept: one small interface, on local disk or S3-compatible storage.

A key names one file's bytes (``workspace-<id>/attachment/<file id>.pdf``); keys are made by
``hookwire.files.service`` and always begin with their workspace's prefix.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

from hookwire.config import StorageSettings

CHUNK_SIZE = 64 * 1024  # bytes read and written at a time: a file is never held whole


class Storage(Protocol):
    def save(self, key: str, source: BinaryIO, media_type: str) -> None:
        """Store what ``source`` holds (from its current position) under ``key``."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the bytes under ``key``; FileNotFoundError if there are none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the bytes under ``key``, if any."""
        ...


def open_storage(settings: StorageSettings) -> Storage:
    """The storage ``STORAGE_TYPE`` names (boto3 is imported only for S3)."""
    if settings.type == "s3":
        from hookwire.files.s3_storage import S3Storage

        return S3Storage.from_settings(settings)
    from hookwire.files.local_storage import LocalStorage

    return LocalStorage(settings.local_path)
