"""The jobs of connected accounts: each channel's sync, and the cleanups after a disconnect.

They run on the ``messaging`` and ``calendar`` queues: RQ queues that ``hookwire worker``
takes jobs from when Redis is configured, an in-process pool of the server otherwise. The
same functions run either way; a worker has no app, so its jobs read the environment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from redis import Redis
from rq import Queue
from sqlalchemy.engine import Engine

from hookwire.calendar import remove_orphan_events, sync_calendar
from hookwire.config import Config
from hookwire.connected_accounts import claim_due_channels
from hookwire.crm import SYSTEM, ChangeSink, RecordStore, load_catalog
from hookwire.database import transaction
from hookwire.hooks import Outbox
from hookwire.jobs.state import worker_state
from hookwire.messaging import remove_orphan_messages, sync_mailbox
from hookwire.models import utcnow

MESSAGING_QUEUE = "messaging"
CALENDAR_QUEUE = "calendar"
CHANNEL_QUEUES = (MESSAGING_QUEUE, CALENDAR_QUEUE)
EMBEDDED_WORKERS = 2
JOB_TIMEOUT = 3600  # seconds: a first import of a large mailbox takes minutes
FAILURE_TTL = 86400

log = logging.getLogger(__name__)

# What each channel kind's sync is, and the queue it runs on.
SYNCS: dict[str, Callable[[Engine, Config, str, ChangeSink | None], object]] = {
    "messaging": sync_mailbox,
    "calendar": sync_calendar,
}
QUEUE_OF = {"messaging": MESSAGING_QUEUE, "calendar": CALENDAR_QUEUE}


def run_sync(
    engine: Engine, config: Config, channel_id: str, kind: str, sink: ChangeSink | None
) -> object:
    return SYNCS[kind](engine, config, channel_id, sink)


def run_cleanup(engine: Engine, workspace_id: str, kind: str, sink: ChangeSink | None) -> int:
    """Destroy the workspace's messages (``messaging``) or events (``calendar``) that no
    connected account holds any more; how many."""
    with transaction(engine) as session:
        store = RecordStore(session, load_catalog(session, workspace_id), sink, SYSTEM)
        if kind == "messaging":
            return remove_orphan_messages(session, store, workspace_id).messages
        return remove_orphan_events(session, store, workspace_id)


def sync_job(channel_id: str, kind: str) -> object:
    """The RQ job of one sync."""
    engine, config = worker_state()
    return run_sync(engine, config, channel_id, kind, Outbox())


def cleanup_job(workspace_id: str, kind: str) -> int:
    """The RQ job of one cleanup."""
    engine, _config = worker_state()
    return run_cleanup(engine, workspace_id, kind, Outbox())


class ChannelJobs:
    """Starts syncs and cleanups: on RQ with Redis, on a small in-process pool without.

    Arguments:
        engine: the database (embedded jobs).
        config: with ``redis_url``, the jobs go to RQ.
        sink: where embedded jobs' record changes go (the app's outbox, which wakes its relay).
    """

    def __init__(self, engine: Engine, config: Config, sink: ChangeSink | None) -> None:
        self.engine = engine
        self.config = config
        self.sink = sink
        self._queues: dict[str, Queue] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[tuple[str, str]] = set()  # embedded jobs queued or running
        self._lock = threading.Lock()
        if config.redis_url:
            connection = Redis.from_url(
                config.redis_url, socket_timeout=5, socket_connect_timeout=5
            )
            self._queues = {name: Queue(name, connection=connection) for name in CHANNEL_QUEUES}

    def dispatch_due(self) -> int:
        """Start every channel sync that is due; how many."""
        hold = timedelta(seconds=self.config.accounts.sync_lease)
        with transaction(self.engine) as session:
            due = claim_due_channels(session, utcnow(), hold)
        for channel_id, kind in due:
            self.sync(channel_id, kind)
        return len(due)

    def sync(self, channel_id: str, kind: str) -> None:
        if self._queues:
            self._queues[QUEUE_OF[kind]].enqueue(
                sync_job, channel_id, kind, **_JOB_OPTIONS, description=f"sync {kind} {channel_id}"
            )
        else:
            self._submit(
                ("sync", channel_id),
                run_sync,
                self.engine,
                self.config,
                channel_id,
                kind,
                self.sink,
            )

    def clean_up(self, workspace_id: str) -> None:
        """Queue the cleanups of a workspace after a disconnect: messages and events."""
        for kind in SYNCS:
            if self._queues:
                self._queues[QUEUE_OF[kind]].enqueue(
                    cleanup_job, workspace_id, kind, **_JOB_OPTIONS,
                    description=f"clean up {kind} of {workspace_id}",
                )  # fmt: skip
            else:
                self._submit(
                    ("cleanup", f"{workspace_id}:{kind}"),
                    run_cleanup,
                    self.engine,
                    workspace_id,
                    kind,
                    self.sink,
                )

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, key: tuple[str, str], job: Callable[..., object], *args: object) -> None:
        with self._lock:
            if key in self._pending:
                return  # already queued: one run does for both
            self._pending.add(key)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    EMBEDDED_WORKERS, thread_name_prefix="hookwire-sync"
                )
        self._pool.submit(self._run, key, job, *args)

    def _run(self, key: tuple[str, str], job: Callable[..., object], *args: object) -> None:
        with self._lock:
            self._pending.discard(key)
        try:
            job(*args)
        except Exception:  # a job's failure must not end the pool's thread
            log.exception("connected accounts: %s %s failed", *key)


_JOB_OPTIONS = {"job_timeout": JOB_TIMEOUT, "result_ttl": 0, "failure_ttl": FAILURE_TTL}
