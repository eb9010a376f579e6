"""The webhook event of an upload, ``file.created``, written to the webhook outbox in the
transaction that records the file.

Its name follows Twenty's ``<nameSingular>.<action>``. A file is no object of the workspace's
metadata, but the event body names one (``objectMetadata``): a stand-in object ``file``, whose
id is the same for every event of a workspace, carries the name and an id.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from hookwire.crm import ObjectSpec, RecordChange
from hookwire.services import services

EVENT_OBJECT = "file"
_NAMESPACE = uuid.UUID("8f6d5a3e-2b1c-4e7f-9a0d-5c4b3a291807")  # of the stand-in objects' ids


def file_object(workspace_id: str) -> ObjectSpec:
    """The stand-in object the events of ``workspace_id``'s files name."""
    return ObjectSpec(
        id=str(uuid.uuid5(_NAMESPACE, workspace_id)),
        workspace_id=workspace_id,
        name_singular=EVENT_OBJECT,
        name_plural="files",
        label_singular="File",
        label_plural="Files",
        description="An uploaded file",
        icon=None,
        is_custom=False,
        is_active=True,
        is_searchable=False,
        duplicate_criteria=(),
        label_identifier_field_id=None,
        fields=(),
    )


def record_upload(session: Session, workspace_id: str, file: dict[str, Any]) -> None:
    """Add the ``file.created`` event of ``file`` (as the event shows it) to the outbox."""
    sink = services().change_sink
    if sink is not None:
        sink.record_changes(session, [RecordChange(file_object(workspace_id), "created", file)])
