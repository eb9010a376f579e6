"""The production worker's request threads, each idle one parked on a lock of its own.

``concurrent.futures.ThreadPoolExecutor``'s idle threads all wait on one queue, and handing
a job to one of them woke another for nothing (seen with strace on one kept-alive
connection: a second thread woke on every request and fought for the GIL; 13 futex calls per
request, 7.6 here). Here a job goes to the thread parked longest, woken alone, so requests
rotate over the threads as they do in waitress: keeping one thread for a connection's
sequential requests measured 10-15% slower on PostgreSQL (bench/rest_api.py's get-by-id).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

Job = tuple[Callable[..., Any], tuple[Any, ...]]
log = logging.getLogger(__name__)


class _Parked:
    """An idle thread: ``wake`` hands it its next job, or ``None`` to exit."""

    def __init__(self) -> None:
        self.job: Job | None = None
        self._ready = threading.Lock()
        self._ready.acquire()

    def wait(self) -> Job | None:
        self._ready.acquire()
        return self.job

    def wake(self, job: Job | None) -> None:
        self.job = job
        self._ready.release()


class RequestThreads:
    """``size`` daemon threads, parked until a job comes (one that dies is replaced when
    the next job comes)."""

    def __init__(self, size: int, name: str = "hookwire-request") -> None:
        self.size = size
        self.name = name
        self._lock = threading.Lock()
        self._parked: deque[_Parked] = deque()
        self._queued: deque[Job] = deque()
        self._started = size
        self._stopping = False
        for number in range(1, size + 1):
            self._spawn(None, number)

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        job = (function, args)
        with self._lock:
            if self._stopping:
                return
            if self._parked:
                self._parked.popleft().wake(job)
                return
            if self._started >= self.size:
                self._queued.append(job)
                return
            self._started += 1
            number = self._started
        self._spawn(job, number)

    def shutdown(self, wait: bool = False) -> None:
        """Take no more work; parked threads exit, running jobs finish. (``wait``: as
        ``ThreadPoolExecutor.shutdown``'s; gthread never waits here.)"""
        with self._lock:
            self._stopping = True
            parked, self._parked = self._parked, deque()
            self._queued.clear()
        for thread in parked:
            thread.wake(None)

    @property
    def threads(self) -> int:
        """Threads started and not exited."""
        return self._started

    @property
    def idle(self) -> int:
        """Threads parked, waiting for a job."""
        return len(self._parked)

    def _spawn(self, job: Job | None, number: int) -> None:
        """A thread that runs ``job`` first, or parks at once."""
        threading.Thread(
            target=self._run, args=(job,), name=f"{self.name}-{number}", daemon=True
        ).start()

    def _run(self, job: Job | None) -> None:
        try:
            if job is None:
                job = self._next()
            while job is not None:
                function, args = job
                try:
                    function(*args)
                except Exception:  # the worker's jobs handle their own; this one is a bug
                    log.exception("a request thread's job failed")
                job = self._next()
        finally:
            with self._lock:
                self._started -= 1

    def _next(self) -> Job | None:
        with self._lock:
            if self._queued:
                return self._queued.popleft()
            if self._stopping:
                return None
            parked = _Parked()
            self._parked.append(parked)
        return parked.wait()
