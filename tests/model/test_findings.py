"""Drivers and inhibitors (wi3-instrument.md §3.6 rule 7, thresholds of §3.7): which items,
ranking, confirmation."""

from __future__ import annotations

from model import Element, FindingKind, Phase, TeamResult, score_team
from tests.model.conftest import by_phase, per_element

NEUTRAL = dict(waarde=(3, 3, 3), impact=(3, 3, 3), innovatie=(3, 3, 3), investering=(3, 3, 3))


def _team(**overrides: int | None) -> dict[str, int | None]:
    return dict(per_element(**NEUTRAL), **overrides)


def _inhibitors(result: TeamResult, element: Element) -> list[tuple[str, float]]:
    return [(f.item_id, round(f.gap, 2)) for f in result.inhibitors_for(element)]


def test_pioneering_element_builds_on_p1_and_p2_and_is_held_back_by_p2() -> None:
    result = score_team([_team(I1=5, I2=4, I3=2, I4=1, I5=1, I6=5)] * 3)
    assert result.element(Element.IMPACT).phase == Phase.PIONEERING
    assert [(f.item_id, f.score) for f in result.drivers] == [("I1", 5.0), ("I2", 4.0)]
    assert _inhibitors(result, Element.IMPACT) == [("I4", 2.5), ("I3", 1.5)]  # not I5
    assert all(f.kind == FindingKind.INHIBITOR for f in result.inhibitors)
    assert result.drivers[0].theme.nl == "Mensen delen informeel kennis"


def test_a_team_between_the_old_thresholds_still_learns_what_holds_it_back() -> None:
    result = score_team([_team()] * 3)  # every statement 3.0: phase 1, nothing <= 2.5
    impact = _inhibitors(result, Element.IMPACT)
    assert impact == [("I2", 0.5), ("I3", 0.5), ("I4", 0.5)]


def test_facilitating_element_is_held_back_by_its_strategic_statements() -> None:
    result = score_team([_team(V1=1, V2=4, V3=5, V4=4, V7=4, V5=2, V6=4)] * 3)
    assert result.element(Element.INVESTERING).phase == Phase.FACILITATING
    assert [f.item_id for f in result.drivers_for(Element.INVESTERING)] == [
        "V3", "V2", "V4", "V7", "V6"]
    assert _inhibitors(result, Element.INVESTERING) == [("V5", 1.5)]  # V1 is behind them


def test_a_strategic_element_hears_what_could_slip() -> None:
    firm = score_team([_team(W1=1, W2=5, W3=4, W4=4, W5=5)] * 3)
    assert firm.element(Element.WAARDE).phase == Phase.STRATEGIC
    assert [f.item_id for f in firm.drivers_for(Element.WAARDE)] == ["W5"]
    assert firm.inhibitors_for(Element.WAARDE) == ()
    slipping = score_team([_team(I2=4, I3=4, I4=4, I5=3, I6=5)] * 3)
    assert slipping.element(Element.IMPACT).phase == Phase.STRATEGIC
    assert _inhibitors(slipping, Element.IMPACT) == [("I5", 0.5)]


def test_an_element_getting_started_is_held_back_by_p1_below_two_and_a_half() -> None:
    result = score_team([_team(N1=1, N2=2, N3=2, N4=1, N5=1)] * 3)
    assert result.element(Element.INNOVATIE).phase == Phase.NOT_STARTED
    assert _inhibitors(result, Element.INNOVATIE) == [("N1", 1.5)]


def test_thresholds_for_driver_and_inhibitor() -> None:
    team = [_team(I2=2, I3=4, I4=3), _team(I2=3, I3=4, I4=4), _team(I2=3, I3=4, I4=4),
            _team(I2=2, I3=4, I4=3)]
    result = score_team(team)  # means I2 2.5, I3 4.0, I4 3.5
    assert result.element(Element.IMPACT).phase == Phase.PIONEERING
    assert [f.item_id for f in result.drivers_for(Element.IMPACT)] == ["I3"]
    assert [(f.item_id, f.score, f.gap) for f in result.inhibitors_for(Element.IMPACT)] == [
        ("I2", 2.5, 1.0)]  # exactly 3.5 reaches the bar


def test_ticked_barrier_confirms_inhibitors_it_names() -> None:
    answers = _team(I4=2, V3=2, V2=2)
    ticks = [["leadership", "tool_sprawl", "skills"]] * 3
    result = score_team([answers] * 3, barriers=ticks)
    confirmed = {f.item_id: f.confirmed for f in result.inhibitors if f.confirmed}
    assert confirmed == {"I4": True, "V3": True, "V7": True}  # "skills" points at V7


def test_equal_gaps_rank_confirmed_first_then_questionnaire_order() -> None:
    result = score_team([_team(W2=2, I4=2, V2=2, V4=2)] * 3, barriers=[["rules"]] * 3)
    assert [f.item_id for f in result.inhibitors][:4] == ["V4", "W2", "I4", "V2"]


def test_a_facilitating_element_that_is_not_yet_firm_hears_which_statements() -> None:
    result = score_team([_team(V2=4, V3=4, V4=3, V7=4, V5=4, V6=4)] * 3)  # S2 3.75, S3 4
    investment = result.element(Element.INVESTERING)
    assert investment.phase == Phase.FACILITATING
    assert _inhibitors(result, Element.INVESTERING) == [("V4", 1.0)]  # firm is 4.0


def test_elements_without_a_position_give_no_findings() -> None:
    unplaced = score_team([by_phase(None, None, None, W1=1)] * 2 + [by_phase(None, None, None)])
    assert all(not e.placed for e in unplaced.elements)
    assert unplaced.drivers == () and unplaced.inhibitors == ()
    divided = score_team([by_phase(1, 1, 1)] * 2 + [by_phase(5, 5, 5)] * 2)
    assert divided.drivers == () and divided.inhibitors == ()
