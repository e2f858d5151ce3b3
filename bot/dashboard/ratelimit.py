"""Sign-in attempts per client, limited in each instance's memory.

A token bucket per client address: `burst` attempts at once, then `per_minute` (an office
behind one address signs in together in the morning; a script trying codes does not get
far). Behind a
proxy on a private network the client is the one the proxy names (`X-Real-IP`, which
nginx in compose sets). Several instances each keep
their own buckets, so the limit behind a balancer is at most the sum.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_CLIENTS = 10_000
"""Buckets kept; the longest unused go first (memory stays bounded)."""


class Attempts:
    def __init__(self, per_minute: float = 30.0, burst: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Take one attempt from the client's bucket; False when it is empty."""
        now = self.clock()
        with self._lock:
            tokens, since = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - since) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return allowed
