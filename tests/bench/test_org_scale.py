"""The organisation benchmark's smallest run measures every row of issue 17's table against
the real bot process. Counts only: the timing is the script's to print, not the test's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "org_scale.py"


def test_a_small_organisation_is_measured_row_by_row() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--people", "300",
                           "--backends", "tinydb"], capture_output=True, text=True,
                          timeout=120, check=True)
    *printed, last = done.stdout.strip().splitlines()
    figures = json.loads(last)
    assert (figures["people"], figures["teams"], figures["backends"]) == (300, 30, ["tinydb"])
    assert len(figures["tinydb_start_s_all"]) == 2
    assert len(figures["tinydb_invites_s_all"]) == len(figures["tinydb_status_all_s_all"]) == 3
    assert figures["tinydb_during_clicks"] >= 3 * 5
    text = "\n".join(printed)
    for row in ("start to /healthz 200", "first click of a person", "/wi3 start, 12 members",
                "/wi3 status all until the reply", "clicks during status all",
                "App Home open"):
        assert row in text
    assert f"{figures['tinydb_start_s_all']} s" in text
