"""Do SIGKILLs lose acknowledged answers or send anything twice? A long series of kills of
a real `python -m bot` process at the crash points, on TinyDB and on PostgreSQL.

    python bench/crash.py              at least 50 kills per backend (several minutes)
    python bench/crash.py --quick      at least 16 per backend
    python bench/crash.py --backend tinydb

The harness is `tests/e2e/crashes.py` (its CI series is `tests/e2e/test_crashes.py`). One
team of 11 people (the sample workspace and a crowd); cycles run until the kills are
made, and each runs a diagnostic round
(a fan-out of invitations, three people answer two statements each, the lead closes it and
plans a commitment) and a pulse (`/wi3 pulse now`, answered, closed). One crash point is
armed per life, in the order a cycle meets them, with the n-th passing drawn from a seeded
die: an invitation taken by Slack before its receipt was written, an acknowledged answer,
a results post taken by Slack, a commitment save before its ack, a change saved with its
queued messages none of which was sent. After every kill the store is reopened from disk
and the emulated Slack's messages counted; at the end everything is checked once more
after the bot settled.

Prints, per backend: kills by point, acknowledged answers and how many were lost,
duplicate and missing invitations, duplicate and missing results posts, acknowledged
commitment saves lost, and commitments saved twice (a save whose ack died, submitted
again: reported, not a promise). The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.emulator import SlackEmulator
from tests.e2e.crashes import Backend, Harness, crowd_workspace, run_series
from tests.pg import LOCAL_SERVER, own_database

CROWD = 6
INVITEES = 11
"""The lead, four members and the crowd: the team channel's active people."""
CLICKS = 6
"""Acknowledged answers per round: three people, two statements each."""
KILLS = {"quick": 16, "full": 50}
"""At least this many kills per backend: cycles go on until there were."""
SEED = 23


def points(cycles: int, dice: random.Random) -> list[str]:
    """The crash points of `cycles` cycles, one a life, in the order a cycle meets them."""
    cycle: list[Callable[[], str]] = [
        lambda: f"sent.invitation:{dice.randint(1, INVITEES)}",
        lambda: f"click.acked:{dice.randint(1, CLICKS // 2)}",
        lambda: "sent.results",
        lambda: "commitments.saved",
        lambda: "queued",  # the pulse opened, its invitations queued
        lambda: f"sent.invitation:{dice.randint(1, INVITEES)}",
        lambda: f"click.acked:{dice.randint(1, CLICKS // 2)}",
        lambda: "sent.results",
    ]
    return [make() for _ in range(cycles) for make in cycle]


def series(backend: Backend, logs: Path, kills: int) -> dict[str, Any]:
    started = time.monotonic()
    with SlackEmulator(crowd_workspace(CROWD)) as emulator:
        harness = Harness(emulator, backend, logs, points(kills, random.Random(SEED)),
                          seed=SEED)
        try:
            figures = run_series(harness, 1, kills=kills)
        finally:
            harness.stop()
    found = asdict(figures)
    found.update(backend=backend.name, kills=dict(figures.kills),
                 total_kills=figures.total_kills,
                 broken=figures.broken(), seconds=round(time.monotonic() - started, 1))
    return found


def report(found: dict[str, Any]) -> None:
    kills = ", ".join(f"{point} {n}" for point, n in sorted(found["kills"].items()))
    print(f"{found['backend']}: {found['total_kills']} kills ({kills}) in "
          f"{found['seconds']:.0f} s, {found['rounds']} rounds")
    print(f"  acknowledged answers {found['acked_answers']}, lost {found['lost_answers']}")
    print(f"  invitations duplicated {found['duplicate_invitations']}, missing "
          f"{found['missing_invitations']}")
    print(f"  results posts duplicated {found['duplicate_results']}, missing "
          f"{found['missing_results']}")
    print(f"  acknowledged commitment saves {found['acked_saves']}, lost "
          f"{found['lost_saves']}; saved twice after a dead ack {found['saved_twice']}")
    for what in found["what"]:
        print(f"  ! {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="16 kills per backend")
    parser.add_argument("--backend", choices=("tinydb", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=os.environ.get("WI3_BENCH_DATABASE_URL",
                                                                 LOCAL_SERVER))
    args = parser.parse_args()
    kills = KILLS["quick" if args.quick else "full"]
    print(f"wi3 crash series: at least {kills} kills per backend, {os.cpu_count()} CPU(s), "
          f"load average {os.getloadavg()[0]:.1f}")
    results = []
    with tempfile.TemporaryDirectory(prefix="wi3-crash-") as scratch:
        root = Path(scratch)
        if args.backend in ("tinydb", "both"):
            results.append(series(Backend("tinydb", root / "tinydb"), root, kills))
            report(results[-1])
        if args.backend in ("postgresql", "both"):
            with own_database(args.database_url) as database:
                results.append(series(Backend("postgresql", root / "pg", database.url),
                                      root, kills))
            report(results[-1])
    print(json.dumps({"cpus": os.cpu_count(), "kills_wanted": kills, "results": results}))
    if any(found["broken"] for found in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
