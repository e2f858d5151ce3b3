"""Whether writes are getting through: the store's health signal for ``/healthz``."""

from __future__ import annotations

import threading


class WriteHealth:
    """The reason the most recent failed write gave, until a later write succeeds.

    Both backends report every write here; ``problem()`` is what ``write_problem()``
    returns: None while writes succeed, else one line (a full disk, a lost database).
    ``failures`` counts the failed writes since the store was opened (for metrics).
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._problem: str | None = None
        self._failures = 0

    def succeeded(self) -> None:
        with self._guard:
            self._problem = None

    def failed(self, reason: str) -> None:
        line = " ".join(reason.split()) or "a write failed"
        with self._guard:
            self._problem = line
            self._failures += 1

    def problem(self) -> str | None:
        with self._guard:
            return self._problem

    @property
    def failures(self) -> int:
        with self._guard:
            return self._failures
