"""Rate limits and injected failures: the ways the emulated Slack says no.

Limits are token buckets (Slack allows short bursts, then a steady rate); a request over
a limit gets HTTP 429 with a whole-second `Retry-After`, as Slack sends it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


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


@dataclass(frozen=True)
class _Limit:
    per_second: float
    burst: float


class RateLimits:
    """Per-method (workspace-wide) limits and a per-channel limit for `chat.postMessage`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._method_limits: dict[str, _Limit] = {}
        self._channel_limit: _Limit | None = None
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.rejected = 0

    def limit_method(self, method: str, per_second: float, burst: float | None = None) -> None:
        with self._lock:
            self._method_limits[method] = _Limit(per_second, burst or max(1.0, per_second))
            self._buckets.pop(("method", method), None)

    def limit_channel_posts(self, per_second: float, burst: float = 1.0) -> None:
        with self._lock:
            self._channel_limit = _Limit(per_second, burst)
            self._buckets = {k: v for k, v in self._buckets.items() if k[0] != "channel"}

    def clear(self) -> None:
        with self._lock:
            self._method_limits.clear()
            self._channel_limit = None
            self._buckets.clear()

    def retry_after(self, method: str, channel: str | None) -> int | None:
        """None if the call may proceed, else the whole seconds to wait (at least 1)."""
        with self._lock:
            now = self._clock()
            wait = self._take(("method", method), self._method_limits.get(method), now)
            if wait == 0.0 and method == "chat.postMessage" and channel:
                wait = self._take(("channel", channel), self._channel_limit, now)
            if wait == 0.0:
                return None
            self.rejected += 1
            return max(1, math.ceil(wait))

    def _take(self, key: tuple[str, str], limit: _Limit | None, now: float) -> float:
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
