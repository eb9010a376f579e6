"""Files: storage (local disk or S3-compatible), uploads over REST and GraphQL, and signed
download links.

``storage`` is the interface with ``local_storage`` and ``s3_storage`` behind it, ``policy``
says what an upload may be, ``links`` signs and checks download tokens, ``service`` stores,
finds and links files, ``events`` writes an upload's ``file.created`` webhook event, and
``rest`` and ``graphql`` are the routes and mutations.
"""

from flask import Flask

from hookwire.config import Config
from hookwire.files.graphql import file_mutations
from hookwire.files.rest import file_downloads, files_api
from hookwire.files.service import EXTENSION_KEY, FileService
from hookwire.files.storage import Storage, open_storage


def register_files(app: Flask, config: Config) -> None:
    """The app's file service (on ``app.extensions``) and its routes."""
    app.extensions[EXTENSION_KEY] = FileService(
        open_storage(config.storage), config.storage, config.app_secret
    )
    app.register_blueprint(files_api)
    app.register_blueprint(file_downloads)


__all__ = ["FileService", "Storage", "file_mutations", "open_storage", "register_files"]
