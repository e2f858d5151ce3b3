"""Pacing sends without tripping Slack's rate limits, shared by every instance.

A `Throttle` hands out send slots at a steady rate (a token bucket, kept as the GCRA
"theoretical arrival time", which lets each caller reserve its slot in one short change
and sleep outside it). When Slack still answers 429, every sender pauses for the
`Retry-After` Slack asked for, not only the one that got it, and the rate drops so the
next minute does not repeat the mistake; it creeps back up while Slack stays quiet, more
cautiously after every 429.

The pace (next free slot, pause, current rate) lives in a `PaceKeeper`: in memory for one
process (`LocalPace`), or in the store for a workspace (`SharedPace`), where every
instance sending to that workspace reserves its slots from the same budget. Slack's limits
are per workspace, so N instances together send at the rate, not N times it. Times are
seconds since the epoch, so instances agree on them.

Stopping the throttle (the bot is shutting down) ends every wait for a turn at once: no
new send starts, sends under way finish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from slack_sdk.errors import SlackApiError

from storage import Store
from storage.records import Pace

R = TypeVar("R")
T = TypeVar("T")

Clock = Callable[[], float]
Sleep = Callable[[float], object]

logger = logging.getLogger(f"wi3.{__name__}")

_NEGLIGIBLE_SECONDS = 1e-9


_TURN_TAKEN: ContextVar[bool] = ContextVar("wi3_turn_taken", default=False)


@contextmanager
def turn_taken() -> Iterator[None]:
    """Calls made inside already took their turn from their method's budget (a background
    path waiting in line, `bot.method_budgets`): a budgeted client must not spend again,
    or the workspace's budget would count each call twice."""
    token = _TURN_TAKEN.set(True)
    try:
        yield
    finally:
        _TURN_TAKEN.reset(token)


def is_turn_taken() -> bool:
    return _TURN_TAKEN.get()


class Stopped(Exception):
    """The throttle was stopped: no more turns, the caller must not send."""


class TooLong(Exception):
    """The next turn is further away than the caller would wait (`seconds` from now)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the next turn is {seconds:.1f}s away")
        self.seconds = seconds


class PaceKeeper(Protocol):
    """Where a throttle's pace is kept: changes are applied one at a time."""

    def change(self, change: Callable[[Pace | None], tuple[Pace, T]]) -> T: ...


class LocalPace:
    """A pace for this process alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pace: Pace | None = None

    def change(self, change: Callable[[Pace | None], tuple[Pace, T]]) -> T:
        with self._lock:
            self._pace, result = change(self._pace)
        return result


@dataclass(frozen=True)
class SharedPace:
    """A workspace's pace in the store, shared with every instance on it."""

    store: Store
    workspace_id: str

    def change(self, change: Callable[[Pace | None], tuple[Pace, T]]) -> T:
        return self.store.change_pace(self.workspace_id, change)


@dataclass(frozen=True)
class Policy:
    """How a throttle paces: its ceiling and how it reacts to 429s.

    rate: sends per second at most (the configured ceiling).
    burst: how many sends may go back to back after a quiet spell.
    slowdown: factor applied to the current rate on a fresh 429.
    recovery: share of `rate` regained per second without a 429 (less after each 429).
    min_rate: the rate never drops below this.
    """

    rate: float
    burst: float = 1.0
    slowdown: float = 0.8
    recovery: float = 0.02
    min_rate: float = 1.0

    def start(self, now: float) -> Pace:
        return Pace(next_free=now, paused_until=0.0, rate=self.rate, recovered_at=now)

    def recovered(self, pace: Pace, now: float) -> Pace:
        """Additive increase: regain `recovery * rate` per quiet second, divided by the
        number of 429 episodes so far, since each one says the real limit is near."""
        if pace.rate >= self.rate or now <= pace.recovered_at:
            return replace(pace, rate=min(pace.rate, self.rate))
        per_second = self.recovery * self.rate / (1 + pace.pauses)
        gained = (now - pace.recovered_at) * per_second
        return replace(pace, rate=min(self.rate, pace.rate + gained), recovered_at=now)

    def tolerance(self, pace: Pace) -> float:
        return (self.burst - 1.0) * (1.0 / pace.rate)

    def reserve(self, pace: Pace, now: float, max_wait: float | None) -> tuple[Pace, float]:
        """Claim the next free slot at or after `now`: (new pace, slot). A slot further
        than `max_wait` is not claimed: (pace unchanged, slot)."""
        pace = self.recovered(pace, now)
        slot = max(now, pace.next_free - self.tolerance(pace), pace.paused_until)
        if slot - now < _NEGLIGIBLE_SECONDS:  # float dust, not a real wait
            slot = now
        if max_wait is not None and slot - now > max_wait:
            return pace, slot
        return replace(pace, next_free=max(pace.next_free, slot) + 1.0 / pace.rate), slot

    def paused(self, pace: Pace, now: float, retry_after: float) -> tuple[Pace, bool]:
        """Slack answered 429: everyone waits `retry_after`; a fresh episode slows down."""
        fresh = now >= pace.paused_until
        until = max(pace.paused_until, now + max(retry_after, 0.0))
        pace = replace(pace, paused_until=until,
                       next_free=max(pace.next_free, until + self.tolerance(pace)))
        if fresh:
            pace = replace(pace, pauses=pace.pauses + 1, recovered_at=until,
                           rate=max(self.min_rate, pace.rate * self.slowdown))
        return pace, fresh


class Throttle:
    """A thread-safe (and, with `SharedPace`, instance-safe) send pacer with a shared
    pause on 429. See `Policy` for the options."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        slowdown: float = 0.8,
        recovery: float = 0.02,
        min_rate: float | None = None,
        clock: Clock = time.time,
        sleep: Sleep | None = None,
        pace: PaceKeeper | None = None,
    ) -> None:
        if rate <= 0 or burst < 1 or not 0 < slowdown < 1 or recovery < 0:
            raise ValueError("rate > 0, burst >= 1, 0 < slowdown < 1, recovery >= 0")
        self.policy = Policy(float(rate), float(burst), slowdown, recovery,
                             float(min_rate) if min_rate is not None else min(1.0, rate))
        self._clock = clock
        self._stopped = threading.Event()
        self._sleep = sleep or self._stopped.wait  # a real wait ends the moment we stop
        self._keeper = pace or LocalPace()

    def _change(self, change: Callable[[Pace, float], tuple[Pace, T]]) -> T:
        now = self._clock()
        return self._keeper.change(lambda pace: change(pace or self.policy.start(now), now))

    @property
    def max_rate(self) -> float:
        return self.policy.rate

    @property
    def rate(self) -> float:
        """The current sends-per-second (below `max_rate` after recent 429s)."""
        return self._change(lambda pace, now: (pace, self.policy.recovered(pace, now).rate))

    @property
    def pauses(self) -> int:
        """How many 429 episodes made everyone wait."""
        return self._change(lambda pace, _now: (pace, pace.pauses))

    @property
    def paused_until(self) -> float:
        return self._change(lambda pace, _now: (pace, pace.paused_until))

    def stop(self) -> None:
        """Hand out no more turns: callers waiting for one, and later ones, get `Stopped`."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait_turn(self, max_wait: float | None = None) -> None:
        """Block until the caller may send one request; `Stopped` once stopped;
        `TooLong` (nothing reserved) when the turn is more than `max_wait` away."""
        while not self.stopped:
            slot, now = self._change(lambda pace, now: self._reserved(pace, now, max_wait))
            if max_wait is not None and slot - now > max_wait:
                raise TooLong(slot - now)
            if slot > now:
                self._sleep(slot - now)
            # A 429 seen by another sender while we slept: wait for the pause.
            if self._clock() >= self.paused_until and not self.stopped:
                return
        raise Stopped

    def _reserved(self, pace: Pace, now: float,
                  max_wait: float | None) -> tuple[Pace, tuple[float, float]]:
        changed, slot = self.policy.reserve(pace, now, max_wait)
        return changed, (slot, now)

    def rate_limited(self, retry_after: float) -> None:
        """Slack answered 429: pause every sender for `retry_after` seconds and slow down."""
        fresh = self._change(lambda pace, now: self.policy.paused(pace, now, retry_after))
        if fresh:
            logger.info("Slack rate limit hit: pausing all sends %.1fs, now %.1f/s",
                        retry_after, self.rate)

    def call(self, send: Callable[[], R], *, attempts: int = 5,
             max_wait: float | None = None) -> R:
        """Run `send` in turn; on a 429 pause everyone and try again (up to `attempts`).
        Raises `Stopped` instead of sending once the throttle is stopped, and `TooLong`
        when a turn is more than `max_wait` away."""
        for attempt in range(1, attempts + 1):
            self.wait_turn(max_wait)
            try:
                return send()
            except SlackApiError as error:
                retry_after = retry_after_of(error)
                if retry_after is None or attempt == attempts:
                    raise
                self.rate_limited(retry_after)
        raise AssertionError("unreachable")  # pragma: no cover


class Throttles:
    """One throttle per workspace, its pace shared through the store: Slack's limits are
    per workspace, and so is the budget every instance draws from."""

    def __init__(self, store: Store, rate: float, *, burst: float | None = None) -> None:
        self.store = store
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 2)
        self._throttles: dict[str, Throttle] = {}
        self._guard = threading.Lock()
        self._stopped = False

    def of(self, workspace_id: str) -> Throttle:
        with self._guard:
            throttle = self._throttles.get(workspace_id)
            if throttle is None:
                throttle = Throttle(self.rate, burst=self.burst,
                                    pace=SharedPace(self.store, workspace_id))
                if self._stopped:
                    throttle.stop()
                self._throttles[workspace_id] = throttle
            return throttle

    def stop(self) -> None:
        """No turn for anyone any more (the bot is stopping)."""
        with self._guard:
            self._stopped = True
            throttles = list(self._throttles.values())
        for throttle in throttles:
            throttle.stop()

    @property
    def stopped(self) -> bool:
        return self._stopped


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


TIER_PER_MINUTE = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}
"""Slack's tiers: calls per minute, per method, per workspace."""
METHOD_TIERS: dict[str, int] = {
    "users.list": 2,
    "auth.revoke": 3, "chat.delete": 3, "chat.update": 3, "conversations.history": 3,
    "conversations.info": 3, "conversations.open": 3, "openid.connect.token": 3,
    "openid.connect.userInfo": 3, "users.lookupByEmail": 3,
    "chat.postEphemeral": 4, "conversations.members": 4, "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4, "oauth.v2.access": 4, "users.info": 4,
    "views.open": 4, "views.publish": 4, "views.push": 4, "views.update": 4,
}
"""Each Web API method's tier (Slack's method pages), the budget's defaults. Methods not
here (`auth.test`; `chat.postMessage`, paced by the outbox's `Throttles`) have none, nor
has `apps.connections.open` (Tier 1): Socket Mode replaces a dropped connection within
seconds, and a refusal from Slack is retried with backoff (`bot.socket_mode`)."""


BURST_SHARE = 0.9
"""The budget's burst, as a share of Slack's: calls reserved back to back may reach Slack
a little closer together than they were reserved (threads, the network); the tokens kept
in hand absorb that, so a call within the budget is not answered 429."""


class MethodBudget:
    """Every Web API call a client makes spends from its method's budget first: Slack's
    tier for it, with a minute's worth as the burst, as Slack allows. A call whose turn is
    further than `max_wait` away is not made (`OverBudget`): a request thread never waits
    for Slack, and the caller falls back, queues it, or says it will be late.

    One budget per client, and a client speaks for one workspace, so the budgets are per
    workspace, as Slack's are; with one bot token they are kept in the store
    (`shared_in`), shared by every instance."""

    def __init__(self, *, max_wait: float = 0.0, clock: Clock = time.time,
                 tiers: dict[str, int] | None = None,
                 pace_for: Callable[[str], PaceKeeper] | None = None) -> None:
        """`pace_for(method)`: where a method's pace is kept (default: in this process);
        `shared_in` keeps them in the store, for every instance on the workspace."""
        self.max_wait = max_wait
        self._clock = clock
        self._tiers = METHOD_TIERS if tiers is None else tiers
        self._pace_for = pace_for
        self._throttles: dict[str, Throttle] = {}
        self._guard = threading.Lock()

    def _throttle(self, method: str) -> Throttle | None:
        tier = self._tiers.get(method)
        if tier is None:
            return None
        with self._guard:
            throttle = self._throttles.get(method)
            if throttle is None:
                per_minute = TIER_PER_MINUTE[tier]
                throttle = self._throttles[method] = Throttle(
                    per_minute / 60.0, burst=max(1.0, per_minute * BURST_SHARE),
                    min_rate=per_minute / 60.0,
                    clock=self._clock,
                    pace=self._pace_for(method) if self._pace_for is not None else None)
            return throttle

    def spend(self, method: str) -> None:
        """Take one call of `method`; `TooLong` (nothing taken) when none is left now."""
        throttle = self._throttle(method)
        if throttle is not None:
            throttle.wait_turn(self.max_wait)

    def rate_limited(self, method: str, retry_after: float) -> None:
        """Slack said 429 anyway (another app instance spent it): nothing for a while."""
        throttle = self._throttle(method)
        if throttle is not None:
            throttle.rate_limited(retry_after)

    @classmethod
    def shared_in(cls, store: Store, workspace_id: str) -> MethodBudget:
        """A workspace's budgets kept in the store: every instance on it spends from the
        same ones, as Slack counts them."""
        return cls(pace_for=lambda method: SharedPace(store, f"{workspace_id}/{method}"))
