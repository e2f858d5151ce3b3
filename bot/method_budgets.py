"""Turns for the background paths' Web API methods, within Slack's documented tiers.

Slack limits each Web API method per app and per workspace (Tier 2 20+ per minute, Tier 3
50+, Tier 4 100+). The background paths (delivery checks, directory reads, App Home) take
a turn from their method's budget before each call: a `bot.throttle.Throttle` whose pace
is kept in the store under the workspace and the method, so every instance draws from the
same budget, as Slack counts it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from bot.throttle import SharedPace, Throttle
from storage import Store

PER_MINUTE: Mapping[str, float] = {
    "users.list": 20.0,  # Tier 2
    "conversations.history": 50.0,  # Tier 3
    "conversations.open": 50.0,  # Tier 3
    "conversations.members": 100.0,  # Tier 4
    "views.publish": 100.0,  # Tier 4
}
"""Slack's documented floor of each tier, in calls per minute."""


class MethodBudgets:
    """One throttle per (workspace, method), its pace shared through the store."""

    def __init__(self, store: Store, per_minute: Mapping[str, float] | None = None, *,
                 speed: float = 1.0) -> None:
        """`speed` scales every rate (benchmarks that run Slack's minutes in seconds)."""
        self.store = store
        self.per_minute = dict(PER_MINUTE if per_minute is None else per_minute)
        self.speed = speed
        self._throttles: dict[tuple[str, str], Throttle] = {}
        self._guard = threading.Lock()
        self._stopped = False

    def rate(self, method: str) -> float:
        """The method's calls per second."""
        return self.per_minute[method] * self.speed / 60.0

    def of(self, workspace_id: str, method: str) -> Throttle:
        key = (workspace_id, method)
        with self._guard:
            throttle = self._throttles.get(key)
            if throttle is None:
                rate = self.rate(method)
                throttle = Throttle(rate, min_rate=rate / 4,
                                    pace=SharedPace(self.store, f"{workspace_id}/{method}"))
                if self._stopped:
                    throttle.stop()
                self._throttles[key] = throttle
            return throttle

    def stop(self) -> None:
        """No turn for anyone any more (the bot is stopping)."""
        with self._guard:
            self._stopped = True
            throttles = list(self._throttles.values())
        for throttle in throttles:
            throttle.stop()
