"""The scoring benchmark's small run: it scores each team size it is given and says what the
per-person rules cost. Counts only: the timing is the script's to print, not the test's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "scoring.py"


def test_it_scores_every_team_size_asked_and_ends_with_its_figures() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--sizes", "5", "30", "--quick"],
                          capture_output=True, text=True, timeout=120, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert [row["people"] for row in figures["sizes"]] == [5, 30]
    assert all(row["score_team_ms"] > 0 and row["score_items_ms"] > 0
               for row in figures["sizes"])
