"""Pacing for fan-out: sending many DMs without tripping Slack's rate limits.

A `Throttle` hands out send slots at a steady rate (a token bucket, kept as the GCRA
"theoretical arrival time", which lets each caller reserve its slot under a lock and
sleep outside it). When Slack still answers 429, every worker pauses for the
`Retry-After` Slack asked for, not only the one that got it, and the rate drops so the
next minute does not repeat the mistake; it creeps back up while Slack stays quiet, more
cautiously after every 429.

`fan_out` sends each item exactly once through a pool of workers sharing one throttle,
and returns what was delivered, what failed and what was left when the throttle was
stopped, so nothing is duplicated or lost. Stopping the throttle (the bot is shutting
down) ends every wait for a turn at once: no new send starts, sends under way finish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from slack_sdk.errors import SlackApiError

T = TypeVar("T")
R = TypeVar("R")

Clock = Callable[[], float]
Sleep = Callable[[float], object]

logger = logging.getLogger(__name__)

_NEGLIGIBLE_SECONDS = 1e-9


class Stopped(Exception):
    """The throttle was stopped: no more turns, the caller must not send."""


class Throttle:
    """A thread-safe send pacer with a shared pause on 429.

    rate: sends per second at most (the configured ceiling).
    burst: how many sends may go back to back after a quiet spell.
    slowdown: factor applied to the current rate on a fresh 429.
    recovery: share of `rate` regained per second without a 429 (less after each 429).
    min_rate: the rate never drops below this.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        slowdown: float = 0.8,
        recovery: float = 0.02,
        min_rate: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep | None = None,
    ) -> None:
        if rate <= 0 or burst < 1 or not 0 < slowdown < 1 or recovery < 0:
            raise ValueError("rate > 0, burst >= 1, 0 < slowdown < 1, recovery >= 0")
        self.max_rate = float(rate)
        self.min_rate = float(min_rate) if min_rate is not None else min(1.0, self.max_rate)
        self.burst = float(burst)
        self.slowdown = slowdown
        self.recovery = recovery
        self._clock = clock
        self._stopped = threading.Event()
        self._sleep = sleep or self._stopped.wait  # a real wait ends the moment we stop
        self._lock = threading.Lock()
        self._rate = self.max_rate
        self._next_free = clock()  # GCRA theoretical arrival time
        self._paused_until = float("-inf")
        self._recovered_at = clock()
        self.pauses = 0  # how many 429 episodes made everyone wait

    @property
    def rate(self) -> float:
        """The current sends-per-second (below `max_rate` after recent 429s)."""
        with self._lock:
            self._recover(self._clock())
            return self._rate

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def stop(self) -> None:
        """Hand out no more turns: callers waiting for one, and later ones, get `Stopped`."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait_turn(self) -> None:
        """Block until the caller may send one request; `Stopped` once stopped."""
        while not self.stopped:
            with self._lock:
                now = self._clock()
                self._recover(now)
                slot = self._reserve(now)
            if slot > now:
                self._sleep(slot - now)
            with self._lock:
                # A 429 seen by another worker while we slept: wait for the pause.
                if self._clock() >= self._paused_until and not self.stopped:
                    return
        raise Stopped

    def rate_limited(self, retry_after: float) -> None:
        """Slack answered 429: pause every worker for `retry_after` seconds and slow down."""
        with self._lock:
            now = self._clock()
            fresh_episode = now >= self._paused_until
            self._paused_until = max(self._paused_until, now + max(retry_after, 0.0))
            self._next_free = max(self._next_free, self._paused_until + self._tolerance())
            if fresh_episode:
                self.pauses += 1
                self._rate = max(self.min_rate, self._rate * self.slowdown)
                self._recovered_at = self._paused_until
                logger.info(
                    "Slack rate limit hit: pausing all sends %.1fs, now %.1f/s",
                    retry_after,
                    self._rate,
                )

    def call(self, send: Callable[[], R], *, attempts: int = 5) -> R:
        """Run `send` in turn; on a 429 pause everyone and try again (up to `attempts`).
        Raises `Stopped` instead of sending once the throttle is stopped."""
        for attempt in range(1, attempts + 1):
            self.wait_turn()
            try:
                return send()
            except SlackApiError as error:
                retry_after = retry_after_of(error)
                if retry_after is None or attempt == attempts:
                    raise
                self.rate_limited(retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    def _interval(self) -> float:
        return 1.0 / self._rate

    def _tolerance(self) -> float:
        return (self.burst - 1.0) * self._interval()

    def _reserve(self, now: float) -> float:
        """Claim the next free slot at or after `now` (caller holds the lock)."""
        slot = max(now, self._next_free - self._tolerance(), self._paused_until)
        if slot - now < _NEGLIGIBLE_SECONDS:  # float dust, not a real wait
            slot = now
        self._next_free = max(self._next_free, slot) + self._interval()
        return slot

    def _recover(self, now: float) -> None:
        """Additive increase: regain `recovery * max_rate` per quiet second, divided by
        the number of 429 episodes so far, since each one says the real limit is near."""
        if self._rate >= self.max_rate or now <= self._recovered_at:
            return
        per_second = self.recovery * self.max_rate / (1 + self.pauses)
        gained = (now - self._recovered_at) * per_second
        self._rate = min(self.max_rate, self._rate + gained)
        self._recovered_at = now


def retry_after_of(error: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, if `error` is a 429; else None."""
    response = error.response
    if getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                break
    return 1.0


@dataclass
class FanOutResult(Generic[T, R]):
    """What a fan-out achieved: every item ends up in exactly one of the three lists."""

    delivered: list[tuple[T, R]] = field(default_factory=list)
    failed: list[tuple[T, Exception]] = field(default_factory=list)
    not_sent: list[T] = field(default_factory=list)  # the throttle was stopped first


def fan_out(
    items: Iterable[T],
    send: Callable[[T], R],
    *,
    throttle: Throttle,
    workers: int = 8,
    attempts: int = 5,
) -> FanOutResult[T, R]:
    """Send each item once through `workers` threads sharing `throttle`.

    A failure (other than a 429 retried within `attempts`) is recorded, not raised, so
    one bad recipient never stops the rest. Once `throttle` is stopped the items not yet
    sent are returned as `not_sent` and the call returns when the sends under way have
    finished. Use a client made with `make_client(config, rate_limit_retries=0)` so 429s
    reach the throttle.
    """
    result: FanOutResult[T, R] = FanOutResult()
    record_lock = threading.Lock()

    def deliver(item: T) -> None:
        try:
            outcome = throttle.call(lambda: send(item), attempts=attempts)
        except Stopped:
            with record_lock:
                result.not_sent.append(item)
            return
        except Exception as error:
            with record_lock:
                result.failed.append((item, error))
            return
        with record_lock:
            result.delivered.append((item, outcome))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fan-out") as pool:
        for _ in pool.map(deliver, items):
            pass
    return result
