"""The DM views as plain dicts: what a respondent sees, within Slack's limits."""

from datetime import UTC, datetime
from typing import Any

import pytest

from conversations.i18n import t
from conversations.refs import ActionIds, BadRef, decode_ref
from conversations.views import diagnostic as views
from conversations.views.about import about_message, about_summary
from conversations.views.common import Message
from conversations.views.help import help_message
from model import ElementInfo, Lang, Phase, PhaseInfo, load_content

DEADLINE = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _actions(message: Message, block_id: str) -> list[dict[str, Any]]:
    block = next(b for b in message["blocks"] if b.get("block_id") == block_id)
    elements: list[dict[str, Any]] = block["elements"]
    return elements


def _question(lang: Lang = "en", **overrides: Any) -> Message:
    content = load_content()
    item = content.questionnaire.item("I2")
    fields: dict[str, Any] = dict(
        round_id="R1", item_id=item.id, statement=item.text.get(lang),
        element_name=content.elements[item.element].name.get(lang), subject="our wiki",
        number=7, total=23,
    )
    fields.update(overrides)
    return views.question(lang, **fields)


def test_question_is_statement_progress_scale_then_navigation() -> None:
    message = _question()
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["section", "context", "actions", "actions"]
    assert "not just a few enthusiasts" in message["blocks"][0]["text"]["text"]
    assert message["blocks"][1]["elements"][0]["text"] == (
        "Statement 7 of 23 · Impact · about _our wiki_")
    scale = _actions(message, "wi3_scale")
    assert [b["action_id"] for b in scale] == [f"wi3_answer_{n}" for n in range(1, 6)]
    assert [b["text"]["text"][0] for b in scale] == ["1", "2", "3", "4", "5"]
    assert "Strongly disagree" in scale[0]["text"]["text"]
    assert "Strongly agree" in scale[4]["text"]["text"]
    nav = _actions(message, "wi3_nav")
    assert [b["action_id"] for b in nav] == [ActionIds.BACK, ActionIds.DONT_KNOW, ActionIds.LATER]


def test_scale_buttons_carry_round_item_and_score() -> None:
    scale = _actions(_question(), "wi3_scale")
    refs = [decode_ref(b["value"], with_score=True) for b in scale]
    assert {(r.round_id, r.item_id) for r in refs} == {("R1", "I2")}
    assert [r.score for r in refs] == [1, 2, 3, 4, 5]


def test_first_question_has_no_back_button() -> None:
    nav = _actions(_question(number=1), "wi3_nav")
    assert ActionIds.BACK not in [b["action_id"] for b in nav]


def test_going_back_shows_and_highlights_the_earlier_answer() -> None:
    message = _question(answered=True, previous=4)
    scale = _actions(message, "wi3_scale")
    assert [b.get("style") for b in scale] == [None, None, None, "primary", None]
    assert any("Your answer so far: 4 · Agree" in str(b) for b in message["blocks"])
    dont_know = _question(answered=True, previous=None)
    assert any("Your answer so far: Don't know" in str(b) for b in dont_know["blocks"])
    assert all(b.get("style") is None for b in _actions(dont_know, "wi3_scale"))


def test_dutch_question() -> None:
    message = _question("nl")
    assert message["blocks"][1]["elements"][0]["text"] == (
        "Stelling 7 van 23 · Impact · over _our wiki_")
    assert "Helemaal oneens" in _actions(message, "wi3_scale")[0]["text"]["text"]
    assert [b["text"]["text"] for b in _actions(message, "wi3_nav")][1:] == [
        "Weet niet", "Later verder"]


def test_invitation_first_button_is_a_primary_start() -> None:
    message = views.invitation(
        "en", round_id="R1", channel_id="C1", lead_id="U1", subject="our wiki",
        question_count=22, deadline=DEADLINE, min_responses=4,
    )
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["action_id"] == ActionIds.START
    assert buttons[0]["style"] == "primary"
    assert buttons[0]["text"]["text"] == "Start"
    text = str(message["blocks"])
    assert "our wiki" in text and "at least 4 people" in text and "<#C1>" in text


def test_checklist_limits_barriers_to_the_maximum() -> None:
    content = load_content()
    q = content.questionnaire
    message = views.checklist(
        "en", round_id="R1",
        barriers=[(o.id, o.label.en) for o in q.barriers], barrier_max=q.barrier_max,
        reasons=[(o.id, o.label.en) for o in q.start_reasons],
    )
    select = _actions(message, "wi3_barriers")[0]
    assert select["type"] == "multi_static_select"
    assert select["max_selected_items"] == 3
    assert len(select["options"]) == 10
    assert _actions(message, "wi3_reasons")[0]["type"] == "checkboxes"
    assert [b["action_id"] for b in _actions(message, "wi3_checklist")] == [
        ActionIds.CHECKLIST_DONE, ActionIds.CHECKLIST_SKIP]


def test_my_answers_splits_long_lists_within_section_limits() -> None:
    lines = {f"Statement {n} " + "x" * 150: "4 · Agree" for n in range(22)}
    message = views.my_answers("en", channel_id="C1", lines=lines)
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
    assert sum(str(b).count("4 · Agree") for b in message["blocks"]) == 22


def test_help_for_a_member_and_for_a_lead() -> None:
    member = str(help_message("en", is_lead=False)["blocks"])
    lead = str(help_message("en", is_lead=True)["blocks"])
    assert "/wi3 forget me" in member and "/wi3 me" in member
    assert "close the open round now" in lead and "close the open round now" not in member


def test_help_names_about_and_says_in_short_what_the_model_is() -> None:
    member = str(help_message("en", is_lead=False)["blocks"])
    assert "`/wi3 about` — the model behind the results" in member
    assert "*About the model*" in member and "de Koning" in member
    assert "not validated research" in member


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_about_explains_elements_phases_authors_and_what_is_ours(lang: Lang) -> None:
    content = load_content()
    message = about_message(lang, content)
    text = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    footer = " ".join(e["text"] for b in message["blocks"] if b["type"] == "context"
                      for e in b["elements"])
    infos: list[ElementInfo | PhaseInfo] = [*content.elements.values(), *content.phases.values()]
    for info in infos:
        assert info.name.get(lang) in text and info.description.get(lang) in text
    assert content.about.intro.get(lang) in text
    assert "Martijn de Koning" in footer and "Tessa van Doremaele" in footer
    assert "Gijsbert van der Sleen" in footer and "Marketingfacts (2009)" in footer
    assert content.about.operationalisation.get(lang) in footer
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"]
               if b["type"] == "section")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_about_credits_the_authors_with_three_phases_and_calls_getting_started_ours(
    lang: Lang,
) -> None:
    content = load_content()
    sections = [b["text"]["text"] for b in about_message(lang, content)["blocks"]
                if b["type"] == "section"]
    theirs = next(s for s in sections if s.startswith(t(lang, "about.phases")))
    ours = next(s for s in sections if s.startswith(t(lang, "about.phases_ours")))
    getting_started = content.phases[Phase.NOT_STARTED].name.get(lang)
    assert getting_started not in theirs and f"0. *{getting_started}*" in ours
    for phase in (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC):
        assert f"{int(phase)}. *{content.phases[phase].name.get(lang)}*" in theirs
    caveat = content.about.operationalisation.get(lang)
    assert getting_started.lower() in caveat.lower()  # named among what is ours
    home = " ".join(about_summary(lang, content))
    assert getting_started not in home.split(caveat)[0]  # not listed as the authors' phase


def test_help_suggests_a_correction() -> None:
    message = help_message("en", is_lead=False, unknown_word="stauts", suggestion="status")
    assert "Did you mean `/wi3 status`?" in message["blocks"][0]["text"]["text"]


@pytest.mark.parametrize("value", ["", "R1", "R1|", "R1|I2|x", "R1|I2|9", "|I2|3"])
def test_tampered_button_values_are_rejected(value: str) -> None:
    with pytest.raises(BadRef):
        decode_ref(value, with_score=True)
