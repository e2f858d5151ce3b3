"""Do commitments cost more as a workspace holds more of them?

    python bench/commitments.py           full run: 20 vs 2000 teams
    python bench/commitments.py --quick   smaller: 20 vs 300 teams

Each team has a closed round and three commitments (so the large store holds 6000 or 900).
Timed, on each backend (PostgreSQL at --database-url, default WI3_BENCH_DATABASE_URL, else
127.0.0.1:5432/test; skipped with a line when none answers):

* `due_commitments(now)`: what the scheduler asks on every tick (30 s), none due;
* `add_commitments`: one lead saving three commitments;
* `commitments_owned_by`: what App Home asks for one person (a member owning a few).

The last line is one JSON object with every figure printed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latency import DEFAULT_SERVER, Server
from timing import summarise

from storage import CommitmentPlan, Store, Team, open_store

TEAMS = {"full": (20, 2000), "quick": (20, 300)}
SAMPLES = 200
KEY = bytes(32)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def owner(team: int, k: int) -> str:
    """Members own their own team's commitments: three people per team."""
    return f"U{team:05d}{k}"


def plans(team: int) -> list[CommitmentPlan]:
    """Three commitments due a month from now, one for each of three team members."""
    later = NOW + timedelta(days=30)
    return [CommitmentPlan(f"Commitment {team}.{k}", owner(team, k), later.date(), later)
            for k in range(3)]


def fill(store: Store, teams: int) -> list[tuple[str, str]]:
    """Teams with a closed round and three commitments each; (channel, round id) of each."""
    made = []
    for n in range(teams):
        channel = f"C{n:05d}"
        store.save_team(Team("T1", channel, leads=("L1",)))
        round_ = store.open_round("T1", channel, item_ids=["W1"])
        store.close_round(round_.id)
        store.add_commitments("T1", channel, round_.id, plans(n), planned_by="L1")
        made.append((channel, round_.id))
    return made


def timed(samples: int, call: Callable[[int], object]) -> dict[str, float]:
    durations = []
    for n in range(samples):
        started = time.perf_counter()
        call(n)
        durations.append(time.perf_counter() - started)
    timing = summarise(durations)
    return {"median_ms": timing.median_ms, "p99_ms": timing.p99_ms}


def measure(store: Store, teams: int, samples: int, rng: random.Random) -> dict[str, object]:
    made = fill(store, teams)

    def add(_n: int) -> None:
        team = rng.randrange(teams)
        store.add_commitments("T1", *made[team], plans(team), planned_by="L1")

    return {
        "teams": teams,
        "due_commitments": timed(samples, lambda _n: store.due_commitments(NOW)),
        "add_commitments": timed(samples, add),
        "commitments_owned_by": timed(samples, lambda _n: store.commitments_owned_by(
            "T1", owner(rng.randrange(teams), 0))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_SERVER)
    args = parser.parse_args(argv)
    sizes = TEAMS["quick" if args.quick else "full"]
    rng = random.Random(15)
    figures: dict[str, object] = {}
    server = Server(args.database_url)
    why_not = server.reachable()
    try:
        for teams in sizes:
            with tempfile.TemporaryDirectory() as directory, \
                    open_store(directory, retention_days=100_000) as store:
                figures[f"tinydb_{teams}"] = measure(store, teams, SAMPLES, rng)
            if why_not is None:
                with open_store(database_url=server.new_database(str(teams)), pseudonym_key=KEY,
                                migrate=True, retention_days=100_000) as store:
                    figures[f"postgresql_{teams}"] = measure(store, teams, SAMPLES, rng)
    finally:
        server.drop_all()
    if why_not is not None:
        print(f"postgresql skipped: {why_not}")
    for name, result in figures.items():
        assert isinstance(result, dict)
        print(name, " ".join(f"{k}={v}" for k, v in result.items()))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
