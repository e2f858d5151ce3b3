"""Whether writes are getting through: the store's health signal for ``/healthz``."""

from __future__ import annotations

import threading


class WriteHealth:
    """The reason the most recent failed write gave, until a later write succeeds.

    Both backends report every write here; ``problem()`` is what ``write_problem()``
    returns: None while writes succeed, else one line (a full disk, a lost database).
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._problem: str | None = None

    def succeeded(self) -> None:
        with self._guard:
            self._problem = None

    def failed(self, reason: str) -> None:
        line = " ".join(reason.split()) or "a write failed"
        with self._guard:
            self._problem = line

    def problem(self) -> str | None:
        with self._guard:
            return self._problem
