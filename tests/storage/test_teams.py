"""Workspaces, teams and their settings are kept across restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from storage import PulseSchedule, Store, Team, Workspace

from .conftest import FakeClock


def test_workspace_round_trips_and_gets_an_install_time(
    store: Store, clock: FakeClock, restart: Callable[[], Store]
) -> None:
    saved = store.save_workspace(Workspace("T1", enterprise_id="E1", name="Acme"))
    assert saved.installed_at == clock.now
    again = restart()
    assert again.get_workspace("T1") == saved
    assert again.list_workspaces() == [saved]
    assert again.get_workspace("T2") is None


def test_team_settings_survive_a_restart(store: Store, restart: Callable[[], Store]) -> None:
    pulse = PulseSchedule(frequency="biweekly", weekday=2, time="10:30",
                          next_run_at=datetime(2025, 3, 5, 9, 30, tzinfo=UTC))
    team = store.save_team(Team("T1", "C1", leads=("U1",), language="nl", min_responses=4,
                                subject="onze wiki", auto_close=True,
                                timezone="Europe/Amsterdam", pulse=pulse))
    assert restart().get_team("T1", "C1") == team


def test_saving_again_replaces_settings_but_keeps_created_at(
    store: Store, clock: FakeClock
) -> None:
    first = store.save_team(Team("T1", "C1", leads=("U1",)))
    clock.advance(days=3)
    second = store.save_team(Team("T1", "C1", leads=("U1", "U2"), language="nl"))
    assert second.created_at == first.created_at
    assert store.get_team("T1", "C1") == second
    assert len(store.list_teams()) == 1


def test_list_teams_by_workspace_and_by_lead(store: Store) -> None:
    store.save_team(Team("T1", "C1", leads=("U1",)))
    store.save_team(Team("T1", "C2", leads=("U2", "U1")))
    store.save_team(Team("T2", "C9", leads=("U1",)))
    assert [t.channel_id for t in store.list_teams("T1")] == ["C1", "C2"]
    assert [t.channel_id for t in store.list_teams()] == ["C1", "C2", "C9"]
    assert [t.channel_id for t in store.teams_led_by("T1", "U1")] == ["C1", "C2"]
    assert [t.channel_id for t in store.teams_led_by("T1", "U2")] == ["C2"]
    assert store.get_team("T1", "C3") is None


@pytest.mark.parametrize("bad", ["", "../x", "a/b", "C 1", "C" * 33, "C_NL", "C1\n", "c1",
                                 "C1\u0660"])
def test_ids_not_shaped_like_slack_ids_are_refused(store: Store, bad: str) -> None:
    with pytest.raises(ValueError, match="channel id"):
        store.save_team(Team("T1", bad))
    with pytest.raises(ValueError, match="channel id"):
        store.open_round("T1", bad)
    assert store.list_teams() == [] and store.open_rounds() == []
