"""The scheduler: a thread of the server process (never of a worker) that starts each
scheduled job when it falls due, and each connected account's sync when its turn comes.

With Redis it is rq.cron's ``CronScheduler``, driven from this thread (its own ``start()``
wants the main thread for signals), enqueuing on the ``emails`` queue for ``hookwire
worker``. Embedded it runs the jobs itself. Syncs go to ``ChannelJobs`` either way.
"""

from __future__ import annotations

import logging
import threading
import time

from redis import Redis
from redis.exceptions import RedisError
from rq.cron import CronScheduler
from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.emails import EMAIL_QUEUE
from hookwire.jobs.channels import ChannelJobs
from hookwire.jobs.scheduled import SCHEDULED_JOBS, run_job, run_scheduled_job

ERROR_PAUSE = 30.0
MAX_SLEEP = 60.0
SYNC_TICK = 5.0  # seconds between looks for channels due to sync

log = logging.getLogger(__name__)


class Scheduler:
    """Runs (or enqueues) each of ``SCHEDULED_JOBS`` at start and then every interval.

    Arguments:
        engine: the database the jobs read and write (embedded mode).
        config: the server's configuration; with ``redis_url`` the jobs go to RQ.
        channel_jobs: where the syncs of connected accounts start.
    """

    def __init__(self, engine: Engine, config: Config, channel_jobs: ChannelJobs) -> None:
        self.engine = engine
        self.config = config
        self.channel_jobs = channel_jobs
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hookwire-scheduler", daemon=True)
        self._cron: CronScheduler | None = None
        if config.redis_url:
            connection = Redis.from_url(
                config.redis_url, socket_timeout=5, socket_connect_timeout=5
            )
            self._cron = CronScheduler(connection=connection, name=f"hookwire:{id(self):x}")
            for job in SCHEDULED_JOBS.values():
                self._cron.register(
                    run_scheduled_job,
                    queue_name=EMAIL_QUEUE,
                    args=(job.name,),
                    interval=int(job.interval.total_seconds()),
                    result_ttl=0,
                    failure_ttl=3600,
                    name=job.name,
                )
        self._due = {name: 0.0 for name in SCHEDULED_JOBS}  # monotonic time; 0: at start

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def wake(self) -> None:
        """Look for due syncs now (an account was connected, or a sync asked for)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.channel_jobs.dispatch_due()
                pause = min(self.run_due(), SYNC_TICK)
            except RedisError as error:
                log.warning("scheduler: Redis unavailable (%s); trying again", error)
                pause = ERROR_PAUSE
            except Exception:
                log.exception("scheduler: unexpected error; trying again")
                pause = ERROR_PAUSE
            self._wake.wait(pause)

    def run_due(self) -> float:
        """Start every job that is due; the seconds until the next one is."""
        if self._cron is not None:
            self._cron.enqueue_jobs()
            return min(self._cron.calculate_sleep_interval(), MAX_SLEEP)
        for name, job in SCHEDULED_JOBS.items():
            if time.monotonic() >= self._due[name]:
                self._due[name] = time.monotonic() + job.interval.total_seconds()
                run_job(self.engine, self.config, name)
        return min(MAX_SLEEP, max(0.0, min(self._due.values()) - time.monotonic()))
