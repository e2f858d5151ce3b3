"""How long does recording one answer take, and does it grow with the amount stored?

    python bench/storage.py           full run: 1k vs 100k answers (about a minute)
    python bench/storage.py --quick   smaller: 1k vs 20k answers

For wi3's Store and, as the baseline, TinyDB's default JSONStorage with every answer in one
file. The store holds the same teams-of-ten shape in both runs (200 answers per team: 10
respondents x 20 questions), so only the total changes: 5 teams (1k) against 500 (100k).
Each timed write is ``Store.record_answers`` changing the score of a stored answer in a
random team's open round (so file sizes stay the same while measuring), alternating
between the small and the large store so both see the same background load; the
baseline times ``Table.insert`` of one answer document. Pre-filling uses
``Store.record_answers`` (one write per respondent) and, for the baseline, one
``insert_multiple``.

The last line is one JSON object with every figure printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB

# This script is itself called storage.py: put the project root first so that
# "import storage" finds the package, not this file.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import Timing, summarise

from storage import Store, Team, open_store

ITEMS = tuple(f"Q{n}" for n in range(20))
RESPONDENTS_PER_TEAM = 10
ANSWERS_PER_TEAM = RESPONDENTS_PER_TEAM * len(ITEMS)
TARGET_RATIO = 1.3
TARGET_P99_MS = 20.0


def settle() -> None:
    """Let the disk finish the pre-fill's writes, so they do not slow the timed ones."""
    os.sync()
    time.sleep(1.0)
    gc.collect()


def fill_store(store: Store, teams: int) -> list[str]:
    """Teams with an open round each, every respondent having answered every question."""
    round_ids = []
    for team in range(teams):
        channel = f"C{team:04d}"
        store.save_team(Team("T1", channel, leads=("L1",)))
        round_ = store.open_round("T1", channel, item_ids=ITEMS)
        for respondent in range(RESPONDENTS_PER_TEAM):
            store.record_answers(round_.id, f"U{respondent}", dict.fromkeys(ITEMS, 3))
        round_ids.append(round_.id)
    return round_ids


class FilledStore:
    """A Store pre-filled with teams, and a way to time one answer write in it."""

    def __init__(self, directory: Path, total_answers: int) -> None:
        self.directory = directory
        self.store = open_store(directory, retention_days=100_000)
        self.round_ids = fill_store(self.store, total_answers // ANSWERS_PER_TEAM)
        self.scores: dict[tuple[str, str, str], int] = {}
        self.durations: list[float] = []

    def time_one_answer(self, rng: random.Random) -> None:
        """Change one stored answer in a random team's round (a real write every time)."""
        round_id = rng.choice(self.round_ids)
        user = f"U{rng.randrange(RESPONDENTS_PER_TEAM)}"
        item = rng.choice(ITEMS)
        score = 4 if self.scores.get((round_id, user, item), 3) == 3 else 3
        self.scores[(round_id, user, item)] = score
        start = time.perf_counter()
        self.store.record_answers(round_id, user, {item: score})
        self.durations.append(time.perf_counter() - start)

    def reopen_seconds(self) -> float:
        """Close, then time Store.open (which validates every file)."""
        self.store.close()
        start = time.perf_counter()
        open_store(self.directory, retention_days=100_000).close()
        return time.perf_counter() - start


def time_stores(small: int, large: int, samples: int,
                rng: random.Random) -> tuple[Timing, Timing, float]:
    """Time writes to a small and a large store in turn (in random order), so whatever
    else the machine is doing slows both alike; also time reopening the large one."""
    with tempfile.TemporaryDirectory(prefix="wi3-bench-") as tmp:
        stores = [FilledStore(Path(tmp) / "small", small), FilledStore(Path(tmp) / "large", large)]
        settle()
        for _ in range(samples):
            for filled in rng.sample(stores, k=2):  # which goes first varies too
                filled.time_one_answer(rng)
        reopen = stores[1].reopen_seconds()
        stores[0].store.close()
    return summarise(stores[0].durations), summarise(stores[1].durations), reopen


def answer_doc(n: int) -> dict[str, object]:
    return {"round": f"R{n // ANSWERS_PER_TEAM}", "respondent": f"U{n % 10}",
            "item": ITEMS[n % len(ITEMS)], "score": n % 5 + 1,
            "at": "2025-03-03T09:00:00+00:00"}


def time_baseline(total_answers: int, samples: int) -> Timing:
    """TinyDB as shipped: one JSON file, default storage, insert() per answer."""
    with tempfile.TemporaryDirectory(prefix="wi3-bench-") as tmp, \
            TinyDB(Path(tmp) / "db.json") as db:
        table = db.table("answers")
        table.insert_multiple(answer_doc(n) for n in range(total_answers))
        settle()
        durations = []
        for n in range(samples):
            start = time.perf_counter()
            table.insert(answer_doc(total_answers + n))
            durations.append(time.perf_counter() - start)
    return summarise(durations)


def line(label: str, timing: Timing) -> str:
    return (f"{label:<44} median {timing.median_ms:8.2f} ms   p99 {timing.p99_ms:8.2f} ms"
            f"   ({timing.samples} writes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k vs 20k answers, fewer samples")
    args = parser.parse_args()
    small, large = 1_000, (20_000 if args.quick else 100_000)
    samples = 300 if args.quick else 1_000
    baseline_samples = (200, 10) if args.quick else (200, 20)
    rng = random.Random(42)
    figures: dict[str, object] = {"mode": "quick" if args.quick else "full",
                                  "small_answers": small, "large_answers": large}

    print(f"wi3 storage benchmark ({figures['mode']}): time to record one answer")
    ours_small, ours_large, reopen_s = time_stores(small, large, samples, rng)
    base_small = time_baseline(small, baseline_samples[0])
    base_large = time_baseline(large, baseline_samples[1])
    ours_ratio = ours_large.median_ms / ours_small.median_ms
    ours_p99_ratio = ours_large.p99_ms / ours_small.p99_ms
    base_ratio = base_large.median_ms / base_small.median_ms

    k = f"{large // 1000}k"
    print(line(f"wi3 Store, {small // 1000}k answers ({small // ANSWERS_PER_TEAM} teams)",
               ours_small))
    print(line(f"wi3 Store, {k} answers ({large // ANSWERS_PER_TEAM} teams)", ours_large))
    print(f"{'wi3 Store, ratio ' + k + '/1k':<44} median {ours_ratio:8.2f}      "
          f"p99 {ours_p99_ratio:8.2f}")
    print(f"{'wi3 Store, reopen + validate at ' + k:<44} {reopen_s:8.2f} s")
    print(line("TinyDB JSONStorage one file, 1k answers", base_small))
    print(line(f"TinyDB JSONStorage one file, {k} answers", base_large))
    print(f"{'TinyDB JSONStorage, ratio ' + k + '/1k':<44} median {base_ratio:8.2f}")
    ratio_ok = ours_ratio <= TARGET_RATIO
    p99_ok = ours_large.p99_ms < TARGET_P99_MS
    print(f"target: ratio <= {TARGET_RATIO}: {'met' if ratio_ok else 'NOT met'}; "
          f"p99 at {k} < {TARGET_P99_MS:.0f} ms: {'met' if p99_ok else 'NOT met'}")

    figures.update({
        "ours_small_median_ms": round(ours_small.median_ms, 3),
        "ours_small_p99_ms": round(ours_small.p99_ms, 3),
        "ours_large_median_ms": round(ours_large.median_ms, 3),
        "ours_large_p99_ms": round(ours_large.p99_ms, 3),
        "ours_ratio_median": round(ours_ratio, 3),
        "ours_ratio_p99": round(ours_p99_ratio, 3),
        "ours_samples": samples,
        "ours_reopen_large_s": round(reopen_s, 3),
        "baseline_small_median_ms": round(base_small.median_ms, 3),
        "baseline_small_p99_ms": round(base_small.p99_ms, 3),
        "baseline_large_median_ms": round(base_large.median_ms, 3),
        "baseline_large_p99_ms": round(base_large.p99_ms, 3),
        "baseline_ratio_median": round(base_ratio, 3),
        "baseline_samples": list(baseline_samples),
        "target_ratio_met": ratio_ok,
        "target_p99_met": p99_ok,
    })
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
