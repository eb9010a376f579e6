"""The email runner: a thread in the server process that moves the outbox forward.

Embedded (no Redis) it sends due emails itself. With Redis it queues a job on the ``emails``
queue whenever emails are due and none is queued, and ``hookwire worker`` sends them. It
wakes on every commit that enqueued an email, and polls for retries that fall due.
"""

from __future__ import annotations

import logging
import threading

from redis.exceptions import RedisError
from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.emails.drivers import create_driver
from hookwire.emails.jobs import email_queue, enqueue_sending
from hookwire.emails.sender import has_due, send_pending

POLL_INTERVAL = 1.0
ERROR_PAUSE = 1.0

log = logging.getLogger(__name__)


class EmailRunner:
    """Sends (or queues the sending of) due emails; ``notify()`` wakes it after a commit.

    Arguments:
        engine: the database holding the outbox.
        config: the server's configuration (``emails`` and ``redis_url``).
    """

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.settings = config.emails
        self.driver = create_driver(config.emails)
        self.queue = email_queue(config.redis_url) if config.redis_url else None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hookwire-emails", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def notify(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(POLL_INTERVAL)
            self._wake.clear()
            try:
                self.run_once()
            except RedisError as error:
                log.warning("emails: Redis unavailable (%s); emails wait in the database", error)
                self._stop.wait(ERROR_PAUSE)
            except Exception:
                log.exception("emails: unexpected error; retrying")
                self._stop.wait(ERROR_PAUSE)

    def run_once(self) -> None:
        """One round: send (or queue the sending of) whatever is due."""
        # A read first: most rounds find nothing, and on SQLite a claim takes the write lock.
        if not has_due(self.engine):
            return
        if self.queue is None:
            send_pending(self.engine, self.settings, self.driver)
        elif self.queue.count == 0:
            enqueue_sending(self.queue)
