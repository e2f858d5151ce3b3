"""A small scheduler for time-driven work (closing due rounds, pulses, reminders).

Jobs are plain callables `job(now)` that look at stored due dates and act on what is due;
the scheduler only calls them regularly. Time comes from an injectable clock, so tests
call `tick(now)` directly in virtual time instead of waiting. One failing job is logged
and never stops the others or the next tick.

With several instances every one ticks, and a shared job runs only where its lease is
held (`Store.hold_lease`, named `job:<name>`): the holder renews it on every tick, the
others skip the job, and when the holder dies (or stops and lets go) another instance
takes it over within a lease's length. So each job runs in one instance per tick. A job
that must run everywhere (sending this instance's queued messages) is added unshared.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import metrics
from storage.protocols import Leases

Job = Callable[[datetime], None]
DateClock = Callable[[], datetime]

logger = logging.getLogger(f"wi3.{__name__}")

DEFAULT_INTERVAL_SECONDS = 30.0
LEASE_TICKS = 3
"""A job's lease lasts this many ticks: a holder that misses one tick keeps its jobs, one
that is gone for three loses them."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Entry:
    name: str
    job: Job
    shared: bool


class Scheduler:
    """Calls every registered job once per tick, in registration order; a shared job only
    while this instance holds its lease in `leases` (`owner` names this instance)."""

    def __init__(
        self,
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        clock: DateClock = utc_now,
        leases: Leases | None = None,
        owner: str = "wi3",
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self.clock = clock
        self.leases = leases
        self.owner = owner
        self._held: set[str] = set()
        self._entries: list[_Entry] = []
        self._entries_lock = threading.Lock()
        self._tick_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, job: Job, name: str | None = None, *, shared: bool = True) -> None:
        """Register `job`; `name` (default: the function's name) appears in logs and
        names its lease. `shared=False`: every instance runs it."""
        label = name or str(getattr(job, "__name__", repr(job)))
        with self._entries_lock:
            self._entries.append(_Entry(label, job, shared))

    @property
    def job_names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self._entries)

    def tick(self, now: datetime | None = None) -> list[str]:
        """Run every job once with `now` (default: the clock); return names of jobs that failed."""
        moment = now if now is not None else self.clock()
        failed: list[str] = []
        with self._entries_lock:
            entries = list(self._entries)
        with self._tick_lock:
            for entry in entries:
                started = time.perf_counter()
                try:
                    if entry.shared and not self._holds(entry.name, moment):
                        continue
                    logger.debug("running scheduled job %s", entry.name)
                    entry.job(moment)
                except Exception:
                    logger.exception("Scheduled job %r failed at %s", entry.name, moment)
                    failed.append(entry.name)
                metrics.job_ran(entry.name, entry.name not in failed,
                                time.perf_counter() - started)
        return failed

    def _holds(self, name: str, now: datetime) -> bool:
        """Take or renew the job's lease; whether this instance runs it now."""
        if self.leases is None:
            return True
        held = self.leases.hold_lease(f"job:{name}", self.owner,
                                      self.interval * LEASE_TICKS, now)
        taken_over = held and name not in self._held
        if taken_over:
            logger.info("this instance now runs the scheduled job %s", name)
        metrics.lease_held(name, held, taken_over=taken_over)
        (self._held.add if held else self._held.discard)(name)
        return held

    def start(self) -> None:
        """Tick every `interval` seconds in a daemon thread until `stop()`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="wi3-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking; waits for a tick in progress to finish (up to `timeout`), then
        lets the leases go, so another instance takes the jobs over at its next tick."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.leases is not None:
            for name in sorted(self._held):
                try:
                    self.leases.release_lease(f"job:{name}", self.owner)
                except Exception:  # the store is going too; the lease expires by itself
                    logger.warning("could not let the scheduled job %s go", name)
            self._held.clear()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.tick()
            except Exception:  # the clock itself failed; try again next interval
                logger.exception("Scheduler tick failed")
