"""Rebuilding a workspace's client in the background when its metadata changes, so the next
download after a change is ready instead of taking the seconds generation takes.

Only workspaces that have a client built already are rebuilt (they use the SDK; the others
would spend CPU on a wheel no one fetches). Changes that come while a rebuild is queued fold
into it: the rebuild reads the workspace's metadata version when it starts. It runs in one
thread of the server process that saw the change; ``WheelCache``'s lock keeps it from
building twice what a request is building.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, Response, g, request
from sqlmodel import select

from hookwire.database import transaction
from hookwire.errors import ApiError
from hookwire.models import Workspace
from hookwire.sdk.api import workspace_wheel
from hookwire.sdk.cache import WheelCache
from hookwire.services import services

log = logging.getLogger(__name__)

_KEY = "hookwire.sdk_prebuilder"
# Where a successful non-GET request changes a workspace's metadata.
_METADATA_WRITES = frozenset({"graphql_api.graphql_metadata"})
_METADATA_BLUEPRINTS = frozenset({"metadata_api"})


class Prebuilder:
    """A one-thread queue of client rebuilds, per workspace at most one waiting."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sdk-prebuild")
        self._waiting: set[str] = set()
        self._lock = threading.Lock()

    def metadata_changed(self, workspace_id: str, server_url: str) -> None:
        if not WheelCache(services().config.sdk).has_any(workspace_id):
            return
        with self._lock:
            if workspace_id in self._waiting:
                return
            self._waiting.add(workspace_id)
        self._executor.submit(self._rebuild, workspace_id, server_url)

    def _rebuild(self, workspace_id: str, server_url: str) -> None:
        with self._lock:
            self._waiting.discard(workspace_id)  # a change from now on queues another
        with self.app.app_context():
            try:
                with transaction(services().engine, write=False) as session:
                    version = session.exec(
                        select(Workspace.metadata_version).where(Workspace.id == workspace_id)
                    ).first()
                if version is not None:
                    workspace_wheel(workspace_id, version, server_url)
            except ApiError:
                pass  # workspace_wheel logged why; the next download tries again
            except Exception:  # a background thread has no caller to tell: the log does
                log.exception("rebuilding the Python client of workspace %s failed", workspace_id)


def install_prebuilder(app: Flask) -> None:
    """Rebuild a workspace's client after each successful request that changed its metadata."""
    prebuilder = Prebuilder(app)
    app.extensions[_KEY] = prebuilder

    @app.after_request
    def after_metadata_change(response: Response) -> Response:
        caller = g.get("caller")
        if (
            caller is not None
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and response.status_code < 400
            and (request.endpoint in _METADATA_WRITES or request.blueprint in _METADATA_BLUEPRINTS)
        ):
            prebuilder.metadata_changed(caller.workspace_id, request.host_url.rstrip("/"))
        return response
