"""Tips for the next step, and the rotating pulse item selection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model
from model import Element, Phase, load_content, select_pulse_items, tips_for


@pytest.mark.parametrize("element", list(Element))
@pytest.mark.parametrize("phase", list(Phase))
def test_every_element_has_tips_for_the_next_step(element: Element, phase: Phase) -> None:
    tips = tips_for(element, phase)
    assert tips
    target = min(phase + 1, Phase.STRATEGIC)
    assert {tip.transition for tip in tips} == {(phase, Phase(target))}
    assert {tip.element for tip in tips} == {element}


def test_tips_follow_the_source_two_per_transition() -> None:
    for element in Element:
        for phase in (Phase.PIONEERING, Phase.FACILITATING):
            assert len(tips_for(element, phase)) >= 2
    assert "business case" in tips_for(Element.WAARDE, 1)[0].text.en


def test_tips_for_an_impossible_phase_are_refused() -> None:
    with pytest.raises(ValueError):
        tips_for(Element.IMPACT, 4)


def test_first_pulse_asks_the_first_item_of_each_element() -> None:
    assert [item.id for item in select_pulse_items(1)] == ["W1", "I1", "N1", "V1"]
    assert [item.id for item in select_pulse_items(6)] == ["W1", "I6", "N1", "V6"]
    assert [item.id for item in select_pulse_items(7)] == ["W2", "I1", "N2", "V1"]


@pytest.mark.parametrize("number", [0, -1])
def test_pulses_are_numbered_from_one(number: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        select_pulse_items(number)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=10_000))
def test_consecutive_pulses_cover_every_item_before_repeating(start: int) -> None:
    questionnaire = load_content().questionnaire
    for position, element in enumerate(Element):
        items = questionnaire.items_for(element)
        window = [select_pulse_items(start + n)[position] for n in range(len(items))]
        assert sorted(i.id for i in window) == sorted(i.id for i in items)
        assert all(i.element == element for i in window)


def test_package_usage_example_runs() -> None:
    import doctest

    failures, attempted = doctest.testmod(model, verbose=False)
    assert attempted > 5
    assert failures == 0
