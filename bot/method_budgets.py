"""Turns for the background paths' Web API methods, within Slack's documented tiers.

Slack limits each Web API method per app and per workspace (Tier 2 20+ per minute, Tier 3
50+, Tier 4 100+). The background paths (delivery checks, directory reads, App Home) take
a turn from their method's budget before each call: a `bot.throttle.Throttle` whose pace
is kept in the store under the workspace and the method, so every instance draws from the
same budget, as Slack counts it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.throttle import (
    BURST_SHARE,
    METHOD_TIERS,
    TIER_PER_MINUTE,
    SharedPace,
    Throttle,
    turn_taken,
)
from storage import Store

R = TypeVar("R")

BACKGROUND_METHODS = ("users.list", "conversations.history", "conversations.open",
                      "conversations.members", "views.publish")
PER_MINUTE: Mapping[str, float] = {
    method: TIER_PER_MINUTE[METHOD_TIERS[method]] for method in BACKGROUND_METHODS}
"""Slack's documented floor of each method's tier, in calls per minute: the one table of
tiers in `bot.throttle`, as the listener clients' budgets use it."""


class _TurnsInLine(Throttle):
    """A background path's throttle: its calls took their turn here, so the budgeted
    client they go through does not spend a second one from the same budget."""

    def call(self, send: Callable[[], R], *, attempts: int = 5,
             max_wait: float | None = None) -> R:
        def sent_in_turn() -> R:
            with turn_taken():
                return send()
        return super().call(sent_in_turn, attempts=attempts, max_wait=max_wait)


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

    def burst(self, method: str) -> float:
        """Calls that may go back to back: most of a minute's worth, as Slack allows and
        as the listener clients' budgets (`bot.throttle.MethodBudget`) count them, so one
        person opening Home does not wait for the turn of the last one who did."""
        return max(1.0, self.per_minute[method] * self.speed * BURST_SHARE)

    def of(self, workspace_id: str, method: str) -> Throttle:
        key = (workspace_id, method)
        with self._guard:
            throttle = self._throttles.get(key)
            if throttle is None:
                rate = self.rate(method)
                throttle = _TurnsInLine(rate, burst=self.burst(method), min_rate=rate / 4,
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
