"""Uploads over GraphQL (the multipart request spec, see ``crm.graphql.multipart``), on both
``/graphql`` and ``/metadata``, with Twenty's names and answers:

- ``uploadFile(file: Upload!, fileFolder: FileFolder): SignedFile!`` answers the file's
  ``path`` (``attachment/<id>.pdf``, what an attachment's ``fullPath`` holds) and a signed
  ``token`` (the download is ``/files/<path>?token=<token>``); Hookwire adds that ``url``.
- ``uploadFilesFieldFile(file: Upload!, fieldMetadataId: String!): FileWithSignedUrl!``
  uploads a file for a FILES field; a record then holds ``[{fileId: <id>, label: <name>}]``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)
from werkzeug.datastructures import FileStorage

from hookwire.crm import (
    DateTimeScalar,
    FieldType,
    UploadScalar,
    UUIDScalar,
    iso_timestamp,
    requiring,
)
from hookwire.errors import BadRequest
from hookwire.files.folders import DEFAULT_FOLDER, FILES_FIELD_FOLDER, FOLDERS
from hookwire.files.service import download_url, file_path, file_service
from hookwire.identity.scopes import FILES
from hookwire.models import StoredFile

FileFolder = GraphQLEnumType("FileFolder", dict(FOLDERS))
SignedFile = GraphQLObjectType(
    "SignedFile",
    {
        "path": GraphQLField(GraphQLNonNull(GraphQLString)),
        "token": GraphQLField(GraphQLNonNull(GraphQLString)),
        "url": GraphQLField(GraphQLNonNull(GraphQLString), description="The download URL."),
    },
)
FileWithSignedUrl = GraphQLObjectType(
    "FileWithSignedUrl",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "path": GraphQLField(GraphQLNonNull(GraphQLString)),
        "size": GraphQLField(GraphQLNonNull(GraphQLFloat)),
        "createdAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "url": GraphQLField(GraphQLNonNull(GraphQLString)),
    },
)


def _store(info: GraphQLResolveInfo, file: FileStorage, folder: str) -> StoredFile:
    caller = info.context.caller
    caller.require(FILES)
    return file_service().upload(info.context.session, caller, file, folder)


def _upload_file(
    _root: Any, info: GraphQLResolveInfo, file: FileStorage, fileFolder: str | None = None
) -> dict[str, Any]:
    row = _store(info, file, fileFolder or DEFAULT_FOLDER)
    link = file_service().link(row)
    return {"path": file_path(row), "token": link.token, "url": download_url(row, link)}


def _upload_files_field_file(
    _root: Any, info: GraphQLResolveInfo, file: FileStorage, fieldMetadataId: str
) -> dict[str, Any]:
    fields = (field for spec in info.context.catalog.objects for field in spec.fields)
    if not any(f.id == fieldMetadataId and f.type is FieldType.FILES for f in fields):
        raise BadRequest(
            f"fieldMetadataId: no FILES field with id {fieldMetadataId!r} in this workspace"
        )
    row = _store(info, file, FILES_FIELD_FOLDER)
    return {
        "id": row.id,
        "path": file_path(row),
        "size": row.size,
        "createdAt": iso_timestamp(row.created_at),
        "url": download_url(row, file_service().link(row)),
    }


def file_mutations() -> dict[str, GraphQLField]:
    """The upload mutations, each needing the ``files`` scope (new fields per call: each
    schema holds its own)."""
    upload = GraphQLArgument(GraphQLNonNull(UploadScalar))
    return requiring(
        FILES,
        {
            "uploadFile": GraphQLField(
                GraphQLNonNull(SignedFile),
                args={"file": upload, "fileFolder": GraphQLArgument(FileFolder)},
                resolve=_upload_file,
            ),
            "uploadFilesFieldFile": GraphQLField(
                GraphQLNonNull(FileWithSignedUrl),
                args={
                    "file": upload,
                    "fieldMetadataId": GraphQLArgument(GraphQLNonNull(GraphQLString)),
                },
                resolve=_upload_files_field_file,
            ),
        },
    )
