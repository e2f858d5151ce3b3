"""Workspaces that removed wi3: the uninstall mark, reinstalling, purging after the grace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from storage import Progress, ResultSnapshot, Store, Team, UserInfo, Workspace
from storage.records import CommitmentPlan, Outgoing
from tests.pg import StoreBackend

from .conftest import ITEMS, FakeClock, open_team_round

GONE, STAYS = "T0GONE001", "T0STAYS01"


def _fill(store: Store, workspace_id: str, clock: FakeClock) -> str:
    """A workspace with a team, a closed round with answers, a snapshot and a commitment,
    an open round with a queued invitation, a cached user: everything a purge must
    remove. Returns the closed round's id."""
    store.save_workspace(Workspace(workspace_id, name=workspace_id))
    store.save_team(Team(workspace_id, "C0SAME001", leads=("U0SAME001",)))
    closed = store.open_round(workspace_id, "C0SAME001", invited=("U0SAME001",), item_ids=ITEMS)
    store.record_answers(closed.id, "U0SAME001", dict.fromkeys(ITEMS, 4))
    store.mark_finished(closed.id, "U0SAME001")
    store.mark_invitation_sent(closed.id, "U0SAME001")
    store.close_round(closed.id)
    store.save_snapshot(ResultSnapshot(closed.id, workspace_id, "C0SAME001", "diagnostic", None,
                                       clock.now, invited_count=1, responses=1, result={}))
    still_open = open_team_round(store, "C0SAME002", workspace=workspace_id,
                                 invited=("U0SAME001",))
    store.answer_and_advance(Progress(still_open.id, "U0SAME001", position=1), ITEMS[0], 3,
                             expected_position=0)
    store.add_commitments(workspace_id, "C0SAME001", closed.id, [CommitmentPlan(
        "Share one success story", "U0SAME001", date(2025, 3, 10), clock.now)],
        planned_by="U0SAME001")
    store.enqueue([Outgoing(f"invitation/{still_open.id}/U0SAME001", "invitation", workspace_id,
                            round_id=still_open.id, user_id="U0SAME001")])
    store.save_user(UserInfo(workspace_id, "U0SAME001", dm_channel="D0SAME001"))
    return closed.id


def test_the_first_uninstall_is_kept_and_a_reinstall_clears_it(
    store: Store, clock: FakeClock
) -> None:
    first = clock.now
    assert store.mark_uninstalled(GONE)
    clock.advance(hours=1)
    assert not store.mark_uninstalled(GONE)  # tokens_revoked after app_uninstalled
    assert store.uninstalled_workspaces() == {GONE: first}
    assert store.mark_installed(GONE)
    assert not store.mark_installed(GONE)
    assert store.uninstalled_workspaces() == {}


def test_purge_removes_every_trace_of_the_workspace_and_only_after_its_grace(
    store: Store, store_backend: StoreBackend, clock: FakeClock,
    restart: Callable[[], Store],
) -> None:
    gone_round = _fill(store, GONE, clock)
    stays_round = _fill(store, STAYS, clock)
    store.mark_uninstalled(GONE)
    assert store.purge_uninstalled(clock.now - timedelta(seconds=1)) == ()
    assert store.get_team(GONE, "C0SAME001") is not None

    assert store.purge_uninstalled(clock.now) == (GONE,)

    for reopen in (False, True):
        each = restart() if reopen else store
        assert each.get_workspace(GONE) is None
        assert each.list_teams(GONE) == []
        assert each.get_round(gone_round) is None
        assert each.list_rounds(GONE, "C0SAME001") == []
        assert each.open_round_for(GONE, "C0SAME002") is None
        assert each.get_snapshot(gone_round) is None
        assert each.get_user(GONE, "U0SAME001") is None
        assert each.commitments_of_team(GONE, "C0SAME001") == []
        assert each.rounds_for_user(GONE, "U0SAME001") == []
        assert all(r.workspace_id != GONE for r in each.open_rounds())
        assert each.uninstalled_workspaces() == {}
        # the other workspace, with the very same channel and user ids, is untouched
        assert each.get_team(STAYS, "C0SAME001") is not None
        assert each.answers_of(stays_round, "U0SAME001") == dict.fromkeys(ITEMS, 4)
        assert each.get_snapshot(stays_round) is not None
        assert each.get_user(STAYS, "U0SAME001") is not None
        assert len(each.commitments_of_team(STAYS, "C0SAME001")) == 1
    assert GONE not in store_backend.raw()


def test_a_workspace_installed_again_before_the_purge_keeps_its_teams(
    store: Store, clock: FakeClock
) -> None:
    _fill(store, GONE, clock)
    store.mark_uninstalled(GONE)
    clock.advance(days=3)
    store.mark_installed(GONE)
    assert store.purge_uninstalled(clock.now) == ()
    assert [team.channel_id for team in store.list_teams(GONE)] == ["C0SAME001", "C0SAME002"]
    assert store.open_round_for(GONE, "C0SAME002") is not None


def test_a_new_team_after_a_purge_starts_clean(store: Store, clock: FakeClock) -> None:
    _fill(store, GONE, clock)
    store.mark_uninstalled(GONE)
    store.purge_uninstalled(clock.now)
    store.save_team(Team(GONE, "C0SAME001", leads=("U0OTHER01",)))
    round_ = store.open_round(GONE, "C0SAME001", invited=("U0OTHER01",), item_ids=ITEMS)
    assert [r.id for r in store.list_rounds(GONE, "C0SAME001")] == [round_.id]
