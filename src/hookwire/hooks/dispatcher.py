"""The dispatcher loop in the server process: relay the outbox, claim due deliveries, hand off.

Embedded (no Redis): claims go to lanes in this process. With Redis: claims go to RQ as jobs
that ``hookwire worker`` processes run in their own lanes. Either way the database decides
what is due, so a dead worker, a lost job or a stopped Redis only delays a delivery until its
lease ends.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from redis.exceptions import RedisError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from hookwire.config import Config
from hookwire.database import transaction
from hookwire.hooks.deliveries import (
    RELAY_LIMIT,
    Batch,
    Claim,
    Relayed,
    claim_due,
    relay,
    release,
)
from hookwire.hooks.executor import DeliveryExecutor
from hookwire.hooks.jobs import delivery_queue, enqueue_batch
from hookwire.hooks.lanes import Lanes

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.25
# Rounds start at most this often: a wake-up during a round or the pause after it is served
# by one round afterwards, so under load the per-round cost (~2 ms of CPU and, on SQLite, the
# write lock) is shared by every commit of the interval. An isolated commit is still relayed
# at once. Measured with bench/rest_api.py-style creates on PostgreSQL: the dispatcher's CPU
# per REST create fell from 2.1 ms (a round per commit) to 1.1 ms at 10 ms and 0.4 ms at
# 25 ms, and creates/s rose from 146 to 251 (SQLite: 1.4 -> 0.2 ms, 139 -> 245/s).
MIN_ROUND_INTERVAL = 0.025
BATCH_SIZE = 50


class Dispatcher:
    """A background thread that moves work forward; ``notify()`` wakes it after a commit."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hookwire-dispatcher", daemon=True)
        self._claimed_at = float("-inf")  # when the last claim ran (monotonic)
        self._backlog = True  # whether due deliveries may have been left unclaimed

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
            started = time.monotonic()
            self._work()
            self._stop.wait(MIN_ROUND_INTERVAL - (time.monotonic() - started))

    def _work(self) -> None:
        """Run rounds while there may be more to do; on an error, log it and pause."""
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
        """Relay and hand off one round, in one transaction; True when there may be more to
        do at once."""
        capacity = self.capacity()
        claims: list[Claim] = []
        probes: list[Claim] = []
        with transaction(self.engine) as session:
            relayed = relay(session)
            if capacity > 0 and self._may_find_due(relayed):
                lease = self.config.webhooks.lease
                claims, probes = claim_due(session, capacity, lease, datetime.now(UTC))
                self._claimed_at = time.monotonic()
            self._backlog = capacity == 0 or len(claims) == capacity
        if claims or probes:
            # A probe goes alone: its target may keep it waiting for a whole timeout.
            self.hand_off(self.batches(claims) + [Batch([probe], probe=True) for probe in probes])
        # A round that relayed fewer events than its limit left none behind, and one that
        # claimed less than it could left nothing due: another round would find nothing.
        return relayed.events == RELAY_LIMIT or 0 < capacity == len(claims)

    def _may_find_due(self, relayed: Relayed) -> bool:
        """Whether claiming can find anything: after this round queued deliveries, when the
        last claim was cut short by capacity, and at least every poll interval (retries and
        expired leases fall due with time). A commit that queued nothing (no webhook wants
        it) is then relayed without a claim: most commits, in most workspaces."""
        stale = time.monotonic() - self._claimed_at >= POLL_INTERVAL
        return relayed.deliveries > 0 or self._backlog or stale

    def capacity(self) -> int:
        raise NotImplementedError

    def batches(self, claims: list[Claim]) -> list[Batch]:
        return chunks(claims, BATCH_SIZE)

    def hand_off(self, batches: list[Batch]) -> None:
        raise NotImplementedError


def chunks(claims: list[Claim], size: int) -> list[Batch]:
    return [Batch(claims[i : i + size]) for i in range(0, len(claims), size)]


class EmbeddedDispatcher(Dispatcher):
    """Deliveries run in lanes inside the server process."""

    def __init__(self, engine: Engine, config: Config) -> None:
        super().__init__(engine, config)
        executor = DeliveryExecutor(engine, config)
        self.lanes = Lanes(config.webhooks.dispatch_threads, executor.run, on_done=self.notify)

    def stop(self) -> None:
        super().stop()
        self.lanes.shutdown()

    def capacity(self) -> int:
        return self.lanes.free() * BATCH_SIZE

    def batches(self, claims: list[Claim]) -> list[Batch]:
        # Spread a small backlog over every free lane rather than one long batch.
        size = -(-len(claims) // max(self.lanes.free(), 1))
        return chunks(claims, min(BATCH_SIZE, max(size, 1)))

    def hand_off(self, batches: list[Batch]) -> None:
        for batch in batches:
            self.lanes.submit(batch)


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

    def hand_off(self, batches: list[Batch]) -> None:
        pending = list(batches)
        try:
            while pending:
                enqueue_batch(self.queue, pending[0])
                pending.pop(0)
        except RedisError as error:
            log.warning("dispatcher: could not queue deliveries (%s); released", error)
            with transaction(self.engine) as session:
                release(session, [claim for batch in pending for claim in batch.claims])


def create_dispatcher(engine: Engine, config: Config) -> Dispatcher:
    if config.redis_url:
        return QueueDispatcher(engine, config)
    return EmbeddedDispatcher(engine, config)
