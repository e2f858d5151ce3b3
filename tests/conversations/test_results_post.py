"""The results post in the team channel: golden posts, coherence, privacy, limits, languages."""

import dataclasses
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.tryout.render import render
from conversations.results.outcome import RoundOutcome, Withheld
from conversations.views.common import Message
from conversations.views.pulse import pulse_post
from conversations.views.results import TIPS_SHOWN, results_post
from model import (
    Answers,
    Element,
    Finding,
    FindingKind,
    Lang,
    Phase,
    TeamResult,
    Text,
    TipLevel,
    chosen_tips,
    load_content,
    score_team,
)
from tests.model.conftest import by_phase, per_element
from tests.model.test_properties import team as any_team

CLOSED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EARLIER = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
CONTENT = load_content()
GOLDEN = Path(__file__).parent / "golden"
PHASE_BY_NAME = {p.name.get(lang): phase for phase, p in CONTENT.phases.items()
                 for lang in ("en", "nl")}


def outcome(result: TeamResult | None, *, responses: int = 6, invited: int = 8,
            min_responses: int = 3, kind: str = "diagnostic", previous: TeamResult | None = None,
            previous_closed_at: datetime | None = None, subject: str = "our wiki",
            withheld: Withheld | None = None, finished: int | None = None) -> RoundOutcome:
    return RoundOutcome(
        round_id="R1", kind=kind, subject=subject, channel_id="C1", closed_at=CLOSED,
        invited=invited, responses=responses, min_responses=min_responses, result=result,
        withheld=withheld, previous=previous, previous_closed_at=previous_closed_at,
        finished=finished,
    )


def texts(message: Message) -> list[str]:
    """Every piece of mrkdwn/plain text in the post, in order, plus the fallback."""
    found = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(element["text"] for element in block.get("elements", []))
    return found


def body(message: Message) -> str:
    return "\n".join(texts(message))


def sections(message: Message) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def team(answers: Answers, n: int = 3, **kwargs: Any) -> TeamResult:
    return score_team([answers] * n, **kwargs)


def earlier_team() -> TeamResult:
    return score_team([by_phase(4, 3, 2)] * 2 + [by_phase(3, 2, 1)] * 2)


# -- golden posts (the full results post is tested end to end: tests/e2e/test_golden_posts.py) --


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_golden_pulse_post(lang: Lang) -> None:
    """The pulse post as a Slack client shows it; WI3_UPDATE_GOLDEN=1 rewrites the files
    (then read them before committing: they are the product)."""
    previous = team(by_phase(4, 3, 2))
    pulse = team(by_phase(4, 4, 2))
    post = pulse_post(lang, outcome(pulse, kind="pulse", previous=previous,
                                    previous_closed_at=EARLIER),
                      basis="diagnostic", last_diagnostic=earlier_team())
    shown = render(post["blocks"], post["text"], numbered=False).text + "\n"
    path = GOLDEN / f"pulse_post.{lang}.txt"
    if os.environ.get("WI3_UPDATE_GOLDEN"):
        path.write_text(shown, encoding="utf-8")
    assert shown == path.read_text(encoding="utf-8")


# -- coherence: label, bar, number and headline never disagree ------------------------------------


ELEMENT_LINE = re.compile(r"^\*(?P<name>[^*]+)\*  `(?P<bar>[▰▱ ]+)` (?P<low>\d[.,]\d)"
                          r"(?:–(?P<high>\d[.,]\d))? · (?P<label>.+)$", re.MULTILINE)
HEADLINE = re.compile(r"^\*(?:Overall phase|Totaalfase): (?P<label>[^*]+)\*", re.MULTILINE)
NAMES = sorted(PHASE_BY_NAME, key=len, reverse=True)


def phases_named(label: str) -> set[Phase]:
    """The phases a label names ("Pioneering or facilitating": 1 and 2)."""
    found: set[Phase] = set()
    rest = label.lower()
    for name in NAMES:
        if name.lower() in rest:
            found.add(PHASE_BY_NAME[name])
            rest = rest.replace(name.lower(), "")
    return found


@settings(max_examples=60, deadline=None)
@given(any_team, st.sampled_from(["en", "nl"]))
def test_label_bar_figure_and_headline_never_disagree(responses: list[Answers], lang: Lang) -> None:
    """Scoring v3: every phase a line names lies in the element's range, the figure is its
    position (or range) and the bar its position; the headline names only phases from the
    lowest low to the lowest high."""
    result = score_team(responses)
    assume(result.fresh_items)
    text = body(results_post(lang, outcome(result)))
    shown = ELEMENT_LINE.findall(text)
    assert len(shown) == len(result.placed)
    names = {CONTENT.elements[e.element].name.get(lang): e for e in result.elements}
    for name, bar, low, high, label in shown:
        element = names[name]
        named = phases_named(label.split(" · ")[0].split("(")[0])
        if element.divided:
            assert not named
        else:
            assert named and all(element.low_phase <= p <= element.high_phase for p in named)
            assert (element.low_phase != element.high_phase) == bool(high) == (len(named) > 1)
        assert int(low[0]) == (element.low_phase if high else element.phase)
        filled = bar.replace(" ", "").count("▰")
        assert element.position is not None
        assert filled == int(element.position * 3 + 1e-9)
    headline = HEADLINE.search(text)
    if result.divided_on:
        assert headline is None
    else:
        assert headline is not None
        named = phases_named(headline["label"])
        assert min(named) == result.overall and max(named) == result.overall_high


def test_all_fives_is_strategic_everywhere_with_no_single_bottleneck() -> None:
    post = results_post("en", outcome(team(by_phase(5, 5, 5), n=6)))
    lines = sections(post)
    assert lines[0] == ("*Overall phase: strategic*\nAlready further: none of the 4 "
                        "elements.\nNo single bottleneck: no element is clearly behind all "
                        "the others.")
    assert lines[1].splitlines() == [
        "*Value*  `▰▰▰ ▰▰▰ ▰▰▰ ▰▰▰` 4.0 · Strategic",
        "*Impact*  `▰▰▰ ▰▰▰ ▰▰▰ ▰▰▰` 4.0 · Strategic",
        "*Innovation*  `▰▰▰ ▰▰▰ ▰▰▰ ▰▰▰` 4.0 · Strategic",
        "*Investment*  `▰▰▰ ▰▰▰ ▰▰▰ ▰▰▰` 4.0 · Strategic",
    ]
    text = body(post)
    assert post["blocks"][0] == {"type": "header",
                                 "text": {"type": "plain_text", "text": "WI3 results: our wiki",
                                          "emoji": True}}
    assert "6 of 8 answered" in text
    assert "*Value* · staying strategic" in text
    assert "What could slip" not in text  # every strategic statement at 5
    assert "• Leadership sees it as a competitive edge: 5.0" in text  # a driver
    assert post["text"] == "WI3 results for our wiki: overall phase strategic."


def test_all_ones_is_getting_started_with_getting_started_tips() -> None:
    post = results_post("en", outcome(team(by_phase(1, 1, 1), n=6)))
    lines = sections(post)
    assert lines[0].startswith("*Overall phase: getting started*")
    assert lines[1].splitlines()[0] == "*Value*  `▱▱▱ ▱▱▱ ▱▱▱ ▱▱▱` 0.0 · Getting started"
    text = body(post)
    assert "*Investment* · from getting started to pioneering" in text
    assert "• People use the tools because it helps them: 1.0" in text  # W1 holds it back
    first_tip = CONTENT.tips_for(Element.WAARDE, Phase.NOT_STARTED)[0].text.en
    assert f"• {first_tip}" in text


def test_work_starts_with_the_element_furthest_behind() -> None:
    answers = per_element(waarde=(5, 5, 5), impact=(5, 4, 3), innovatie=(5, 5, 5),
                          investering=(4, 2, 1))
    post = results_post("en", outcome(team(answers)))
    lines = sections(post)
    assert "*Bottleneck: Investment*, clearly furthest behind" in lines[0]
    steps = [s.split("\n")[0] for s in lines if " · from " in s or " · staying " in s]
    assert steps == ["*Investment* · from pioneering to facilitating",
                     "*Impact* · from facilitating to strategic",
                     "*Value* · staying strategic", "*Innovation* · staying strategic"]


def test_the_team_tips_shown_address_the_biggest_inhibitor() -> None:
    answers = by_phase(4, 4, 3, V7=1, V3=3, V2=4, V4=4)
    result = team(answers, barriers=[["skills"]] * 3)
    post = results_post("en", outcome(result))
    assert "• Colleagues know how to use the tools: 1.0 · _also ticked as a barrier_" in body(post)
    show_and_tell = chosen_tips(Element.INVESTERING, Phase.PIONEERING, result.inhibitors,
                                TipLevel.TEAM)[0]
    assert show_and_tell.addresses == ("V7",)
    investment = next(s for s in sections(post) if s.startswith("*Investment* · from"))
    tips = investment.split("💡")[1].split("\n• ")
    assert tips[1] == show_and_tell.text.en  # the first tip shown
    assert len(tips) - 1 == TIPS_SHOWN[TipLevel.TEAM]
    sponsor = next(s for s in sections(post) if "For your sponsor" in s)
    organisation = {t.text.en for t in CONTENT.tips if t.level == TipLevel.ORGANISATION}
    assert all(line.split(": ", 1)[1] in organisation
               for line in sponsor.splitlines()[1:])


def test_a_team_between_two_and_a_half_and_three_and_a_half_hears_what_holds_it_back() -> None:
    text = body(results_post("en", outcome(team(by_phase(3, 3, 3)))))
    assert "What stands between you and the next phase:" in text
    assert "• Managers visibly use the tools: 3.0" in text
    assert "Nothing" not in text


def test_a_divided_team_is_told_so_and_given_no_phase() -> None:
    split = [by_phase(1, 1, 1)] * 3 + [by_phase(5, 5, 5)] * 2
    post = results_post("en", outcome(score_team(split), responses=5))
    text = body(post)
    assert ("*The team is divided on Value, Impact, Innovation and Investment*, so no "
            "overall phase is named.") in text
    assert "Overall phase" not in text
    assert ("*Value*  `▰▰▰ ▱▱▱ ▱▱▱ ▱▱▱` 1.2 · 💬 the team is divided: 5 of its 5 statements "
            "split it into two camps") in text  # it keeps its position
    assert "*Value* · the team is divided\nTalk about these first, before choosing a next " \
           "step: People use the tools because it helps them;" in text
    for phase in CONTENT.phases.values():
        assert f"· {phase.name.en}" not in text
    assert "💡" not in text and "For your sponsor" not in text


def test_an_element_short_of_answers_reads_its_range_and_the_headline_claims_neither() -> None:
    answers = [by_phase(4, 4, 3)] * 3 + [by_phase(4, 4, 3, V2=None, V3=None, V4=None,
                                                   V7=None)]
    thin = [dict(a, V2=None, V3=None, V4=None, V7=None) for a in answers[:2]] + answers[2:]
    text = body(results_post("en", outcome(score_team(thin))))
    assert ("*Investment*  `▰▰▰ ▱▱▱ ▱▱▱ ▱▱▱` 1.0–2.8 · Pioneering or facilitating (too few "
            "answers on its facilitating statements)") in text
    assert ("*Overall phase: pioneering or facilitating*: too few answers on Investment."
            in text)
    assert "A range such as 0.6–1.4" in text


def test_an_element_without_any_counted_statement_says_how_many_counted() -> None:
    nothing = dict.fromkeys(("V1", "V2", "V3", "V4", "V7", "V5", "V6"))
    thin = [by_phase(4, 4, 3)] * 2 + [by_phase(4, 4, 3, **nothing)]
    text = body(results_post("en", outcome(score_team(thin))))
    assert ("*Investment*: not enough answers (0 of its 7 statements were answered by at "
            "least 3 people)") in text
    assert "*Investment* · from" not in text
    assert "anywhere from getting started to facilitating*: too few answers on Investment" in text


def test_strategic_statements_nobody_could_judge_leave_the_phase_open() -> None:
    text = body(results_post("en", outcome(team(by_phase(4, 4, None)))))
    assert ("*Value*  `▰▰▰ ▰▰▰ ▱▱▱ ▱▱▱` 2.0–3.0 · Facilitating or strategic (too few answers "
            "on its strategic statements)") in text
    assert "Too few people could judge the statements of the next phase" in text


def test_participation_reads_the_same_everywhere_and_below_half_says_how_to_read_it() -> None:
    result = team(by_phase(4, 4, 2))
    text = body(results_post("en", outcome(result, responses=7, invited=12, finished=6)))
    assert "· 7 of 12 answered (6 finished)" in text
    assert "Fewer than half answered" not in text
    few = body(results_post("nl", outcome(result, responses=5, invited=12, finished=3)))
    assert "5 van 12 hebben geantwoord (3 afgerond)" in few
    assert ("Minder dan de helft heeft geantwoord: lees dit als het beeld van wie wel "
            "antwoordde.") in few


def test_the_dutch_bottleneck_says_what_the_english_says_without_a_causal_claim() -> None:
    answers = per_element(waarde=(5, 5, 5), impact=(5, 4, 3), innovatie=(5, 5, 5),
                          investering=(4, 2, 1))
    en = body(results_post("en", outcome(team(answers))))
    nl = body(results_post("nl", outcome(team(answers))))
    assert "*Bottleneck: Investment*, clearly furthest behind. Start there." in en
    assert "*Knelpunt: Investering*, duidelijk het verst achter. Begin daar." in nl
    assert "afremt" not in nl


def test_a_minority_that_sees_an_element_much_lower_is_counted_not_named() -> None:
    result = score_team([by_phase(5, 5, 5)] * 7 + [by_phase(1, 1, 1)] * 3)
    text = body(results_post("en", outcome(result, responses=10, invited=10)))
    assert "👥 *3 of 10* see Value much lower. Worth hearing them out." in text
    nl = body(results_post("nl", outcome(result, responses=10, invited=10)))
    assert "👥 *3 van de 10* zien Waarde veel lager. Goed om naar hen te luisteren." in nl


def test_uneven_growth_and_polarised_statements_are_flagged() -> None:
    answers = per_element(waarde=(1, 1, 1), impact=(5, 5, 5), innovatie=(4, 4, 2),
                          investering=(4, 4, 2))
    people = [dict(answers, I2=1)] * 2 + [dict(answers, I2=5)] * 2
    text = body(results_post("en", outcome(score_team(people), responses=4)))
    assert "*Uneven growth:*" in text
    assert "*Opinions differ strongly on:* Most colleagues use the tools." in text


def test_tallies_show_how_many_answered_and_hide_below_the_minimum() -> None:
    shown = team(by_phase(4, 4, 2), barriers=[["time", "roi"], ["time"], ["budget"]],
                 start_reasons=[["distance"]] * 3)
    text = body(results_post("en", outcome(shown)))
    assert "*What the team says holds it back most* (3 people answered)\nTime (2) · " \
           "Proving ROI (1) · Budget (1)" in text
    assert "*Why the team started* (3 people answered)\nBridging geographic distance (3)" \
        in text
    assert "(0)" not in text
    hidden = team(by_phase(4, 4, 2), barriers=[["time"], ["roi"], []],
                  start_reasons=[["distance"]] * 2)
    text = body(results_post("en", outcome(hidden)))
    assert "holds it back most" not in text and "Why the team started" not in text
    assert "also ticked" not in text


def test_every_post_points_at_the_model_and_its_privacy_rule() -> None:
    text = body(results_post("nl", outcome(team(by_phase(4, 4, 2)))))
    assert "`/wi3 about`" in text
    assert "elk cijfer komt van minstens 3 mensen" in text


# -- withheld rounds ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("reason", list(Withheld))
def test_a_withheld_round_shows_counts_and_the_reason_only(lang: Lang, reason: Withheld) -> None:
    post = results_post(lang, outcome(None, responses=3, invited=8, withheld=reason))
    text = body(post)
    for phase in CONTENT.phases.values():
        assert phase.name.en not in text and phase.name.nl not in text
    for element in CONTENT.elements.values():
        assert element.name.en not in text and element.name.nl not in text
    assert "▰" not in text and "▱" not in text
    without_dates = re.sub(r"<!date\^\d+\^[^|]*\|[^>]*>", "", text)
    assert set(re.findall(r"\d+(?:[.,]\d+)?", without_dates)) <= {"3", "8"}
    assert len(post["blocks"]) == 3


def test_an_outcome_only_takes_a_result_that_passed_the_gate() -> None:
    result = team(by_phase(4, 4, 2))
    with pytest.raises(ValueError, match="privacy gate"):
        outcome(result, min_responses=4)  # scored under 3: not for a team that needs 4
    with pytest.raises(ValueError, match="either a result or a reason"):
        outcome(None)
    with pytest.raises(ValueError, match="either a result or a reason"):
        outcome(result, withheld=Withheld.MINIMUM)
    with pytest.raises(ValueError, match="not even the previous"):
        outcome(None, withheld=Withheld.MINIMUM, previous=result)
    nothing_fresh = dataclasses.replace(result, fresh_items=())
    with pytest.raises(ValueError, match="privacy gate"):
        outcome(nothing_fresh)


def test_outcome_rejects_naive_dates_low_minimums_and_unknown_kinds() -> None:
    result = team(by_phase(4, 4, 2))
    with pytest.raises(ValueError, match="timezone"):
        dataclasses.replace(outcome(result), closed_at=datetime(2024, 5, 1))
    with pytest.raises(ValueError, match="at least 3"):
        outcome(result, min_responses=2)
    with pytest.raises(ValueError, match="kind"):
        outcome(result, kind="survey")


# -- limits, languages, trend, escaping -----------------------------------------------------------


def test_an_extreme_result_stays_within_block_kit_limits() -> None:
    base = team(by_phase(2, 3, 2), barriers=[[b.id for b in CONTENT.questionnaire.barriers
                                              ][:3]] * 3)
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
        items=tuple(dataclasses.replace(i, polarised=True) for i in base.items),
    )
    post = results_post("nl", outcome(extreme, subject="x" * 400))
    assert len(post["blocks"]) <= 50
    assert all(len(text) <= 3000 for text in sections(post))
    assert post["blocks"][0]["text"]["text"].endswith("…")
    work = next(s for s in sections(post) if s.startswith("*Waarde* · van"))
    assert len(work) < 3000 and work.splitlines()[-1].endswith(".")  # tips never cut off
    hidden = [int(n) for n in re.findall(r"…en nog (\d+)", work)]
    assert sum(hidden) + work.count("\n• een heel lang") == 40  # 20 inhibitors, 20 drivers
    assert "…en nog 17 in `/wi3 report`" in body(post)  # 23 split statements, 6 shown
    assert all(f"…en nog {n} in `/wi3 report`" in work for n in hidden)  # where the rest is


def test_dutch_and_english_posts_say_the_same_in_their_own_words() -> None:
    result = team(by_phase(4, 4, 2), barriers=[["time"]] * 3)
    en, nl = results_post("en", outcome(result)), results_post("nl", outcome(result))
    assert len(en["blocks"]) == len(nl["blocks"])
    assert "*Value*  `▰▰▰ ▰▰▰ ▰▱▱ ▱▱▱` 2.4 · Facilitating" in body(en)
    assert "*Waarde*  `▰▰▰ ▰▰▰ ▰▱▱ ▱▱▱` 2,4 · Faciliterend" in body(nl)
    assert "*Totaalfase: faciliterend*" in body(nl)
    assert "*Waarde* · van faciliterend naar strategisch" in body(nl)
    assert "Wat jullie nog scheidt van de volgende fase" in body(nl)
    assert "6 van 8 hebben geantwoord" in body(nl)
    assert "• Tijd voor delen telt mee in de beoordeling: 2,0 · _ook door het team als rem " \
           "aangevinkt_" in body(nl)
    assert "Value" not in body(nl) and "Facilitating" not in body(nl)
    assert " je " not in body(nl).replace("\n", " ")


def test_trend_arrows_against_the_previous_round_about_the_same_subject() -> None:
    previous = team(per_element(waarde=(4, 3, 2), impact=(4, 4, 4), innovatie=(4, 4, 2),
                                investering=(4, 4, 2)))
    current = team(per_element(waarde=(4, 4, 2), impact=(4, 4, 2), innovatie=(4, 4, 2),
                               investering=(4, 4, 2)))
    post = results_post("en", outcome(current, previous=previous, previous_closed_at=EARLIER))
    lines = sections(post)[1].splitlines()
    assert lines[0].endswith("· Facilitating · ↑ +0.6")  # 1.8 -> 2.4
    assert lines[1].endswith("· Facilitating · ↓ -0.6")  # 3.0 -> 2.4
    assert lines[2].endswith("· Facilitating · → no clear change")
    legend = body(post)
    assert "Arrows compare with the round of <!date^1706788800^" in legend
    assert "about the same subject" in legend


def test_no_arrows_before_there_is_a_previous_round() -> None:
    text = body(results_post("en", outcome(team(by_phase(4, 4, 2)))))
    assert "↑" not in text and "↓" not in text and "no clear change" not in text


def test_pulse_shows_change_since_last_pulse_and_last_diagnostic() -> None:
    last_pulse = team(by_phase(4, 4, 1))
    diagnostic = team(by_phase(4, 3, 1))
    pulse = team(by_phase(4, 4, 2))
    post = pulse_post("en", outcome(pulse, kind="pulse", previous=last_pulse),
                      basis="diagnostic", last_diagnostic=diagnostic)
    text = body(post)
    assert post["blocks"][0]["text"]["text"] == "WI3 pulse: our wiki"
    assert ("*Value*  `▰▰▰ ▰▰▰ ▰▱▱ ▱▱▱` 2.4 · Facilitating · since last pulse ↑ +0.4 · "
            "since the diagnostic ↑ +0.6") in text
    assert "What to build on" not in text
    assert "*💡 Focus on Value:*" in text


def test_a_hostile_subject_cannot_ping_the_channel() -> None:
    post = results_post("en", outcome(team(by_phase(4, 4, 2)), subject="<!channel> & <@U1>"))
    assert "<!channel>" not in post["text"]
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in post["text"]
    mrkdwn = [b for b in post["blocks"] if b["type"] != "header"]
    assert "<!channel>" not in str(mrkdwn)


def test_an_inhibitor_the_team_confirmed_is_never_hidden_under_and_more() -> None:
    answers = by_phase(4, 4, 3, V2=1, V3=1, V4=2, V7=3)  # V7 has the smallest gap
    result = team(answers, barriers=[["skills"]] * 3)
    investment = next(s for s in sections(results_post("en", outcome(result)))
                      if s.startswith("*Investment* · from"))
    assert "• Colleagues know how to use the tools: 3.0 · _also ticked as a barrier_" in (
        investment)
    assert "…and" not in investment  # the fourth is the confirmed one: shown, not hidden
