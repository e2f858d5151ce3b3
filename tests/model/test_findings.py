"""Drivers and inhibitors (wi3-instrument.md §3.3): which items, ranking, confirmation."""

from __future__ import annotations

from model import Element, FindingKind, Phase, score_team
from tests.model.conftest import by_phase, per_element

NEUTRAL = dict(waarde=(3, 3, 3), impact=(3, 3, 3), innovatie=(3, 3, 3), investering=(3, 3, 3))


def _team(**overrides: int | None) -> dict[str, int | None]:
    return dict(per_element(**NEUTRAL), **overrides)


def test_pioneering_element_looks_at_pioneering_and_facilitating_items() -> None:
    answers = _team(I1=5, I2=4, I3=2, I4=1, I5=1, I6=5)
    result = score_team([answers] * 3)
    assert result.element(Element.IMPACT).phase == Phase.PIONEERING
    assert [(f.item_id, f.score) for f in result.drivers] == [("I1", 5.0), ("I2", 4.0)]
    assert [(f.item_id, f.gap) for f in result.inhibitors] == [("I4", 2.5), ("I3", 1.5)]
    assert all(f.kind == FindingKind.INHIBITOR for f in result.inhibitors)
    assert result.drivers[0].theme.nl == "informeel delen"


def test_facilitating_element_looks_at_facilitating_and_strategic_items() -> None:
    answers = _team(V1=1, V2=4, V3=5, V4=4, V5=2, V6=4)
    result = score_team([answers] * 3)
    assert result.element(Element.INVESTERING).phase == Phase.FACILITATING
    assert [f.item_id for f in result.drivers] == ["V3", "V2", "V4", "V6"]
    assert [f.item_id for f in result.inhibitors] == ["V5"]  # V1 is behind them


def test_strategic_element_looks_only_at_strategic_items() -> None:
    answers = _team(W1=1, W2=5, W3=4, W4=4, W5=5)
    result = score_team([answers] * 3)
    assert result.element(Element.WAARDE).phase == Phase.STRATEGIC
    assert [f.item_id for f in result.drivers] == ["W5", "W4"]
    assert result.inhibitors == ()


def test_not_started_element_looks_at_pioneering_and_facilitating_items() -> None:
    answers = _team(N1=1, N2=2, N3=2, N4=1, N5=1)
    result = score_team([answers] * 3)
    assert result.element(Element.INNOVATIE).phase == Phase.NOT_STARTED
    assert [f.item_id for f in result.inhibitors] == ["N1", "N2", "N3"]


def test_thresholds_for_driver_and_inhibitor() -> None:
    team = [_team(I2=2, I3=4, I4=3), _team(I2=3, I3=4, I4=4)]
    result = score_team(team)  # medians I1 3, I2 2.5, I3 4, I4 3.5
    assert result.element(Element.IMPACT).phase == Phase.PIONEERING
    assert [f.item_id for f in result.drivers] == ["I3"]
    assert [(f.item_id, f.score, f.gap) for f in result.inhibitors] == [("I2", 2.5, 1.0)]


def test_ticked_barrier_confirms_inhibitors_it_names() -> None:
    answers = _team(I4=2, V3=2, V2=2)
    result = score_team([answers] * 3, barrier_ticks=["leadership", "tool_sprawl", "skills"])
    confirmed = {f.item_id: f.confirmed for f in result.inhibitors}
    assert confirmed == {"I4": True, "V3": True, "V2": False}


def test_equal_gaps_rank_confirmed_first_then_questionnaire_order() -> None:
    answers = _team(W2=2, I4=2, V2=2, V4=2)
    result = score_team([answers] * 3, barrier_ticks=["budget"])
    assert [f.item_id for f in result.inhibitors] == ["V2", "W2", "I4", "V4"]


def test_elements_without_a_phase_give_no_findings() -> None:
    answers = by_phase(1, None, 5)
    result = score_team([answers] * 3)
    assert all(not e.sufficient for e in result.elements)
    assert result.drivers == () and result.inhibitors == ()
