"""How the interpreter runs once the bot serves: made for many short requests at once,
beside the occasional long piece of admin work.

Two of CPython's defaults suit a batch job better than a bot, and at 50,000 people both
showed in other people's clicks while an admin's `/wi3 status all` ran
(bench/org_scale.py):

* The garbage collector: what start-up builds (content, catalogs, Bolt's app, the store's
  indexes) lives as long as the bot, yet every full collection walks all of it while
  every thread waits (pauses of 100-200 ms). `settle()` moves what exists at start out of
  the collector's sight (`gc.freeze`) and lets more young objects pile up before a
  collection runs.
* The switch interval: a thread waiting for the interpreter lock (a click back from
  Slack or the disk) waits up to 5 ms behind a busy thread, once per wait; a click waits
  several times. At 1 ms a click beside a busy thread took a quarter of the time.
"""

from __future__ import annotations

import gc
import sys

YOUNG_THRESHOLD = 50_000
"""Allocations (net of frees) between two collections of the youngest generation (Python's
default is 700: a pass every few hundred objects made, most of which die young anyway)."""

SWITCH_INTERVAL_SECONDS = 0.001
"""How long a busy thread keeps the interpreter lock while another waits (default 5 ms)."""


def settle() -> None:
    """Call once, when the bot is wired and about to serve."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
