"""The dispatcher loop's pacing: wake-ups coalesced under load, none lost, none delayed idle."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from hookwire.config import load_config
from hookwire.hooks import dispatcher as dispatching


class CountingDispatcher(dispatching.Dispatcher):
    """A dispatcher whose round only notes when it started (no database)."""

    def __init__(self) -> None:
        super().__init__(engine=None, config=load_config({}))  # type: ignore[arg-type]
        self.rounds: list[float] = []

    def _step(self) -> bool:
        self.rounds.append(time.monotonic())
        return False

    def first_round_after(self, moment: float, timeout: float = 1.0) -> float:
        """When the first round that started after ``moment`` started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            later = [started for started in self.rounds if started >= moment]
            if later:
                return later[0]
            time.sleep(0.002)
        raise AssertionError("no round after the wake-up")


@pytest.fixture
def loop() -> Iterator[CountingDispatcher]:
    running = CountingDispatcher()
    running.start()
    yield running
    running.stop()


def test_a_burst_of_commits_shares_rounds(loop: CountingDispatcher) -> None:
    time.sleep(2 * dispatching.MIN_ROUND_INTERVAL)  # past the start-up round's pause
    started = time.monotonic()
    while time.monotonic() - started < 0.3:  # about 300 wake-ups
        loop.notify()
        time.sleep(0.001)
    last_notify = time.monotonic()
    loop.first_round_after(last_notify)  # the last wake-up is served too
    rounds = len([moment for moment in loop.rounds if moment >= started])
    # At most one round per interval, plus the first and the one after the burst.
    assert 2 <= rounds <= 0.3 / dispatching.MIN_ROUND_INTERVAL + 3, rounds


def test_an_isolated_commit_is_served_at_once(loop: CountingDispatcher) -> None:
    time.sleep(2 * dispatching.MIN_ROUND_INTERVAL)
    notified = time.monotonic()
    loop.notify()
    # Not held back to the next poll (0.25 s): at most the pause after a poll's round.
    assert loop.first_round_after(notified) - notified < 0.1
