"""Rate limits and injected failures: the ways the emulated Slack says no.

By default the emulator enforces Slack's documented limits (`reference/slack-platform-facts.md`,
Slack's "Rate limits" page), so tests, benchmarks and the try-out meet them as a real
workspace would: Web API methods per tier (per method, per app, per workspace),
`chat.postMessage` about one per second per channel plus a workspace-wide limit, and the
Events API's 30,000 deliveries per hour per workspace. Limits are token buckets (Slack
allows short bursts, then a steady rate); a request over a limit gets HTTP 429 with a
whole-second `Retry-After`, as Slack sends it. Switching them off takes a reason
(`RateLimits.unlimited`), so a test that does says why.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

TIER_PER_MINUTE = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}
"""Slack's tiers: calls per minute, per method, per workspace (the documented floor)."""

METHOD_TIERS: dict[str, int] = {
    "apps.connections.open": 1,
    "users.list": 2,
    "auth.revoke": 3,
    "chat.delete": 3,
    "chat.scheduleMessage": 3,
    "chat.update": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.open": 3,
    "openid.connect.token": 3,
    "openid.connect.userInfo": 3,
    "users.lookupByEmail": 3,
    "chat.postEphemeral": 4,
    "conversations.members": 4,
    "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4,
    "oauth.v2.access": 4,
    "users.info": 4,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
"""Each method's tier, as Slack's method pages list them. Methods not listed (`auth.test`,
whose limit Slack calls special and generous) are not limited."""

POST_PER_CHANNEL_PER_SECOND = 1.0
POST_CHANNEL_BURST = 3.0
"""`chat.postMessage`: about one message per second per channel, short bursts allowed."""
POST_WORKSPACE_PER_SECOND = 20.0
"""`chat.postMessage` workspace-wide. Slack documents that the limit exists, not its
figure; this is the pace wi3 sends at (`bot.services.MESSAGES_PER_SECOND`)."""
EVENTS_PER_HOUR = 30_000.0
"""Events API deliveries per workspace (Slack then sends `app_rate_limited`)."""


@dataclass(frozen=True)
class Limit:
    per_second: float
    burst: float


def tier_limit(tier: int) -> Limit:
    """A tier's steady rate, with a minute's worth allowed as one burst."""
    per_minute = TIER_PER_MINUTE[tier]
    return Limit(per_minute / 60.0, per_minute)


class _Bucket:
    def __init__(self, per_second: float, burst: float, now: float) -> None:
        self.per_second = per_second
        self.burst = burst
        self.tokens = burst
        self.updated = now

    def take(self, now: float) -> float:
        """Take one token; 0 if granted, else the seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second


class RateLimits:
    """Slack's limits, each bucket per workspace: per method, per channel for
    `chat.postMessage`, and Events API deliveries."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._method_limits: dict[str, Limit] = {}
        self._channel_limit: Limit | None = None
        self._event_limit: Limit | None = None
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self.rejected = 0
        self.unlimited_because: str | None = None
        self.documented()

    def documented(self) -> None:
        """Slack's documented limits (the default)."""
        with self._lock:
            self._method_limits = {method: tier_limit(tier)
                                   for method, tier in METHOD_TIERS.items()}
            self._method_limits["chat.postMessage"] = Limit(
                POST_WORKSPACE_PER_SECOND, POST_WORKSPACE_PER_SECOND)
            self._channel_limit = Limit(POST_PER_CHANNEL_PER_SECOND, POST_CHANNEL_BURST)
            self._event_limit = Limit(EVENTS_PER_HOUR / 3600.0, EVENTS_PER_HOUR / 60.0)
            self._buckets.clear()
            self.unlimited_because = None

    def unlimited(self, *, reason: str, method: str | None = None) -> None:
        """No limits at all (or none on `method`); only for a test that must not meet
        them, saying why."""
        if not reason or not reason.strip():
            raise ValueError("switching Slack's rate limits off needs a reason")
        with self._lock:
            if method is not None:
                self._method_limits.pop(method, None)
                self._drop_buckets("method", method)
                self.unlimited_because = f"{method}: {reason}"
                return
            self._method_limits.clear()
            self._channel_limit = None
            self._event_limit = None
            self._buckets.clear()
            self.unlimited_because = reason

    def limit_method(self, method: str, per_second: float, burst: float | None = None) -> None:
        with self._lock:
            self._method_limits[method] = Limit(per_second, burst or max(1.0, per_second))
            self._drop_buckets("method", method)

    def limit_channel_posts(self, per_second: float, burst: float = 1.0) -> None:
        with self._lock:
            self._channel_limit = Limit(per_second, burst)
            self._buckets = {k: v for k, v in self._buckets.items() if k[1] != "channel"}

    def tier_of(self, method: str) -> int | None:
        return METHOD_TIERS.get(method)

    def retry_after(self, method: str, channel: str | None,
                    workspace: str | None = None) -> int | None:
        """None if the call may proceed, else the whole seconds to wait (at least 1)."""
        space = workspace or ""
        with self._lock:
            now = self._clock()
            wait = self._take((space, "method", method), self._method_limits.get(method), now)
            if wait == 0.0 and method == "chat.postMessage" and channel:
                wait = self._take((space, "channel", channel), self._channel_limit, now)
            return self._answer(wait)

    def event_retry_after(self, workspace: str) -> int | None:
        """None if Slack would deliver one more event to the app in `workspace`."""
        with self._lock:
            return self._answer(self._take((workspace, "events", ""), self._event_limit,
                                           self._clock()))

    def _answer(self, wait: float) -> int | None:
        if wait == 0.0:
            return None
        self.rejected += 1
        return max(1, math.ceil(wait))

    def _drop_buckets(self, kind: str, name: str) -> None:
        self._buckets = {k: v for k, v in self._buckets.items() if k[1:] != (kind, name)}

    def _take(self, key: tuple[str, str, str], limit: Limit | None, now: float) -> float:
        if limit is None:
            return 0.0
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(limit.per_second, limit.burst, now)
        return bucket.take(now)


@dataclass
class Fault:
    """An answer to give instead of the real one, `remaining` more times."""

    error: str
    status: int
    remaining: int
    retry_after: int
    applied: bool = False
    """The call takes effect before the error is answered (Slack took it, its answer was
    lost on the way back)."""


class Faults:
    """`fail_next` bookkeeping: queued failures per method, used up in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, list[Fault]] = {}

    def add(self, method: str, fault: Fault) -> None:
        with self._lock:
            self._queued.setdefault(method, []).append(fault)

    def take(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._queued.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
