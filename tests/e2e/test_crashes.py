"""A real bot process killed with SIGKILL at each kind of crash point, on both backends:
right after a click was acknowledged, in an invitation fan-out, between a change and its
queued messages (a pulse opened), in results posting and while commitments are saved.
After every kill and at the end, from the outside: no acknowledged answer or save lost,
nobody invited twice or not at all, no round's results posted twice or not at all.

The long series (50+ kills a backend) is `bench/crash.py`; the harness is
`tests/e2e/crashes.py`.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from bot.emulator import SlackEmulator
from tests.e2e.crashes import Backend, Harness, crowd_workspace, run_series
from tests.pg import TestDatabase

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

POINTS = ("sent.invitation:4", "click.acked:2", "sent.results", "commitments.saved", "queued")
"""One life each, in the order a cycle meets them: the round's fourth invitation taken by
Slack, the second acknowledged answer, the results post taken by Slack, the lead's
commitment saved (before its ack), the pulse opened with its invitations queued."""


@pytest.fixture(params=["tinydb", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "tinydb":
        return Backend("tinydb", tmp_path / "data")
    database: TestDatabase = request.getfixturevalue("pg_database")
    database.truncate()
    return Backend("postgresql", tmp_path / "data", database.url)


def test_killed_at_every_crash_point_nothing_acknowledged_is_lost_nothing_goes_twice(
    backend: Backend, tmp_path: Path,
) -> None:
    with SlackEmulator(crowd_workspace(6)) as emulator:
        harness = Harness(emulator, backend, tmp_path, POINTS)
        try:
            figures = run_series(harness, cycles=1)
        finally:
            harness.stop()
    assert figures.kills == Counter(point.split(":")[0] for point in POINTS)
    assert figures.broken() == 0, figures.what
    assert figures.rounds == 2  # the diagnostic and the pulse, both closed
    assert figures.acked_answers >= 8  # 3 people x 2 statements x 2 rounds, less the
    assert figures.acked_saves == 1    # answer whose ack died with the bot
