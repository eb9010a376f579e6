"""The production worker's request threads (``hookwire.server.threads``) as a unit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from hookwire.server.threads import RequestThreads


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_sequential_jobs_rotate_over_the_threads() -> None:
    pool = RequestThreads(4)
    wait_for(lambda: pool.idle == 4)  # all started at once, parked
    names: list[str] = []
    done = threading.Semaphore(0)

    def job() -> None:
        names.append(threading.current_thread().name)
        done.release()

    for _ in range(12):
        pool.submit(job)
        assert done.acquire(timeout=5)
        wait_for(lambda: pool.idle == 4)  # parked again, last in line, before the next job
    assert len(set(names[:4])) == 4
    assert names == names[:4] * 3
    pool.shutdown()


def test_at_most_size_threads_run_and_the_rest_wait_their_turn() -> None:
    pool = RequestThreads(3)
    release = threading.Event()
    running = 0
    most = 0
    finished: list[int] = []
    lock = threading.Lock()

    def job(number: int) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        with lock:
            running -= 1
            finished.append(number)

    for number in range(10):
        pool.submit(job, number)
    wait_for(lambda: running == 3)
    release.set()
    wait_for(lambda: len(finished) == 10)
    assert most == 3 and sorted(finished) == list(range(10))
    pool.shutdown()


def test_a_failing_job_is_logged_and_its_thread_serves_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = RequestThreads(1)

    def fails() -> None:
        raise RuntimeError("boom")

    pool.submit(fails)
    ran = threading.Event()
    pool.submit(ran.set)
    assert ran.wait(5)
    assert pool.threads == 1
    assert "a request thread's job failed" in caplog.text and "boom" in caplog.text
    pool.shutdown()


def test_shutdown_lets_parked_threads_exit_and_takes_no_more_work() -> None:
    pool = RequestThreads(2)
    ran = threading.Event()
    pool.submit(ran.set)
    assert ran.wait(5)
    wait_for(lambda: pool.idle == 2)
    pool.shutdown()
    wait_for(lambda: pool.threads == 0)
    late = threading.Event()
    pool.submit(late.set)
    assert not late.wait(0.2)
