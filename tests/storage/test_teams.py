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


def test_settings_change_one_field_at_a_time(store: Store) -> None:
    """Two leads change different settings from the same stale copy: both changes stay."""
    team = store.save_team(Team("T1", "C1", leads=("U1",)))
    store.update_team("T1", "C1", language="nl")
    assert store.update_team(team.workspace_id, team.channel_id, min_responses=5) is not None
    after = store.get_team("T1", "C1")
    assert after is not None and (after.language, after.min_responses) == ("nl", 5)
    assert store.update_team("T1", "C9", language="nl") is None
    with pytest.raises(ValueError):
        store.update_team("T1", "C1", min_responses=2)
    with pytest.raises(ValueError):
        store.update_team("T1", "C1", colour="blue")  # type: ignore[call-arg]


def test_leads_are_added_and_removed_one_by_one_and_the_last_one_stays(store: Store) -> None:
    store.save_team(Team("T1", "C1", leads=("U1",)))
    assert store.add_lead("T1", "C1", "U2") is True
    assert store.add_lead("T1", "C1", "U2") is False
    assert store.add_lead("T1", "C1", "U3") is True
    assert store.remove_lead("T1", "C1", "U2") is True
    assert store.remove_lead("T1", "C1", "U9") is False
    assert store.remove_lead("T1", "C1", "U1") is True
    assert store.remove_lead("T1", "C1", "U3") is False  # the last lead
    team = store.get_team("T1", "C1")
    assert team is not None and team.leads == ("U3",)


def test_concurrent_lead_changes_lose_nothing(store: Store) -> None:
    import threading

    store.save_team(Team("T1", "C1", leads=("U0",)))
    users = [f"U{n}" for n in range(1, 9)]
    threads = [threading.Thread(target=store.add_lead, args=("T1", "C1", user))
               for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    team = store.get_team("T1", "C1")
    assert team is not None and sorted(team.leads) == ["U0", *users]


def test_a_pulse_schedule_changes_only_over_the_one_read(store: Store) -> None:
    weekly = PulseSchedule(frequency="weekly", weekday=1, time="09:00")
    store.save_team(Team("T1", "C1", leads=("U1",), pulse=weekly))
    monthly = PulseSchedule(frequency="monthly", weekday=1, time="09:00")
    assert store.update_pulse("T1", "C1", monthly, expected=weekly) is True
    keyed = PulseSchedule(frequency="weekly", weekday=1, time="09:00", last_period_key="2025-W10")
    assert store.update_pulse("T1", "C1", keyed, expected=weekly) is False  # stale read
    team = store.get_team("T1", "C1")
    assert team is not None and team.pulse == monthly
    assert store.update_pulse("T1", "C1", None, expected=monthly) is True
    assert store.update_pulse("T1", "C9", weekly, expected=None) is False
