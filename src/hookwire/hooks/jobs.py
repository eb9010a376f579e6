"""RQ plumbing: the delivery queue, its job function, and the ``hookwire worker`` process
(which also sends emails from the ``emails`` queue).

Workers are ``SimpleWorker``s: a job runs in the worker process itself instead of a fork per
job (about 15 ms each here), and each job carries a batch of claims, which it hands to the
process's lanes; the job ends as soon as a lane is free for the next one. The executor and
its lanes, with their connection pools, live as long as the worker process.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from functools import cache
from types import FrameType

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

from hookwire.config import load_config
from hookwire.database import create_db_engine
from hookwire.emails import EMAIL_QUEUE
from hookwire.hooks.deliveries import Batch, Claim
from hookwire.hooks.executor import DeliveryExecutor
from hookwire.hooks.lanes import Lanes

JOB_TIMEOUT = 3600
# Reconnecting is a refused TCP connect while Redis is away: cheap enough to try every
# second, so a worker is back within a second of Redis.
RECONNECT_DELAY = 0.25
MAX_RECONNECT_DELAY = 1.0
PUBSUB_POLL = 1.0  # seconds between two polls of the worker's command channel
# A session that lasted this long was healthy: the next outage starts from a short delay.
HEALTHY_SESSION = 10.0

log = logging.getLogger(__name__)


def delivery_queue(redis_url: str, name: str) -> Queue:
    connection = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    return Queue(name, connection=connection)


def enqueue_batch(queue: Queue, batch: Batch) -> None:
    queue.enqueue(
        deliver_batch,
        [(claim.delivery_id, claim.token) for claim in batch.claims],
        batch.probe,
        job_timeout=JOB_TIMEOUT,
        result_ttl=0,
        failure_ttl=3600,
    )


@cache
def _lanes() -> Lanes:
    """One executor and its lanes per worker process, built from the server's environment."""
    config = load_config()
    executor = DeliveryExecutor(create_db_engine(config.database_url), config)
    return Lanes(config.webhooks.dispatch_threads, executor.run)


def deliver_batch(claims: list[tuple[str, str]], probe: bool = False) -> None:
    """The RQ job: hand a batch of claimed deliveries to a lane; return once one is free."""
    lanes = _lanes()
    lanes.submit(Batch([Claim(delivery_id, token) for delivery_id, token in claims], probe))
    lanes.wait_for_free_lane()


class DeliveryWorker(SimpleWorker):
    """RQ's ``SimpleWorker``, stopped promptly and torn down completely, Redis or not."""

    max_connection_wait_time = MAX_RECONNECT_DELAY  # RQ's own retries while idle
    stop_requested = False

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested = True
        super().request_stop(signum, frame)

    def subscribe(self) -> None:
        # As RQ's, but its listener polls every PUBSUB_POLL seconds instead of 60: stopping
        # the listener waits for its poll, so RQ's made a warm shutdown last up to a minute.
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_POLL, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def unsubscribe(self) -> None:
        """Stop the listener and close its connection, without a word to Redis (which may be
        gone: closing the connection ends the subscription anyway)."""
        if self.pubsub_thread is not None:
            self.pubsub_thread.stop(timeout=PUBSUB_POLL + 1)
            self.pubsub_thread = None
        if self.pubsub is not None:
            self.pubsub.close()
            self.pubsub = None

    def teardown(self) -> None:
        # RQ unsubscribes only after registering the death, which fails without Redis: its
        # listener and connections would then outlive the worker, one set per outage.
        try:
            super().teardown()
        finally:
            self.unsubscribe()
            self.connection.connection_pool.disconnect()


def run_worker(redis_url: str, burst: bool = False, other_queues: Sequence[str] = ()) -> None:
    """Take jobs until stopped (deliveries first, then emails, then ``other_queues`` in
    order); outlive Redis outages instead of exiting with them."""
    lanes = _lanes()  # fail fast on a bad configuration, before taking jobs
    queue_name = load_config().webhooks.queue_name
    delay = RECONNECT_DELAY
    try:
        while True:
            queue = delivery_queue(redis_url, queue_name)
            others = [
                Queue(name, connection=queue.connection) for name in (EMAIL_QUEUE, *other_queues)
            ]
            worker = DeliveryWorker([queue, *others], connection=queue.connection)
            started = time.monotonic()
            try:
                worker.work(burst=burst, with_scheduler=False)
                if burst or worker.stop_requested:
                    return
                log.warning("worker: RQ stopped on a Redis error; starting again")
            except RedisError as error:
                # RQ retries a lost connection while idle, but not one lost around a job.
                # The claims of that job come due again when their leases end.
                log.warning("worker: lost Redis (%s); starting again in %.1f s", error, delay)
            # RQ's stop handlers belong to the worker that just ended.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if time.monotonic() - started >= HEALTHY_SESSION:
                delay = RECONNECT_DELAY
            time.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY)
    finally:
        lanes.shutdown()  # what the lanes hold is sent and recorded before the process ends
