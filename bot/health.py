"""What `GET /healthz` says, in HTTP mode and on Socket Mode's side port.

"starting" (503) until the bot is wired to Slack and its data; then 200, unless one of
its checks reports a problem: the store cannot be written, or (Socket Mode) nothing has
been heard from Slack for a while. A load balancer or container runtime then stops
trusting this instance, and `wi3_healthy` (bot/metrics.py) says the same to Prometheus.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Check = Callable[[], str | None]
"""None while all is well; else one line saying what is wrong."""

STARTING = "starting"


class Health:
    """Ready or not, and the checks that may say otherwise once ready."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._checks: list[Check] = []
        self._guard = threading.Lock()

    def add_check(self, check: Check) -> None:
        with self._guard:
            self._checks.append(check)

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    def mark_ready(self) -> None:
        self._ready.set()

    def mark_not_ready(self) -> None:
        self._ready.clear()

    def problem(self) -> str | None:
        """None when healthy; "starting" before ready; else the first check's problem."""
        if not self.is_ready:
            return STARTING
        with self._guard:
            checks = list(self._checks)
        for check in checks:
            found = check()
            if found is not None:
                return found
        return None

    def answer(self) -> tuple[str, dict[str, Any]]:
        """The HTTP status line and JSON body of `/healthz`."""
        problem = self.problem()
        if problem is None:
            return "200 OK", {"ok": True, "status": "ready"}
        if problem == STARTING:
            return "503 Service Unavailable", {"ok": False, "status": STARTING}
        return "503 Service Unavailable", {"ok": False, "status": "degraded",
                                           "reason": problem}
