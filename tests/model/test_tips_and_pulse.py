"""Tips chosen by the findings, the rotating pulse items, and how a pulse is scored."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model
from conversations.views.results import TIPS_SHOWN
from model import (
    Element,
    Phase,
    Tip,
    TipLevel,
    chosen_tips,
    load_content,
    score_pulse,
    score_team,
    select_pulse_items,
    tips_for,
)
from tests.model.conftest import by_phase

CONTENT = load_content()
ITEMS = CONTENT.questionnaire.items


@pytest.mark.parametrize("element", list(Element))
@pytest.mark.parametrize("phase", list(Phase))
def test_every_step_has_a_team_tip_that_addresses_its_next_phase(
    element: Element, phase: Phase
) -> None:
    tips = tips_for(element, phase)
    target = Phase(min(phase + 1, Phase.STRATEGIC))
    assert {tip.transition for tip in tips} == {(phase, target)}
    assert {tip.element for tip in tips} == {element}
    assert any(tip.level == TipLevel.TEAM for tip in tips)
    for tip in tips:
        assert {CONTENT.questionnaire.item(i).phase for i in tip.addresses} == {target}


def test_tips_for_the_biggest_inhibitor_come_first() -> None:
    answers = by_phase(4, 3, 2, V2=4, V4=4, V7=1, V3=3)
    result = score_team([answers] * 3)
    assert result.element(Element.INVESTERING).phase == Phase.PIONEERING
    assert result.inhibitors_for(Element.INVESTERING)[0].item_id == "V7"
    team = chosen_tips(Element.INVESTERING, Phase.PIONEERING, result.inhibitors, TipLevel.TEAM)
    assert team[0].addresses == ("V7",)  # the show-and-tell, for skills
    sponsor = chosen_tips(Element.INVESTERING, Phase.PIONEERING, result.inhibitors,
                          TipLevel.ORGANISATION)
    assert sponsor[0].addresses == ("V3",)  # the next inhibitor: one platform
    assert all(tip.level == TipLevel.ORGANISATION for tip in sponsor)


def test_without_inhibitors_the_tips_keep_their_content_order() -> None:
    tips = chosen_tips(Element.WAARDE, Phase.PIONEERING, (), TipLevel.TEAM)
    assert tips == tuple(t for t in tips_for(Element.WAARDE, 1) if t.level == TipLevel.TEAM)


def _lagging_on(element: Element, phase: Phase, item_id: str | None) -> dict[str, int]:
    """Answers placing `element` in `phase` with `item_id` (if any) as its one inhibitor."""
    answers = {i.id: 5 for i in ITEMS}
    for item in CONTENT.questionnaire.items_for(element):
        if phase == Phase.NOT_STARTED:
            answers[item.id] = 1
        elif item.phase > phase and phase < Phase.STRATEGIC:
            answers[item.id] = 4 if item.phase == phase + 1 else 1
    if item_id is not None and phase > Phase.NOT_STARTED:
        answers[item_id] = 3 if phase == Phase.STRATEGIC else 1
    return answers


@pytest.mark.parametrize("element", list(Element))
@pytest.mark.parametrize("phase", list(Phase))
def test_every_tip_is_shown_to_some_team(element: Element, phase: Phase) -> None:
    """For every tip there is a team whose results show it: one whose biggest inhibitor
    is a statement the tip addresses, or (at the top) one with nothing holding it back."""
    shown: set[Tip] = set()
    candidates = [None, *{i for tip in tips_for(element, phase) for i in tip.addresses}]
    for item_id in candidates:
        result = score_team([_lagging_on(element, phase, item_id)] * 3)
        if result.element(element).phase != phase:
            continue  # e.g. Value's one strategic statement cannot lag in phase 3
        if item_id is not None:
            assert result.inhibitors_for(element)[0].item_id == item_id
        for level, count in TIPS_SHOWN.items():
            shown.update(chosen_tips(element, phase, result.inhibitors, level)[:count])
    assert shown == set(tips_for(element, phase))


def _shown_for(element: Element, phase: Phase, item_id: str, level: TipLevel) -> list[str]:
    """The tips of `level` a team reads (English, then Dutch) when `item_id` is what holds
    `element` back most in `phase`."""
    result = score_team([_lagging_on(element, phase, item_id)] * 3)
    assert result.element(element).phase == phase
    assert result.inhibitors_for(element)[0].item_id == item_id
    tips = chosen_tips(element, phase, result.inhibitors, level)[:TIPS_SHOWN[level]]
    assert tips
    return [text for tip in tips for text in (tip.text.en, tip.text.nl)]


# What a team read before the content review (issue 22) when one statement held it back,
# and what it reads now: (element, phase, statement, level, words its tips must not say,
# words each of them must say in one of the two languages).
FITTING = [
    # "Employees may experiment without permission": not "start where distance hurts most"
    (Element.INNOVATIE, Phase.NOT_STARTED, "N1", TipLevel.TEAM, ("distance", "afstand"),
     ("experiment", "permission", "toestemming")),
    # "Leadership calls it a competitive edge": not "report measures every quarter"
    (Element.WAARDE, Phase.FACILITATING, "W5", TipLevel.TEAM, ("quarter", "kwartaal"),
     ("leadership", "leiding")),
    # "Leadership asks for ideas online": not "give new initiatives room to start small"
    (Element.INNOVATIE, Phase.STRATEGIC, "N5", TipLevel.ORGANISATION,
     ("start small", "klein te beginnen"), ("leadership", "leiding")),
    # "We hear, with figures or examples, what the tools deliver": the measures now
    (Element.WAARDE, Phase.PIONEERING, "W4", TipLevel.TEAM, (),
     ("stories", "measures", "succesverhalen", "maatstaven")),
]


@pytest.mark.parametrize(("element", "phase", "item_id", "level", "unsaid", "said"), FITTING)
def test_the_tips_a_team_reads_are_about_what_holds_it_back(
    element: Element, phase: Phase, item_id: str, level: TipLevel,
    unsaid: tuple[str, ...], said: tuple[str, ...],
) -> None:
    texts = _shown_for(element, phase, item_id, level)
    for text in texts:
        assert not any(word in text.lower() for word in unsaid), text
    for english, dutch in zip(texts[::2], texts[1::2], strict=True):
        assert any(word in english.lower() for word in said), english
        assert any(word in dutch.lower() for word in said), dutch


def test_what_the_team_can_do_itself_never_hands_the_work_to_leaders() -> None:
    """A team tip is one the team starts on Monday; one that sets leaders to work belongs
    under "for your sponsor"."""
    for tip in CONTENT.tips:
        if tip.level == TipLevel.TEAM:
            assert not tip.text.en.startswith(("Let leaders", "Have leadership")), tip.text.en
            assert not tip.text.nl.startswith(("Laat leiders", "Laat de leiding")), tip.text.nl
    sponsor = {tip.text.en for tip in CONTENT.tips if tip.level == TipLevel.ORGANISATION}
    assert any(text.startswith("Let leaders set the example") for text in sponsor)


def test_tips_for_an_impossible_phase_are_refused() -> None:
    with pytest.raises(ValueError):
        tips_for(Element.IMPACT, 4)


# -- pulses ------------------------------------------------------------------------------------


def test_first_pulse_asks_the_first_item_of_each_element() -> None:
    assert [item.id for item in select_pulse_items(1)] == ["W1", "I1", "N1", "V1"]
    assert [item.id for item in select_pulse_items(6)] == ["W1", "I6", "N1", "V5"]
    assert [item.id for item in select_pulse_items(7)] == ["W2", "I1", "N2", "V6"]


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


def facilitating_team() -> model.TeamResult:
    """Every element facilitating: P1 and P2 statements at 4, strategic ones at 3."""
    return score_team([by_phase(4, 4, 3)] * 3)


def test_a_pulse_replaces_what_it_scored_itself_and_carries_the_rest_forward() -> None:
    base = facilitating_team()
    asked = ["N4", "W1"]
    pulse = score_pulse([{"N4": 5, "W1": 2}] * 3 + [{"N4": 5, "W1": 3}], asked, base,
                        minimum=3)
    assert pulse.item("N4").score == 5.0 and pulse.item("N4").counts == (0, 0, 0, 0, 4)
    assert pulse.item("W1").score == 2.25
    assert pulse.item("V1") == base.item("V1")
    assert pulse.fresh_items == ("W1", "N4")
    assert pulse.respondent_count == 4
    innovation, before = pulse.element(Element.INNOVATIE), base.element(Element.INNOVATIE)
    assert innovation.position is not None and before.position is not None
    assert innovation.position > before.position
    for element in (Element.IMPACT, Element.INVESTERING):
        now, earlier = pulse.element(element), base.element(element)
        assert (now.position, now.low, now.high) == (earlier.position, earlier.low, earlier.high)
        assert now.spread is None  # the pulse's own answers say nothing about it
    assert innovation.spread == 0.0 and innovation.minority is None


def test_a_pulse_leaves_out_each_of_its_own_respondents_holding_the_carried_scores() -> None:
    base = facilitating_team()  # every element 2.4: S2 4, S3 3
    answers = [{"W4": 3}] * 2 + [{"W4": 4}] * 2  # Value's strategic statement W5 stays 3
    pulse = score_pulse(answers, ["W4"], base, minimum=3)
    value = pulse.element(Element.WAARDE)
    assert pulse.item("W4").score == 3.5
    assert value.position == pytest.approx(2 + 2 / 3)  # S2 3.83: facilitating not yet firm
    assert value.spread is not None and value.spread > 0
    assert value.edge is None  # S2 3.78 or 3.89 leaving one out: facilitating either way


def test_a_statement_too_few_answered_this_time_keeps_its_earlier_score() -> None:
    base = facilitating_team()
    pulse = score_pulse([{"W1": 1, "I1": 5}] * 2 + [{"W1": None, "I1": 5}], ["W1", "I1"],
                        base, minimum=3)
    assert pulse.item("W1") == base.item("W1")  # two answers: the earlier score stays
    assert pulse.item("I1").score == 5.0
    assert pulse.fresh_items == ("I1",)


def test_a_pulse_too_few_answered_has_nothing_of_its_own() -> None:
    base = facilitating_team()
    asked = [item.id for item in select_pulse_items(1)]
    pulse = score_pulse([dict.fromkeys(asked, 1)] * 2, asked, base, minimum=3)
    assert pulse.fresh_items == ()


def test_without_an_earlier_result_a_pulse_places_only_what_its_statements_can() -> None:
    asked = [item.id for item in select_pulse_items(2)]  # W2, I2, N2, V2: facilitating
    pulse = score_pulse([dict.fromkeys(asked, 4)] * 3, asked, None, minimum=3)
    assert {i.item_id for i in pulse.items if i.counted} == set(asked)
    for element in pulse.elements:
        assert element.counted == 1
        assert element.phase == Phase.FACILITATING  # S2 alone: at most 2, and it is 2
        assert not element.settled  # the other statements could lie anywhere


def test_carried_scores_meet_a_raised_minimum_too() -> None:
    base = score_team([by_phase(4, 4, 3)] * 3)
    pulse = score_pulse([{"W1": 5}] * 4, ["W1"], base, minimum=4)
    assert pulse.item("W1").score == 5.0
    assert all(not i.counted for i in pulse.items if i.item_id != "W1")


def test_package_usage_example_runs() -> None:
    import doctest

    failures, attempted = doctest.testmod(model, verbose=False)
    assert attempted > 5
    assert failures == 0
