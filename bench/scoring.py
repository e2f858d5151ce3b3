"""What does scoring v3 cost when a round closes?

    python bench/scoring.py               teams of 5, 12, 50, 200 and 1,000 people, 5 runs
    python bench/scoring.py --quick       one run each
    python bench/scoring.py --sizes 10 100 --runs 3

`score_team` is the one scoring function: it runs once per closed round (the snapshot every
surface reads afterwards). Scoring v3 (wi3-instrument.md §3.7) adds what needs each
person's answers: the element's position with every respondent left out in turn (on the
edge, and the standard error that trends are judged by) and each person's own mean
(minorities). This prints, per team size, the median time of `score_team` and of
`score_items` on the same item scores (the rules that need only the item scores), so the
difference is what the per-person rules cost. Answers are made up (a fixed seed): people
around a team level, one in ten saying "don't know" to a statement. The last line is one
JSON object with every figure printed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model import load_content, score_items, score_team

CONTENT = load_content()
SIZES = (5, 12, 50, 200, 1000)


def made_up_team(size: int, seed: int) -> list[dict[str, int | None]]:
    rng = random.Random(seed)
    level = rng.uniform(1.5, 4.5)
    people = []
    for _ in range(size):
        own = level + rng.uniform(-1.0, 1.0)
        people.append({item.id: None if rng.random() < 0.1
                       else min(5, max(1, round(own + rng.uniform(-1.0, 1.0))))
                       for item in CONTENT.questionnaire.items})
    return people


def timed(runs: int, work: Callable[[], Any]) -> float:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def figures(size: int, runs: int) -> dict[str, Any]:
    team = made_up_team(size, seed=size)
    result = score_team(team, content=CONTENT)
    full = timed(runs, lambda: score_team(team, content=CONTENT))
    items_only = timed(runs, lambda: score_items(result.items, minimum=3,
                                                 respondent_count=size, content=CONTENT))
    return {"people": size, "score_team_ms": round(full * 1000, 2),
            "score_items_ms": round(items_only * 1000, 2),
            "per_person_rules_ms": round((full - items_only) * 1000, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one run each")
    options = parser.parse_args()
    runs = 1 if options.quick else options.runs
    rows = [figures(size, runs) for size in options.sizes]
    print(f"{'people':>7} {'score_team':>11} {'score_items':>12} {'per person':>11}")
    for row in rows:
        print(f"{row['people']:>7} {row['score_team_ms']:>9.2f}ms {row['score_items_ms']:>10.2f}ms"
              f" {row['per_person_rules_ms']:>9.2f}ms")
    print(json.dumps({"runs": runs, "sizes": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
