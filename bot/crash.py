"""Crash points: named moments at which the crash harness (`tests/e2e/crashes.py`,
`bench/crash.py`) kills this very process with SIGKILL, to show from the outside that
nothing acknowledged is lost and nothing goes out twice.

Off unless `WI3_CRASH_AT=<point>[:<n>]` is set when the process starts: then the n-th time
(default the first) the named point is passed, the process dies on the spot. A `delay`
lets what was just said to Slack (an ack's HTTP response) reach it first.
"""

from __future__ import annotations

import os
import signal
import threading
import time

VARIABLE = "WI3_CRASH_AT"


def _armed(spec: str) -> tuple[str, int] | None:
    """(point, n) from `point[:n]`; None when unset or malformed (a typo never kills)."""
    name, _, count = spec.strip().partition(":")
    if not name or (count and not count.isdigit()) or count == "0":
        return None
    return name, int(count or 1)


_ARMED = _armed(os.environ.get(VARIABLE, ""))
_passed = 0
_guard = threading.Lock()


def point(name: str, *, delay: float = 0.0) -> None:
    """Die here when this is the armed point's n-th passing; otherwise nothing."""
    global _passed
    if _ARMED is None or name != _ARMED[0]:
        return
    with _guard:
        _passed += 1
        if _passed != _ARMED[1]:
            return
        time.sleep(delay)
        os.kill(os.getpid(), signal.SIGKILL)
