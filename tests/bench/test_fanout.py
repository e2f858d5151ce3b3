"""The fan-out benchmark's small runs: every member gets exactly one invitation, also when
an instance dies halfway and another (or a restarted one) carries on; two instances share
one rate budget. Counts only: the timing is the script's to print, not the test's to judge."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "fanout.py"


def run_bench(*args: str) -> tuple[str, dict[str, object]]:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, timeout=120, check=True)
    *printed, last = done.stdout.strip().splitlines()
    return "\n".join(printed), json.loads(last)


@pytest.mark.parametrize("fail_after", [None, 25])
def test_every_member_gets_exactly_one_invitation(fail_after: int | None) -> None:
    args = ["--members", "80", "--instances", "1"]
    if fail_after is not None:
        args += ["--fail-after", str(fail_after)]
    printed, figures = run_bench(*args)
    assert (figures["members"], figures["delivered"]) == (80, 80)
    assert (figures["duplicated"], figures["lost"]) == (0, 0)
    assert "delivered / duplicated / lost" in printed and "80 / 0 / 0" in printed
    assert figures["fail_after"] == fail_after


def test_two_instances_share_one_budget(pg_server: str) -> None:
    """Together at Slack's rate, not each at it: not one 429 (each instance sending at the
    rate alone would double it), and every member invited once."""
    _, figures = run_bench("--members", "150", "--instances", "2",
                           "--database-url", pg_server)
    assert (figures["delivered"], figures["duplicated"], figures["lost"]) == (150, 0, 0)
    assert figures["http_429"] == 0


def test_the_last_line_holds_the_figures_printed_above_it() -> None:
    printed, figures = run_bench("--members", "60", "--instances", "1")
    assert f"{figures['invitations_s']:8.2f} s" in printed
    assert f"{figures['floor_s']:8.2f} s" in printed
    assert f"{figures['ratio']:8.3f}" in printed
    assert f"{figures['http_429']} / {figures['throttle_pauses']}" in printed
