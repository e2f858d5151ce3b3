"""A small in-process scheduler for time-driven work (closing due rounds, pulses, reminders).

Jobs are plain callables `job(now)` that look at stored due dates and act on what is due;
the scheduler only calls them regularly. Time comes from an injectable clock, so tests
call `tick(now)` directly in virtual time instead of waiting. One failing job is logged
and never stops the others or the next tick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Job = Callable[[datetime], None]
DateClock = Callable[[], datetime]

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Entry:
    name: str
    job: Job


class Scheduler:
    """Calls every registered job once per tick, in registration order."""

    def __init__(
        self,
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        clock: DateClock = utc_now,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self.clock = clock
        self._entries: list[_Entry] = []
        self._entries_lock = threading.Lock()
        self._tick_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, job: Job, name: str | None = None) -> None:
        """Register `job`; `name` (default: the function's name) appears in logs."""
        label = name or str(getattr(job, "__name__", repr(job)))
        with self._entries_lock:
            self._entries.append(_Entry(label, job))

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
                try:
                    entry.job(moment)
                except Exception:
                    logger.exception("Scheduled job %r failed at %s", entry.name, moment)
                    failed.append(entry.name)
        return failed

    def start(self) -> None:
        """Tick every `interval` seconds in a daemon thread until `stop()`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="wi3-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking; waits for a tick in progress to finish (up to `timeout`)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.tick()
            except Exception:  # the clock itself failed; try again next interval
                logger.exception("Scheduler tick failed")
