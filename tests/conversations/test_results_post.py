"""The results post in the team channel: golden posts, privacy threshold, limits, languages."""

import dataclasses
import re
from datetime import UTC, datetime

import pytest

from conversations.views.results import RoundOutcome, results_post
from model import Element, Finding, FindingKind, Phase, Text, load_content, score_team
from tests.model.conftest import by_phase, per_element

CLOSED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EARLIER = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
CONTENT = load_content()


def outcome(result, *, responses=6, invited=8, min_responses=3, kind="diagnostic",
            previous=None, previous_closed_at=None, subject="our wiki"):
    return RoundOutcome(
        round_id="R1", kind=kind, subject=subject, channel_id="C1", closed_at=CLOSED,
        invited=invited, responses=responses, min_responses=min_responses, result=result,
        previous=previous, previous_closed_at=previous_closed_at,
    )


def texts(message):
    """Every piece of mrkdwn/plain text in the post, in order, plus the fallback."""
    found = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(element["text"] for element in block.get("elements", []))
    return found


def body(message):
    return "\n".join(texts(message))


def sections(message):
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def team(answers, n=3, **kwargs):
    return score_team([answers] * n, **kwargs)


# -- golden posts -------------------------------------------------------------------------------


def test_all_fives_is_strategic_everywhere():
    post = results_post("en", outcome(team(by_phase(5, 5, 5), n=6)))
    lines = sections(post)
    assert lines[0] == "*Overall phase: Strategic*\nBottleneck: *Value*, the element that " \
                       "holds the others back. Start there."
    assert lines[1:5] == [
        "*Value*  `▰▰▰▰▰▰▰▰▰▰` 3.0 · Strategic",
        "*Impact*  `▰▰▰▰▰▰▰▰▰▰` 3.0 · Strategic",
        "*Innovation*  `▰▰▰▰▰▰▰▰▰▰` 3.0 · Strategic",
        "*Investment*  `▰▰▰▰▰▰▰▰▰▰` 3.0 · Strategic",
    ]
    text = body(post)
    assert post["blocks"][0] == {"type": "header",
                                 "text": {"type": "plain_text", "text": "WI3 results: our wiki",
                                          "emoji": True}}
    assert "6 of 8 answered" in text
    assert "• ROI measurement (Value)" in text  # a strategic item scoring 5 is a driver
    assert "Nothing clearly holds you back from the next step." in text
    assert "*Value*: staying Strategic" in text
    assert post["text"] == "WI3 results for our wiki: overall phase Strategic."


def test_all_ones_is_not_yet_started_with_getting_started_tips():
    post = results_post("en", outcome(team(by_phase(1, 1, 1), n=6)))
    lines = sections(post)
    assert lines[0].startswith("*Overall phase: Not yet started*")
    assert lines[1] == "*Value*  `▱▱▱▱▱▱▱▱▱▱` 1.0 · Not yet started"
    text = body(post)
    assert "No clear strengths for the next step yet." in text
    assert "• user need (Value)" in text  # W1 scores 1: an inhibitor of getting started
    assert "*Investment*: from Not yet started to Pioneering" in text
    first_tip = CONTENT.tips_for(Element.WAARDE, Phase.NOT_STARTED)[0].text.en
    assert f"• {first_tip}" in text


def test_the_bottleneck_comes_first_among_the_tips():
    answers = per_element(waarde=(5, 5, 5), impact=(5, 5, 5), innovatie=(5, 5, 5),
                          investering=(4, 2, 1))
    post = results_post("en", outcome(team(answers)))
    lines = sections(post)
    assert "Bottleneck: *Investment*" in lines[0]
    tip_sections = [s for s in lines if s.startswith("*") and (": from " in s or ": staying" in s)]
    assert tip_sections[0].startswith("*Investment*: from Pioneering to Facilitating")
    assert [s.split("*")[1] for s in tip_sections] == ["Investment", "Value", "Impact",
                                                       "Innovation"]
    investment_tips = CONTENT.tips_for(Element.INVESTERING, Phase.PIONEERING)
    assert tip_sections[0].count("\n• ") == min(2, len(investment_tips))


def test_confirmed_inhibitors_are_marked_and_barriers_tallied_without_zeros():
    result = team(by_phase(4, 4, 2), barrier_ticks=["time", "roi", "budget", "time", "budget",
                                                    "time"])
    text = body(results_post("en", outcome(result)))
    assert "• ROI measurement (Value) · *confirmed*: also ticked as a barrier" in text
    assert "• strategy (Value)\n" in text  # a low score nobody ticked stays unconfirmed
    assert "Time (3) · Budget (2) · Proving ROI (1)" in text
    assert "(0)" not in text


def test_disagreement_names_themes_and_elements():
    split = [by_phase(4, 4, 2, W3=1), by_phase(4, 4, 2, W3=1), by_phase(4, 4, 2, W3=5),
             by_phase(4, 4, 2, W3=5)]
    text = body(results_post("en", outcome(score_team(split), responses=4)))
    assert "*Opinions differ strongly on* business case (Value)." in text


def test_flags_for_imbalance_inconsistency_and_too_few_answers():
    answers = per_element(waarde=(1, 1, 1), impact=(5, 5, 5), innovatie=(4, 2, 5),
                          investering=(4, 4, None))
    answers.update({"V2": None, "V3": None, "V4": None})
    text = body(results_post("en", outcome(team(answers))))
    assert "*Uneven growth:*" in text
    assert "Inconsistent profile" in text
    assert "*Investment*: too few answers to place it (1 of 6 statements had answers)" in text
    assert "*Investment*: from" not in text  # no phase, so no next step to give tips for


def test_strategic_items_nobody_could_judge_are_mentioned():
    text = body(results_post("en", outcome(team(by_phase(4, 4, None)))))
    assert "*Value*  `▰▰▰▰▱▱▱▱▱▱` 1.8 · Facilitating" in text
    assert "Nobody could judge the strategic statements, so this shows at most Facilitating." \
        in text


# -- the privacy threshold ----------------------------------------------------------------------


def test_threshold_boundary_two_of_three_shows_nothing_three_shows_results():
    below = results_post("en", outcome(None, responses=2))
    assert "Only *2 of 8* answered. Results are shown once at least *3* people" in body(below)
    assert "Overall phase" not in body(below)
    at = results_post("en", outcome(team(by_phase(4, 4, 2)), responses=3))
    assert "Overall phase: Facilitating" in body(at)


def test_a_result_below_the_threshold_cannot_even_be_constructed():
    with pytest.raises(ValueError, match="forbidden below"):
        outcome(team(by_phase(4, 4, 2), n=2), responses=2)
    with pytest.raises(ValueError, match="required at or above"):
        outcome(None, responses=3)


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("kind", ["diagnostic", "pulse"])
def test_nothing_from_any_result_leaks_below_the_threshold(lang, kind):
    rich = team(by_phase(4, 4, 2, W3=1, N2=5), barrier_ticks=["time", "roi", "skills"])
    post = results_post(lang, outcome(None, responses=2, invited=8, kind=kind, previous=rich,
                                      previous_closed_at=EARLIER), last_diagnostic=rich)
    text = body(post)
    for phase in CONTENT.phases.values():
        assert phase.name.en not in text and phase.name.nl not in text
    for element in CONTENT.elements.values():  # every driver, inhibitor or topic names one
        assert element.name.en not in text and element.name.nl not in text
    for barrier in CONTENT.questionnaire.barriers:
        assert not re.search(rf"\b{re.escape(barrier.label.get(lang))}\b", text)
    assert "▰" not in text and "▱" not in text and "↑" not in text and "→" not in text
    without_dates = re.sub(r"<!date\^\d+\^[^|]*\|[^>]*>", "", text)
    assert set(re.findall(r"\d+(?:[.,]\d+)?", without_dates)) <= {"2", "8", "3"}
    assert len(post["blocks"]) == 3


# -- limits -------------------------------------------------------------------------------------


def test_an_extreme_result_stays_within_block_kit_limits():
    base = team(by_phase(2, 3, 5), barrier_ticks=[b.id for b in CONTENT.questionnaire.barriers])
    long_theme = Text(en="a very long theme " * 30, nl="een heel lang thema " * 30)
    many = tuple(
        Finding(item_id="W1", element=element, theme=long_theme, score=score, kind=kind,
                confirmed=True, gap=3.5 - score)
        for element in Element for _ in range(20)
        for kind, score in ((FindingKind.DRIVER, 5.0), (FindingKind.INHIBITOR, 1.0))
    )
    extreme = dataclasses.replace(
        base, imbalance=True,
        drivers=tuple(f for f in many if f.kind is FindingKind.DRIVER),
        inhibitors=tuple(f for f in many if f.kind is FindingKind.INHIBITOR),
        disagreement_items=tuple(item.id for item in CONTENT.questionnaire.items),
        elements=tuple(dataclasses.replace(e, inconsistent=True, disagreement=True)
                       for e in base.elements),
    )
    post = results_post("nl", outcome(extreme, subject="x" * 400),
                        last_diagnostic=extreme)
    assert len(post["blocks"]) <= 50
    assert all(len(text) <= 3000 for text in sections(post))
    assert post["blocks"][0]["text"]["text"].endswith("…")
    drivers = next(s for s in sections(post) if s.startswith("*✅"))
    hidden = int(re.search(r"…en nog (\d+)$", drivers).group(1))
    assert drivers.count("\n• ") + hidden == 80
    assert "…en nog 16" in body(post)  # 22 disagreement topics, 6 shown


# -- languages, trend, pulse, escaping ----------------------------------------------------------


def test_dutch_and_english_posts_say_the_same_in_their_own_words():
    result = team(by_phase(4, 4, 2), barrier_ticks=["time"])
    en, nl = results_post("en", outcome(result)), results_post("nl", outcome(result))
    assert len(en["blocks"]) == len(nl["blocks"])
    assert "*Value*  `▰▰▰▰▰▱▱▱▱▱` 2.0 · Facilitating" in body(en)
    assert "*Waarde*  `▰▰▰▰▰▱▱▱▱▱` 2,0 · Faciliterend" in body(nl)
    assert "6 van 8 hebben geantwoord" in body(nl)
    assert "• tijd (Investering) · *bevestigd*" in body(nl)
    assert "Value" not in body(nl) and "Facilitating" not in body(nl)


def test_trend_arrows_against_the_previous_round():
    previous = team(per_element(waarde=(4, 3, 2), impact=(4, 4, 4), innovatie=(4, 4, 2),
                                investering=(4, 4, 2), ))
    current = team(per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                               investering=(4, 4, 2)))
    post = results_post("en", outcome(current, previous=previous, previous_closed_at=EARLIER))
    lines = sections(post)
    assert lines[1].endswith("· Facilitating · ↑ +0.2")
    assert lines[2].endswith("· Facilitating · ↓ -0.5")
    assert lines[3].endswith("· Facilitating · → about the same")
    legend = body(post)
    assert "Arrows compare with the round of <!date^1706788800^" in legend
    assert "less than 0.1" in legend


def test_no_arrows_before_there_is_a_previous_round():
    text = body(results_post("en", outcome(team(by_phase(4, 4, 2)))))
    assert "↑" not in text and "↓" not in text and "about the same" not in text


def test_pulse_shows_change_since_last_pulse_and_last_diagnostic():
    last_pulse = team(by_phase(4, 4, 1))
    diagnostic = team(by_phase(4, 3, 1))
    pulse = team(by_phase(4, 4, 2))
    post = results_post("en", outcome(pulse, kind="pulse", previous=last_pulse),
                        last_diagnostic=diagnostic)
    text = body(post)
    assert post["blocks"][0]["text"]["text"] == "WI3 pulse: our wiki"
    assert ("*Value*  `▰▰▰▰▰▱▱▱▱▱` 2.0 · Facilitating · since last pulse ↑ +0.2 · "
            "since the diagnostic ↑ +0.5") in text
    assert "What to build on" not in text
    assert "*💡 Focus on Value:*" in text


def test_a_hostile_subject_cannot_ping_the_channel():
    post = results_post("en", outcome(team(by_phase(4, 4, 2)), subject="<!channel> & <@U1>"))
    assert "<!channel>" not in post["text"]
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in post["text"]
    mrkdwn = [b for b in post["blocks"] if b["type"] != "header"]
    assert "<!channel>" not in str(mrkdwn)


def test_outcome_rejects_naive_dates_low_minimums_and_unknown_kinds():
    result = team(by_phase(4, 4, 2))
    with pytest.raises(ValueError, match="timezone"):
        dataclasses.replace(outcome(result), closed_at=datetime(2024, 5, 1))
    with pytest.raises(ValueError, match="at least 3"):
        outcome(result, min_responses=2)
    with pytest.raises(ValueError, match="kind"):
        outcome(result, kind="survey")
