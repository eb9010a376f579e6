"""RQ plumbing: the delivery queue, its job function, and the ``hookwire worker`` process.

Workers are ``SimpleWorker``s: a job runs in the worker process itself instead of a fork per
job (about 15 ms each here), and each job carries a batch of claims. The executor, with its
connection pools, lives as long as the worker process.
"""

from __future__ import annotations

import logging
import signal
import time
from functools import cache

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

from hookwire.config import load_config
from hookwire.database import create_db_engine
from hookwire.hooks.deliveries import Claim
from hookwire.hooks.executor import DeliveryExecutor

JOB_TIMEOUT = 3600
RECONNECT_DELAY = 1.0
MAX_RECONNECT_DELAY = 30.0

log = logging.getLogger(__name__)


def delivery_queue(redis_url: str, name: str) -> Queue:
    connection = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    return Queue(name, connection=connection)


def enqueue_batch(queue: Queue, claims: list[Claim]) -> None:
    queue.enqueue(
        deliver_batch,
        [(claim.delivery_id, claim.token) for claim in claims],
        job_timeout=JOB_TIMEOUT,
        result_ttl=0,
        failure_ttl=3600,
    )


@cache
def _executor() -> DeliveryExecutor:
    """One executor per worker process, built from the same environment as the server."""
    config = load_config()
    return DeliveryExecutor(create_db_engine(config.database_url), config)


def deliver_batch(claims: list[tuple[str, str]]) -> int:
    """The RQ job: attempt a batch of claimed deliveries."""
    return _executor().run([Claim(delivery_id, token) for delivery_id, token in claims])


def run_worker(redis_url: str, burst: bool = False) -> None:
    """Take jobs until stopped; outlive Redis outages instead of exiting with them."""
    executor = _executor()  # fail fast on a bad configuration, before taking jobs
    delay = RECONNECT_DELAY
    while True:
        queue = delivery_queue(redis_url, executor.settings.queue_name)
        try:
            SimpleWorker([queue], connection=queue.connection).work(
                burst=burst, with_scheduler=False
            )
            return
        except RedisError as error:
            # RQ retries a lost connection while idle, but not one lost around a job.
            # The claims of that job come due again when their leases end.
            log.warning("worker: lost Redis (%s); starting again in %.0f s", error, delay)
        # RQ's stop handlers belong to the worker that just died.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        time.sleep(delay)
        delay = min(delay * 2, MAX_RECONNECT_DELAY)
