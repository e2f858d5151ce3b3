"""The organisation at a glance: groups, cuts, counts, the CSV and the heat map."""

from __future__ import annotations

import csv
import io
import random
import struct
from collections import Counter
from datetime import UTC, datetime

from conversations.context import Caller
from conversations.outbound import Drawing, Reply, UploadFile
from conversations.report.heatmap import heatmap_png
from conversations.report.overview import (
    MAX_HEATMAP_TEAMS,
    MIN_ROWS_PER_GROUP,
    ElementCell,
    OverviewRow,
    counts,
    counts_text,
    grouped,
    overview_csv,
    overview_rows,
    share,
)
from conversations.results.outcome import ResultSummary
from conversations.results.reports import ReportsFlow
from conversations.views.status import TeamRow
from model import Element, Phase, load_content, score_team
from storage import Team, open_store
from tests.conftest import FakeClock
from tests.conversations.report_helpers import outcome
from tests.model.conftest import by_phase

CONTENT = load_content()
NOW = datetime(2026, 3, 21, 9, tzinfo=UTC)
CLOSED = datetime(2026, 3, 1, tzinfo=UTC)


def placed(channel: str, *positions: float | None, divided: Element | None = None,
           subject: str = "our wiki") -> OverviewRow:
    """A team whose elements sit at these positions (None: n/a); a divided one keeps it."""
    cells = tuple(
        ElementCell(e, None if p is None else Phase(int(p)), p, e == divided, p, p)
        for e, p in zip(Element, positions, strict=True))
    phases = [c.phase for c in cells if c.phase is not None]
    return OverviewRow(channel, subject, CLOSED, 5, 7, 3, min(phases) if phases else None,
                       cells)


def withheld(channel: str) -> OverviewRow:
    return OverviewRow(channel, "our wiki", CLOSED, 2, 7, 3)


def many(n: int, seed: int = 5) -> list[OverviewRow]:
    rng = random.Random(seed)
    rows: list[OverviewRow] = []
    for number in range(n):
        channel = f"C{number:08d}"
        kind = rng.random()
        if kind < 0.05:
            rows.append(OverviewRow(channel))
        elif kind < 0.12:
            rows.append(withheld(channel))
        else:
            base = rng.uniform(0.2, 3.5)
            rows.append(placed(channel, *(min(max(base + rng.uniform(-0.6, 0.6), 0.0), 3.99)
                                          for _ in Element)))
    return rows


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_few_teams_are_all_shown_grouped_by_overall_phase_furthest_behind_first() -> None:
    rows = [placed("C3", 3.1, 3.2, 3.5, 3.0), placed("C1", 1.5, 1.2, 2.0, 1.8),
            withheld("C9"), placed("C0", 0.5, 1.0, 1.5, 0.8),
            placed("C2", 1.1, 1.9, 1.4, 1.3), OverviewRow("C7")]
    groups = grouped(rows)
    assert [(g.key, [r.channel_id for r in g.rows]) for g in groups] == [
        ("0", ["C0"]), ("1", ["C2", "C1"]), ("3", ["C3"]), ("withheld", ["C9"])]
    assert all(g.hidden == 0 for g in groups)


def test_thousands_are_cut_fairly_and_every_cut_is_counted() -> None:
    rows = many(5000)
    groups = grouped(rows)
    shown = sum(len(g.rows) for g in groups)
    assert shown == MAX_HEATMAP_TEAMS
    with_round = [r for r in rows if r.closed_at is not None]
    assert sum(g.total for g in groups) == len(with_round)
    assert sum(g.hidden for g in groups) == len(with_round) - shown
    for group in groups:
        assert len(group.rows) >= min(group.total, MIN_ROWS_PER_GROUP)
        lowest = [r.lowest for r in group.rows]
        assert lowest == sorted(lowest)  # furthest behind first
        rest = [r for r in with_round if r.group == group.key and r not in group.rows]
        assert all(r.lowest >= lowest[-1] for r in rest)


def test_share_keeps_small_groups_and_splits_the_rest_by_size() -> None:
    assert share({"a": 2, "b": 3}, 10) == {"a": 2, "b": 3}
    quota = share({"a": 1000, "b": 100, "c": 1}, 60)
    assert quota["c"] == 1 and quota["b"] >= MIN_ROWS_PER_GROUP
    assert sum(quota.values()) == 60 and quota == {"a": 51, "b": 8, "c": 1}


def test_counts_per_element_and_phase() -> None:
    rows = [placed("C1", 1.5, 2.5, None, 0.2, divided=Element.INVESTERING),
            placed("C2", 1.2, 2.1, 3.3, 1.0), withheld("C3"), OverviewRow("C4")]
    found = counts(rows)
    assert found[Element.WAARDE] == Counter({"1": 2})
    assert found[Element.IMPACT] == Counter({"2": 2})
    assert found[Element.INNOVATIE] == Counter({"na": 1, "3": 1})
    assert found[Element.INVESTERING] == Counter({"divided": 1, "1": 1})
    text = counts_text("en", rows, CONTENT)
    assert "Value: Pioneering 2" in text and "Investment: Pioneering 1 · divided 1" in text
    assert "Not enough answers (1)" in text and "1 more team has no closed round yet." in text


def test_the_csv_has_every_team_and_defuses_formulas() -> None:
    rows = [*many(300), placed("C0FORMULA", 1, 1, 1, 1, subject="=HYPERLINK(1)"),
            withheld("C0WITHHELD")]
    table = list(csv.reader(io.StringIO(overview_csv("nl", rows, CONTENT))))
    assert table[0][0] == "team (kanaal-id)"
    assert len(table) == 1 + 4 * len(rows)
    assert {row[0] for row in table[1:]} == {r.channel_id for r in rows}
    assert list({row[2] for row in table if row[0] == "C0FORMULA"}) == ["'=HYPERLINK(1)"]
    below = [row for row in table if row[0] == "C0WITHHELD"]
    assert [row[3:6] for row in below] == [["2", "7", "3"]] * 4
    assert all(row[7:] == ["", "", "", ""] for row in below)  # counts only: no phase, no figure


def test_a_phase_missing_answers_leave_open_counts_as_open_and_reads_its_range() -> None:
    open_value = ElementCell(Element.WAARDE, Phase.PIONEERING, 1.2, False, 0.8, 2.4)
    row = OverviewRow("C1", "our wiki", CLOSED, 5, 7, 3, Phase.NOT_STARTED,
                      (open_value, *placed("C1", None, 2.1, 2.2, 2.3).cells[1:]))
    assert counts([row])[Element.WAARDE] == Counter({"open": 1})
    table = list(csv.reader(io.StringIO(overview_csv("en", [row], CONTENT))))
    assert table[1][7:] == ["Anywhere from getting started to facilitating", "1.20", "0.80",
                            "2.40"]


def test_the_heat_map_is_a_readable_png_at_5_and_at_5000_teams() -> None:
    small = heatmap_png("en", many(5), CONTENT, now=NOW)
    large = heatmap_png("nl", many(5000), CONTENT, now=NOW)
    small_width, small_height = png_size(small)
    large_width, large_height = png_size(large)
    assert small_width == large_width == 1000
    assert small_height < 900  # five teams: a short image
    assert large_height < 2600  # five thousand: cut, so bounded
    assert len(large) < 1_000_000
    assert heatmap_png("en", many(5), CONTENT, now=NOW) == small


def test_overview_rows_come_from_gated_outcomes_only() -> None:
    result = score_team([by_phase(4, 4, 2)] * 3)
    rows = overview_rows([TeamRow("C1", ResultSummary.of_outcome(outcome(result))),
                          TeamRow("C2", ResultSummary.of_outcome(outcome(None))),
                          TeamRow("C3", None)])
    assert [r.group for r in rows] == ["2", "withheld", "no_round"]
    assert rows[0].cells[0].position == result.elements[0].position
    assert rows[1].cells == () and rows[1].responses == 5


def test_status_all_sends_the_heat_map_and_csv_to_the_admin_only(tmp_path: object) -> None:
    clock = FakeClock(NOW)
    with open_store(str(tmp_path), clock=clock) as store:
        for number in range(3):
            store.save_team(Team("T0WS", f"C0TEAM{number}", leads=("U0LEAD",)))
        reports = ReportsFlow(store, CONTENT, clock)
        admin = Caller("T0WS", "U0ADMIN", "nl", None, is_admin=True)
        out = list(reports.status_all(admin))
        overview, notice = [o for o in out if isinstance(o, Reply)]
        assert out[0] is overview  # the reply first, before every team is read
        assert "3 teams" in notice.message["text"]
        assert overview.message["text"] == "WI3-overzicht van alle teams"
        png, table = [o for o in out if isinstance(o, UploadFile)]
        assert (png.user_id, table.user_id) == ("U0ADMIN", "U0ADMIN")
        assert png.filename == "wi3-overview-T0WS-20260321.png"
        assert png.comment is not None and "Nog 3 teams" in png.comment
        assert isinstance(table.content, Drawing)  # made away from the clicks (bot.drawing)
        assert len(table.content.draw().decode().splitlines()) == 1 + 4 * 3
        assert isinstance(png.content, Drawing)
        assert png.content.draw().startswith(b"\x89PNG")
        lead = Caller("T0WS", "U0LEAD", "en", "C0TEAM0")
        assert not [o for o in reports.status_all(lead) if isinstance(o, UploadFile)]
