"""Files in a GraphQL request: the multipart request protocol (``operations``, ``map``, parts).

A request whose variables hold files is sent as ``multipart/form-data``: an ``operations``
part (the JSON body, with ``null`` where each file goes), a ``map`` part (``{"0":
["variables.file"]}``: the places each file part fills) and one part per file
(github.com/jaydenseric/graphql-multipart-request-spec, what Twenty's clients send).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

import httpx


@dataclass
class Upload:
    """A file to send: its name, its bytes (or a binary file open for reading), its type."""

    filename: str
    content: bytes | IO[bytes]
    content_type: str = "application/octet-stream"

    def read(self) -> bytes:
        """The file's bytes, read once: a retried request sends them again."""
        if not isinstance(self.content, bytes | bytearray):
            self.content = self.content.read()
        return bytes(self.content)


# Uploads a file (into a folder: Attachment by default) and answers where it is kept and its
# signed download URL: the server's ``uploadFile`` mutation, as Twenty's.
UPLOAD_FILE = """mutation UploadFile($file: Upload!, $fileFolder: FileFolder) {
  uploadFile(file: $file, fileFolder: $fileFolder) { path token url }
}"""

FilePart = tuple[str, bytes, str]  # filename, bytes, media type


def split_files(
    variables: dict[str, Any], upload_types: tuple[type, ...]
) -> tuple[dict[str, Any], dict[str, FilePart], dict[str, list[str]]]:
    """``variables`` with each file replaced by ``None``, the file parts, and the map of
    where each goes (a file given twice is sent once and mapped to both places)."""
    parts: dict[str, FilePart] = {}
    places: dict[str, list[str]] = {}
    seen: dict[int, str] = {}

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, upload_types):
            key = seen.get(id(value))
            if key is None:
                key = seen[id(value)] = str(len(parts))
                parts[key] = _part(value)
                places[key] = []
            places[key].append(path)
            return None
        if isinstance(value, dict):
            return {name: walk(item, f"{path}.{name}") for name, item in value.items()}
        if isinstance(value, list | tuple):
            return [walk(item, f"{path}.{index}") for index, item in enumerate(value)]
        return value

    return walk(variables, "variables"), parts, places


def multipart_request(
    url: str,
    operation: dict[str, Any],
    parts: dict[str, FilePart],
    places: dict[str, list[str]],
    headers: dict[str, str],
) -> httpx.Request:
    return httpx.Request(
        "POST",
        url,
        headers=headers,
        data={"operations": json.dumps(operation), "map": json.dumps(places)},
        files={key: part for key, part in parts.items()},
    )


def _part(value: Any) -> FilePart:
    """A file part of an ``Upload`` (or of an object shaped like one: ``filename``,
    ``content``, ``content_type``, as ariadne-codegen's generated ``Upload`` is)."""
    content = value.read() if isinstance(value, Upload) else value.content
    if not isinstance(content, bytes | bytearray):
        content = content.read()
        value.content = content  # read once: a retry sends the same bytes
    return value.filename, bytes(content), value.content_type


def as_upload(file: Upload | bytes, filename: str | None, content_type: str | None) -> Upload:
    if isinstance(file, Upload):
        return file
    return Upload(filename or "file", file, content_type or "application/octet-stream")
