"""What an upload may be: its size, its media type, and the name it is kept under."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from hookwire.config import MEBIBYTE, StorageSettings
from hookwire.errors import ApiError, BadRequest


class FileTooLarge(ApiError):
    status = 413
    error = "PayloadTooLargeException"


# Python's own table, not the machine's /etc/mime.types, so that every server guesses alike;
# with the programs it lacks (it calls an .exe application/octet-stream).
_GUESSES = mimetypes.MimeTypes(filenames=())
for _extension, _type in {
    ".exe": "application/vnd.microsoft.portable-executable",
    ".dll": "application/vnd.microsoft.portable-executable",
    ".scr": "application/vnd.microsoft.portable-executable",
    ".com": "application/x-msdos-program",
    ".msi": "application/x-msi",
    ".bat": "application/x-bat",
    ".cmd": "application/x-bat",
    ".jar": "application/java-archive",
}.items():
    _GUESSES.add_type(_type, _extension)

GENERIC_TYPE = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,16}")
MAX_NAME = 255


def _matches(media_type: str, patterns: tuple[str, ...]) -> bool:
    family = media_type.split("/", 1)[0] + "/*"
    return media_type in patterns or family in patterns


@dataclass(frozen=True)
class UploadPolicy:
    """The limits of ``StorageSettings`` applied to one upload at a time."""

    max_bytes: int
    allowed_types: tuple[str, ...]
    denied_types: tuple[str, ...]

    @classmethod
    def of(cls, settings: StorageSettings) -> UploadPolicy:
        return cls(settings.max_file_bytes, settings.allowed_types, settings.denied_types)

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise FileTooLarge(
                f"file: {size:,} bytes; the limit is {self.max_bytes:,} bytes "
                f"({self.max_bytes / MEBIBYTE:g} MB, FILE_MAX_SIZE_MB)"
            )

    def media_type(self, name: str, declared: str | None) -> str:
        """The type the file is kept and served as: the one its sender declared unless that
        says nothing (octet-stream), else the one its name suggests. Refused (400) when
        either is denied, or when it is not among the allowed types."""
        guessed = _GUESSES.guess_type(name.lower(), strict=False)[0]
        declared = (declared or "").strip().lower()
        if not _MEDIA_TYPE.fullmatch(declared) or declared == GENERIC_TYPE:
            declared = ""
        media_type = declared or guessed or GENERIC_TYPE
        for candidate in dict.fromkeys((media_type, guessed)):
            if candidate and _matches(candidate, self.denied_types):
                raise BadRequest(
                    f"file: files of type {candidate} are not accepted (FILE_DENIED_TYPES)"
                )
        if self.allowed_types and not _matches(media_type, self.allowed_types):
            raise BadRequest(
                f"file: files of type {media_type} are not accepted; the allowed types are "
                f"{', '.join(self.allowed_types)} (FILE_ALLOWED_TYPES)"
            )
        return media_type


def clean_name(filename: str | None) -> str:
    """The name a file is listed under: the last part of the name its sender gave, without
    control characters, at most 255 characters (its extension kept); ``file`` if none."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if character.isprintable()).strip()
    if len(name) > MAX_NAME:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name or "file"


def extension(name: str) -> str:
    """``.pdf`` for ``Report.PDF``; empty unless the name ends in a short plain extension."""
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if _EXTENSION.fullmatch(suffix) else ""
