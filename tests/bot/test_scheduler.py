"""The scheduler: jobs called with the clock's time, failures contained, clean stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.scheduler import Scheduler
from bot.services import Services
from bot.slack_client import make_client
from storage import Store
from tests.conftest import FakeClock

MONDAY_9 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_tick_calls_every_job_in_order_with_now() -> None:
    calls: list[tuple[str, datetime]] = []
    scheduler = Scheduler()
    scheduler.add(lambda now: calls.append(("close_due_rounds", now)), "close_due_rounds")
    scheduler.add(lambda now: calls.append(("send_pulses", now)), "send_pulses")
    assert scheduler.tick(MONDAY_9) == []
    later = MONDAY_9 + timedelta(hours=1)
    scheduler.tick(later)
    assert calls == [("close_due_rounds", MONDAY_9), ("send_pulses", MONDAY_9),
                     ("close_due_rounds", later), ("send_pulses", later)]


def test_tick_without_a_time_asks_the_clock() -> None:
    seen: list[datetime] = []
    scheduler = Scheduler(clock=lambda: MONDAY_9)
    scheduler.add(seen.append)
    scheduler.tick()
    assert seen == [MONDAY_9]


def test_a_failing_job_is_logged_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def send_reminders(now: datetime) -> None:
        raise RuntimeError("storage unavailable")

    scheduler = Scheduler()
    scheduler.add(lambda now: ran.append("close"), "close_due_rounds")
    scheduler.add(send_reminders)
    scheduler.add(lambda now: ran.append("pulse"), "send_pulses")
    with caplog.at_level(logging.ERROR, logger="wi3.bot.scheduler"):
        failed = scheduler.tick(MONDAY_9)
    assert failed == ["send_reminders"]
    assert ran == ["close", "pulse"]
    assert "send_reminders" in caplog.text and "storage unavailable" in caplog.text
    assert scheduler.tick(MONDAY_9) == ["send_reminders"]  # and the next tick runs again
    assert ran == ["close", "pulse", "close", "pulse"]


def test_the_background_thread_ticks_until_stopped() -> None:
    moments = iter(MONDAY_9 + timedelta(minutes=n) for n in range(10_000))
    seen: list[datetime] = []
    three_ticks = threading.Event()

    def job(now: datetime) -> None:
        seen.append(now)
        if len(seen) >= 3:
            three_ticks.set()

    scheduler = Scheduler(interval=0.01, clock=lambda: next(moments))
    scheduler.add(job)
    scheduler.start()
    assert three_ticks.wait(5)
    scheduler.stop()
    assert not scheduler.running
    count = len(seen)
    assert seen[:3] == [MONDAY_9, MONDAY_9 + timedelta(minutes=1),
                        MONDAY_9 + timedelta(minutes=2)]
    # stop() returned once its thread ended: nothing is left that could run a job
    assert "wi3-scheduler" not in {thread.name for thread in threading.enumerate()}
    assert len(seen) == count


def test_stop_returns_promptly_even_with_a_long_interval() -> None:
    scheduler = Scheduler(interval=3600)
    scheduler.start()
    assert scheduler.running
    finished = threading.Event()

    def stop_then_say_so() -> None:
        scheduler.stop()
        finished.set()

    threading.Thread(target=stop_then_say_so).start()
    assert finished.wait(2)


def test_a_failing_clock_does_not_kill_the_thread(caplog: pytest.LogCaptureFixture) -> None:
    outcomes: Iterator[Exception | datetime] = iter([RuntimeError("clock"), MONDAY_9])
    seen: list[datetime] = []
    ticked = threading.Event()

    def clock() -> datetime:
        outcome = next(outcomes, MONDAY_9)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    scheduler = Scheduler(interval=0.01, clock=clock)

    def job(now: datetime) -> None:
        seen.append(now)
        ticked.set()

    scheduler.add(job)
    with caplog.at_level(logging.ERROR, logger="wi3.bot.scheduler"):
        scheduler.start()
        assert ticked.wait(5)
        scheduler.stop()
    assert seen[0] == MONDAY_9
    assert "Scheduler tick failed" in caplog.text


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Scheduler(interval=0)


def test_the_retention_purge_runs_once_a_day_after_the_one_at_start(
    bot_config: Config, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    purges: list[datetime] = []
    real_purge = store.purge_answers_older_than

    def counted(days: int, now: datetime | None = None) -> int:
        purges.append(clock())
        return real_purge(days, now)

    monkeypatch.setattr(store, "purge_answers_older_than", counted)
    services = Services.build(store, make_client(bot_config), clock=clock, retention_days=30)
    services.scheduler.tick(clock())  # the store purged when it opened, today
    services.scheduler.tick(clock.advance(hours=3))
    assert purges == []
    tomorrow = clock.advance(days=1)
    services.scheduler.tick(tomorrow)
    services.scheduler.tick(clock.advance(minutes=1))
    assert purges == [tomorrow]


def test_a_shared_job_runs_in_one_instance_per_tick_and_another_takes_over(
    any_store: Store,
) -> None:
    """Two instances tick together on one store: the shared job runs once per tick,
    the unshared one in both; a stop hands the job over at once, a death after a lease."""
    runs: list[tuple[str, str]] = []

    def instance(owner: str) -> Scheduler:
        scheduler = Scheduler(interval=10, leases=any_store, owner=owner)
        scheduler.add(lambda now: runs.append((owner, "close")), "close-due-rounds")
        scheduler.add(lambda now: runs.append((owner, "send")), "send", shared=False)
        return scheduler

    first, second = instance("A"), instance("B")
    moment = MONDAY_9
    for _ in range(3):
        first.tick(moment)
        second.tick(moment)
        moment += timedelta(seconds=10)
    assert [r for r in runs if r[1] == "close"] == [("A", "close")] * 3
    assert sorted(r for r in runs if r[1] == "send") == [("A", "send")] * 3 + [("B", "send")] * 3

    runs.clear()
    first.stop()  # lets its leases go
    second.tick(moment)
    assert ("B", "close") in runs

    runs.clear()
    third = instance("C")
    for _ in range(3):  # B dies: it ticks no more; C waits out B's lease (three ticks)
        moment += timedelta(seconds=10)
        third.tick(moment)
    assert [r for r in runs if r[1] == "close"] == [("C", "close")]
