"""The folders a file is uploaded to: Twenty's ``FileFolder`` names and their path segments."""

from __future__ import annotations

from hookwire.errors import BadRequest

# FileFolder name -> the segment that paths (``attachment/<id>.pdf``) and storage keys use.
FOLDERS: dict[str, str] = {
    "Attachment": "attachment",
    "PersonPicture": "person-picture",
    "ProfilePicture": "profile-picture",
    "WorkspaceLogo": "workspace-logo",
    "File": "file",
    "FilesField": "files-field",
}
DEFAULT_FOLDER = FOLDERS["Attachment"]
FILES_FIELD_FOLDER = FOLDERS["FilesField"]


def folder_segment(value: str | None, where: str = "folder") -> str:
    """A folder given by its FileFolder name (``Attachment``) or its segment (``attachment``)
    as its segment; none given: the attachment folder."""
    if not value:
        return DEFAULT_FOLDER
    if value in FOLDERS:
        return FOLDERS[value]
    if value in FOLDERS.values():
        return value
    raise BadRequest(f"{where}: expected one of {', '.join(FOLDERS)}, got {value!r}")
