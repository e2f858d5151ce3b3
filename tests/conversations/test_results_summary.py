"""Overviews read each team's last result in short, and the privacy gate still decides.

`/wi3 status all` and App Home read the summary written when a diagnostic closed, never a
snapshot, while it stands for what the gate shows; once a lead raised the minimum past a
statement it counted, they show what the gate says from the snapshot, as `/wi3 status`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.emulator.workspace import block_texts
from conversations.context import Caller
from conversations.home import HomeFlow
from conversations.outbound import Reply
from conversations.results.closing import ClosingFlow
from conversations.results.history import History
from conversations.results.outcome import ResultSummary
from conversations.results.reports import ReportsFlow
from conversations.views.status import TeamRow, team_line
from model import load_content
from storage import ResultSnapshot, StorageWriteError, Store, Team
from tests.conftest import FakeClock
from tests.model.conftest import by_phase

CONTENT = load_content()
WS, LEAD = "T0SUMS001", "U0LEAD001"
PEOPLE = (LEAD, "U0MEMB002", "U0MEMB003", "U0MEMB004", "U0MEMB005")
ITEM_IDS = [i.id for i in CONTENT.questionnaire.items]
ADMIN = Caller(WS, LEAD, "en", None, is_admin=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2027, 5, 3, 9, tzinfo=UTC))


def close_diagnostic(store: Store, clock: FakeClock, channel: str,
                     answers: list[dict[str, int | None]]) -> str:
    store.save_team(Team(WS, channel, leads=(LEAD,)))
    round_ = store.open_round(WS, channel, invited=PEOPLE, item_ids=ITEM_IDS, at=clock())
    for user, given in zip(PEOPLE, answers, strict=False):
        store.record_answers(round_.id, user, given)
    clock.advance(days=7)
    assert ClosingFlow(store, CONTENT, clock).close(round_.id)
    clock.advance(days=1)
    return round_.id


def snapshot_reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Calls that read snapshots, from now on."""
    calls: list[str] = []
    for name in ("get_snapshot", "list_snapshots"):
        real: Callable[..., Any] = getattr(store, name)

        def spy(*args: Any, _real: Callable[..., Any] = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(store, name, spy)
    return calls


def overview(store: Store, clock: FakeClock) -> str:
    """The overview's own reply (a notice of the heat map by DM comes after it)."""
    reply = next(o for o in ReportsFlow(store, CONTENT, clock).status_all(ADMIN)
             if isinstance(o, Reply))
    return "\n".join(block_texts(reply.message["blocks"]))


def gate_line(store: Store, channel: str) -> str:
    """The team's overview line as the gate answers it from the snapshot itself."""
    team = store.get_team(WS, channel)
    assert team is not None
    last = History(store, CONTENT).last_outcome(team)
    assert last is not None
    return team_line("en", TeamRow(channel, ResultSummary.of_outcome(last)), CONTENT)


def test_the_overview_and_app_home_read_summaries_not_snapshots(
    any_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_diagnostic(any_store, clock, "C0TEAM001", [by_phase(4, 4, 2)] * 4)
    close_diagnostic(any_store, clock, "C0TEAM002", [by_phase(2, 1, 1)] * 2)  # withheld
    expected = [gate_line(any_store, "C0TEAM001"), gate_line(any_store, "C0TEAM002")]
    reads = snapshot_reads(any_store, monkeypatch)
    text = overview(any_store, clock)
    home = HomeFlow(any_store, CONTENT, ReportsFlow(any_store, CONTENT, clock), clock)
    home_text = "\n".join(block_texts(home.view(ADMIN)["blocks"]))
    assert reads == []
    assert all(line in text for line in expected)
    assert "facilitating" in expected[0] and "n/a (2 of 5 answered" in expected[1]
    assert "facilitating" in home_text


def test_a_minimum_raised_past_what_a_summary_counted_is_decided_by_the_gate(
    any_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # three people answered everything; two more answered only the Value statements, so
    # Value's statements have five answers each and the others three
    value: dict[str, int | None] = {
        i.id: 4 for i in CONTENT.questionnaire.items if i.element.value == "waarde"}
    close_diagnostic(any_store, clock, "C0TEAM001", [by_phase(4, 4, 2)] * 3 + [value] * 2)
    team = any_store.get_team(WS, "C0TEAM001")
    assert team is not None
    reads = snapshot_reads(any_store, monkeypatch)
    lines = {}
    for minimum in (3, 4, 5, 6):
        any_store.save_team(replace(team, min_responses=minimum))
        reads.clear()
        text = overview(any_store, clock)
        assert bool(reads) == (minimum > 3)  # the summary stands up to three answers
        lines[minimum] = gate_line(any_store, "C0TEAM001")
        assert lines[minimum] in text
    assert "Impact: n/a" not in lines[3] and "Impact: n/a" in lines[4]
    assert "Value: n/a" not in lines[5] and "n/a (5 of 5 answered" in lines[6]


def test_a_team_closed_before_summaries_existed_gets_one_from_its_first_overview(
    any_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_id = close_diagnostic(any_store, clock, "C0TEAM001", [by_phase(4, 4, 2)] * 4)
    snapshot = any_store.get_snapshot(round_id)
    assert snapshot is not None
    any_store.save_team(Team(WS, "C0OLDER01", leads=(LEAD,)))
    older = any_store.open_round(WS, "C0OLDER01", invited=PEOPLE, item_ids=ITEM_IDS)
    any_store.close_round(older.id)
    any_store.save_snapshot(ResultSnapshot(  # as the version before summaries left it
        older.id, WS, "C0OLDER01", "diagnostic", None, clock(), 5, 4, snapshot.result))
    assert list(any_store.last_results(WS)) == ["C0TEAM001"]
    text = overview(any_store, clock)
    assert gate_line(any_store, "C0OLDER01") in text
    assert list(any_store.last_results(WS)) == ["C0OLDER01", "C0TEAM001"]
    reads = snapshot_reads(any_store, monkeypatch)
    assert overview(any_store, clock) == text and reads == []


def test_a_summary_an_earlier_version_wrote_is_written_again_by_the_first_overview(
    any_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_diagnostic(any_store, clock, "C0TEAM001", [by_phase(4, 4, 2)] * 4)
    kept = any_store.last_results(WS)["C0TEAM001"]
    old = {key: value for key, value in kept.summary.items()
           if key not in ("headline", "finished")}
    old["version"] = 1
    old["elements"] = [{key: value for key, value in element.items()
                        if key not in ("low", "high")} for element in old["elements"]]
    any_store.save_last_result(replace(kept, summary=old))
    text = overview(any_store, clock)
    assert gate_line(any_store, "C0TEAM001") in text
    assert any_store.last_results(WS)["C0TEAM001"].summary == kept.summary
    reads = snapshot_reads(any_store, monkeypatch)
    assert overview(any_store, clock) == text and reads == []


def test_a_summary_lost_to_a_failed_write_is_made_by_the_first_overview(
    any_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    any_store.save_team(Team(WS, "C0TEAM001", leads=(LEAD,)))
    round_ = any_store.open_round(WS, "C0TEAM001", invited=PEOPLE, item_ids=ITEM_IDS)
    for user in PEOPLE:
        any_store.record_answers(round_.id, user, by_phase(4, 4, 2))
    closing = ClosingFlow(any_store, CONTENT, clock)
    real = any_store.save_last_result

    def full_disk(_last: Any) -> bool:
        raise StorageWriteError("the disk", OSError(28, "No space left on device"))

    monkeypatch.setattr(any_store, "save_last_result", full_disk)
    assert closing.close(round_.id)  # closed all the same: the snapshot kept, the summary not
    assert any_store.get_round(round_.id).closed_at is not None  # type: ignore[union-attr]
    assert any_store.get_snapshot(round_.id) is not None
    assert dict(any_store.last_results(WS)) == {}
    monkeypatch.setattr(any_store, "save_last_result", real)
    assert "facilitating" in overview(any_store, clock)
    assert [last.round_id for last in any_store.last_results(WS).values()] == [round_.id]


def test_one_bots_overviews_follow_a_teams_language_and_minimum(
    any_store: Store, clock: FakeClock
) -> None:
    """The running bot keeps decoded summaries between overviews: a team's new language
    or minimum still shows in the next `/wi3 status all`, as the gate answers it."""
    close_diagnostic(any_store, clock, "C0TEAM001", [by_phase(4, 4, 2)] * 4)
    flow = ReportsFlow(any_store, CONTENT, clock)

    def shown() -> str:
        reply = next(o for o in flow.status_all(ADMIN) if isinstance(o, Reply))
        return "\n".join(block_texts(reply.message["blocks"]))

    assert gate_line(any_store, "C0TEAM001") in shown()
    team = any_store.get_team(WS, "C0TEAM001")
    assert team is not None
    for changed in (replace(team, language="nl"), replace(team, language="nl", min_responses=4),
                    replace(team, language="nl", min_responses=5)):
        any_store.save_team(changed)
        assert gate_line(any_store, "C0TEAM001") in shown()
    assert "n/a (4 of 5 answered" in shown()
