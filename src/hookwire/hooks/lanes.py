"""Lanes: a fixed number of threads, each sending one batch of deliveries at a time.

The embedded dispatcher and each ``hookwire worker`` process send through lanes, so a target
that keeps a request waiting for its whole timeout holds one lane while the others go on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from hookwire.hooks.deliveries import Batch

log = logging.getLogger(__name__)


class Lanes:
    """Runs ``send(batch)`` on up to ``count`` batches at once; more wait their turn."""

    def __init__(
        self,
        count: int,
        send: Callable[[Batch], object],
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.count = count
        self._send = send
        self._on_done = on_done
        self._pool = ThreadPoolExecutor(count, thread_name_prefix="hookwire-delivery")
        self._taken = 0  # batches running or waiting for a lane
        self._changed = threading.Condition()

    def free(self) -> int:
        with self._changed:
            return max(self.count - self._taken, 0)

    def submit(self, batch: Batch) -> None:
        with self._changed:
            self._taken += 1
        self._pool.submit(self._run, batch)

    def wait_for_free_lane(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._taken < self.count)

    def shutdown(self) -> None:
        """Finish what was submitted, then stop the threads."""
        self._pool.shutdown(wait=True)

    def _run(self, batch: Batch) -> None:
        try:
            self._send(batch)
        except Exception:
            log.exception("delivery batch failed; its leases will expire and it will be retried")
        finally:
            with self._changed:
                self._taken -= 1
                self._changed.notify_all()
            if self._on_done is not None:
                self._on_done()
