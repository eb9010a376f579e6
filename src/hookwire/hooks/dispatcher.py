"""The dispatcher loop in the server process: relay the outbox, claim due deliveries, hand off.

Embedded (no Redis): claims go to a thread pool in this process. With Redis: claims go to RQ
as jobs that ``hookwire worker`` processes run. Either way the database decides what is due,
so a dead worker, a lost job or a stopped Redis only delays a delivery until its lease ends.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from redis.exceptions import RedisError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from hookwire.config import Config
from hookwire.database import transaction
from hookwire.hooks.deliveries import Claim, claim_due, relay, release
from hookwire.hooks.executor import DeliveryExecutor
from hookwire.hooks.jobs import delivery_queue, enqueue_batch

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.25
BATCH_SIZE = 20


class Dispatcher:
    """A background thread that moves work forward; ``notify()`` wakes it after a commit."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hookwire-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def notify(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(POLL_INTERVAL)
            self._wake.clear()
            try:
                while self._step() and not self._stop.is_set():
                    pass
            except SQLAlchemyError:
                log.exception("dispatcher: database error; retrying")
                self._stop.wait(1.0)
            except Exception:
                log.exception("dispatcher: unexpected error; retrying")
                self._stop.wait(1.0)

    def _step(self) -> bool:
        """Relay and hand off one round; True when there may be more to do at once."""
        with transaction(self.engine) as session:
            relayed = relay(session)
        capacity = self.capacity()
        if capacity <= 0:
            return False
        with transaction(self.engine) as session:
            claims = claim_due(session, capacity, self.config.webhooks.lease, datetime.now(UTC))
        if claims:
            self.hand_off(claims)
        return relayed > 0 or len(claims) == capacity

    def capacity(self) -> int:
        raise NotImplementedError

    def hand_off(self, claims: list[Claim]) -> None:
        raise NotImplementedError


def batches(claims: list[Claim], size: int = BATCH_SIZE) -> list[list[Claim]]:
    return [claims[i : i + size] for i in range(0, len(claims), size)]


class EmbeddedDispatcher(Dispatcher):
    """Deliveries run on a small thread pool inside the server process."""

    def __init__(self, engine: Engine, config: Config) -> None:
        super().__init__(engine, config)
        self.executor = DeliveryExecutor(engine, config)
        self._threads = config.webhooks.dispatch_threads
        self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="hookwire-delivery")
        self._busy = 0
        self._lock = threading.Lock()

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=True)

    def _free_threads(self) -> int:
        with self._lock:
            return max(self._threads - self._busy, 0)

    def capacity(self) -> int:
        return self._free_threads() * BATCH_SIZE

    def hand_off(self, claims: list[Claim]) -> None:
        # Spread a small backlog over every free thread rather than one long batch.
        size = min(BATCH_SIZE, -(-len(claims) // max(self._free_threads(), 1)))
        for batch in batches(claims, size):
            with self._lock:
                self._busy += 1
            self._pool.submit(self._run, batch)

    def _run(self, batch: list[Claim]) -> None:
        try:
            self.executor.run(batch)
        except Exception:
            log.exception("delivery batch failed; its leases will expire and it will be retried")
        finally:
            with self._lock:
                self._busy -= 1
            self.notify()


class QueueDispatcher(Dispatcher):
    """Deliveries run in ``hookwire worker`` processes, fed through RQ on Redis."""

    MAX_QUEUED_JOBS = 100

    def __init__(self, engine: Engine, config: Config) -> None:
        super().__init__(engine, config)
        self.queue = delivery_queue(config.redis_url or "", config.webhooks.queue_name)

    def capacity(self) -> int:
        try:
            queued = self.queue.count
        except RedisError as error:  # Redis is down: the deliveries wait in the database
            log.warning(
                "dispatcher: Redis unavailable (%s); deliveries wait in the database", error
            )
            self._stop.wait(1.0)
            return 0
        return max(self.MAX_QUEUED_JOBS - queued, 0) * BATCH_SIZE

    def hand_off(self, claims: list[Claim]) -> None:
        pending = batches(claims)
        try:
            while pending:
                enqueue_batch(self.queue, pending[0])
                pending.pop(0)
        except RedisError as error:
            log.warning("dispatcher: could not queue deliveries (%s); released", error)
            with transaction(self.engine) as session:
                release(session, [claim for batch in pending for claim in batch])


def create_dispatcher(engine: Engine, config: Config) -> Dispatcher:
    if config.redis_url:
        return QueueDispatcher(engine, config)
    return EmbeddedDispatcher(engine, config)
