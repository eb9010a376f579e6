"""Uploads and signed downloads: the one place files are stored, found and linked to."""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app, url_for
from sqlmodel import Session
from werkzeug.datastructures import FileStorage

from hookwire.config import StorageSettings
from hookwire.crm import caller_actor, iso_timestamp
from hookwire.errors import NotFound
from hookwire.files.events import record_upload
from hookwire.files.links import SignedLink, sign, verify
from hookwire.files.policy import UploadPolicy, clean_name, extension
from hookwire.files.storage import CHUNK_SIZE, Storage
from hookwire.identity import Caller
from hookwire.models import StoredFile, new_id, utcnow

EXTENSION_KEY = "hookwire.files"
log = logging.getLogger(__name__)


def file_path(row: StoredFile) -> str:
    """A file's path as Twenty answers it (``attachment/<id>.pdf``): its folder and name in
    the download URL, and what an attachment's ``fullPath`` holds."""
    return f"{row.folder}/{row.id}{extension(row.name)}"


@dataclass(frozen=True)
class FileService:
    """Stores uploads, finds files, and signs their download links.

    Arguments: ``storage`` (local disk or S3), ``settings`` (its limits and the links'
    lifetime), and ``app_secret``, from which link signing keys are derived.
    """

    storage: Storage
    settings: StorageSettings
    app_secret: str

    @property
    def policy(self) -> UploadPolicy:
        return UploadPolicy.of(self.settings)

    def upload(
        self, session: Session, caller: Caller, part: FileStorage, folder: str
    ) -> StoredFile:
        """Keep ``part``'s bytes and record the file, with its ``file.created`` event, in
        ``session``; refused (413, 400) before anything is stored when it breaks a limit.
        Should ``session`` roll back, the bytes are removed again."""
        name = clean_name(part.filename)
        media_type = self.policy.media_type(name, part.mimetype)
        with _measured(part.stream, self.policy.max_bytes) as (source, size):
            self.policy.check_size(size)
            file_id = new_id()
            key = f"workspace-{caller.workspace_id}/{folder}/{file_id}{extension(name)}"
            # Bytes first: before the row's INSERT, so a request's write lock is not held
            # while they are copied; a rollback after them takes them back.
            self.storage.save(key, source, media_type)
        _discard_on_rollback(session, self.storage, key)
        row = StoredFile(
            id=file_id,
            workspace_id=caller.workspace_id,
            name=name,
            folder=folder,
            size=size,
            mime_type=media_type,
            storage_key=key,
            created_at=utcnow(),
            created_by=caller_actor(caller).value(),
        )
        session.add(row)
        session.flush()
        record_upload(session, caller.workspace_id, event_output(row))
        return row

    def find(self, session: Session, workspace_id: str, file_id: str) -> StoredFile:
        """The file ``file_id`` of ``workspace_id``; 404 for any other workspace's."""
        row = session.get(StoredFile, _parsed_id(file_id))
        if row is None or row.workspace_id != workspace_id:
            raise NotFound(f"file with id {file_id} not found")
        return row

    def link(self, row: StoredFile) -> SignedLink:
        return sign(self.app_secret, row.workspace_id, row.id, self.settings.link_lifetime)

    def output(self, row: StoredFile) -> dict[str, Any]:
        """A file as REST answers it: with a fresh signed download URL."""
        link = self.link(row)
        return {
            **event_output(row),
            "url": download_url(row, link),
            "urlExpiresAt": iso_timestamp(link.expires_at),
        }

    def open_link(
        self, session: Session, folder: str, name: str, token: str
    ) -> tuple[StoredFile, BinaryIO]:
        """The file a download URL names and a stream of its bytes; 403 unless ``token``
        is a live link to it, 404 if it is gone."""
        file_id = name.split(".", 1)[0]
        workspace_id = verify(self.app_secret, token, file_id)
        row = self.find(session, workspace_id, file_id)
        if row.folder != folder or name != file_path(row).split("/", 1)[1]:
            raise NotFound(f"file {folder}/{name} not found")
        try:
            return row, self.storage.open(row.storage_key)
        except FileNotFoundError:
            raise NotFound(f"file {folder}/{name} not found: its bytes are gone") from None


def event_output(row: StoredFile) -> dict[str, Any]:
    """A file as its ``file.created`` event shows it (no link: events are stored, kept and
    retried; a link would outlive its use)."""
    return {
        "id": row.id,
        "name": row.name,
        "size": row.size,
        "mimeType": row.mime_type,
        "folder": row.folder,
        "path": file_path(row),
        "createdAt": iso_timestamp(row.created_at),
        "createdBy": row.created_by,
    }


def download_url(row: StoredFile, link: SignedLink) -> str:
    folder, name = file_path(row).split("/", 1)
    return url_for(
        "file_downloads.download", folder=folder, name=name, token=link.token, _external=True
    )


def file_service() -> FileService:
    return current_app.extensions[EXTENSION_KEY]


def _parsed_id(file_id: str) -> str:
    try:
        return str(uuid.UUID(file_id))
    except ValueError:
        raise NotFound(f"file with id {file_id} not found") from None


@contextmanager
def _measured(stream: BinaryIO, limit: int) -> Iterator[tuple[BinaryIO, int]]:
    """``(stream, size)`` of an upload, at its start. Werkzeug keeps a multipart file part in
    a spooled temporary file, measured where it is; another stream is copied to one first,
    no further than one byte past ``limit`` (enough to refuse it)."""
    if hasattr(stream, "seekable") and stream.seekable():
        yield stream, _size(stream)
        return
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_SIZE * 16) as copy:
        _copy_at_most(stream, copy, limit + 1)
        yield copy, _size(copy)


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _copy_at_most(source: BinaryIO, target: BinaryIO, limit: int) -> None:
    remaining = limit
    while remaining > 0:
        chunk = source.read(min(CHUNK_SIZE, remaining))
        if not chunk:
            return
        target.write(chunk)
        remaining -= len(chunk)


def _discard_on_rollback(session: Session, storage: Storage, key: str) -> None:
    def discard(_session: Session) -> None:
        try:
            storage.delete(key)
        except Exception:  # the rollback stands; the orphan only costs space
            log.exception("could not remove the bytes of an upload rolled back (%s)", key)

    sa.event.listen(session, "after_rollback", discard, once=True)
