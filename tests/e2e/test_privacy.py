"""No one person is ever readable, end to end over HTTP.

Colleagues who answer only "don't know", or who stop early, must not turn one person's
answers into "team" results on any surface a lead or the channel sees: the results post,
`/wi3 status`, `/wi3 status all` (with its heat map and CSV), `/wi3 report`, App Home, the
CSV export, and a pulse's post.
"""

from __future__ import annotations

import csv
import io
import re

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from conversations.refs import ActionIds
from model import load_content
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, current_question, invitation

ALEX, SAMI, NOOR, KAI = MEMBERS
CONTENT = load_content()
PHASE_WORDS = {p.name.get(lang).lower() for p in CONTENT.phases.values() for lang in ("en", "nl")}
LABELS = {o.label.get(lang) for o in (*CONTENT.questionnaire.barriers,
                                      *CONTENT.questionnaire.start_reasons)
          for lang in ("en", "nl")}
THEMES = {i.theme.get(lang) for i in CONTENT.questionnaire.items for lang in ("en", "nl")}


def open_round(driver: SlackDriver) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "language en")
    driver.command(LEAD, TEAM_CHANNEL, "start")


def posts(emulator: SlackEmulator) -> list[str]:
    return [m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL) if m.visible_text()]


def surfaces(driver: SlackDriver, emulator: SlackEmulator) -> dict[str, str]:
    """Everything a lead and the channel can read about the closed round."""
    found = {"post": posts(emulator)[-1]}
    driver.command(LEAD, TEAM_CHANNEL, "status")
    found["status"] = str(emulator.responses()[-1].body)
    before = len(emulator.responses())
    driver.command(LEAD, TEAM_CHANNEL, "status all")  # Lotte is a workspace admin
    found["status all"] = str([r.body for r in emulator.responses()[before:]])
    heat_map, overview_csv = emulator.uploads()[-2:]
    assert heat_map.filename.endswith(".png") and overview_csv.filename.endswith(".csv")
    found["heat map"] = heat_map.initial_comment
    found["overview csv"] = overview_csv.content.decode()
    driver.command(LEAD, TEAM_CHANNEL, "report")
    found["report"] = str(emulator.responses()[-1].body)
    driver.event("app_home_opened", user=LEAD, tab="home")
    home = emulator.home_view(LEAD)
    assert home is not None
    text = home.visible_text()
    found["home"] = text[:text.index("Over het model")]  # the model's own description aside
    driver.command(LEAD, TEAM_CHANNEL, "export")
    found["export"] = emulator.uploads()[-1].content.decode()
    return found


def assert_no_aggregate(found: dict[str, str]) -> None:
    for name, text in found.items():
        lowered = text.lower()
        for word in (*PHASE_WORDS, "▰", "divided", "verdeeld", "overall phase", "totaalfase"):
            assert word not in lowered, (name, word, text[:300])
        for label in (*LABELS, *THEMES):
            assert label not in text, (name, label)
    rows = list(csv.reader(io.StringIO(found["export"])))
    assert all(row[6:] == ["", "", "", "", ""] for row in rows[1:]), rows


def test_padding_with_dont_know_shows_no_aggregate_anywhere(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    """Two colleagues answer only "don't know" and one answers everything: "3 of 5
    answered", but every statement has one answer, so nothing can be shown."""
    open_round(driver)
    answer_all(driver, emulator, ALEX, 5, checklist=["time", "budget"])
    for colleague in (SAMI, NOOR):
        answer_all(driver, emulator, colleague, None, checklist=[])
    driver.command(LEAD, TEAM_CHANNEL, "close")
    found = surfaces(driver, emulator)
    assert "3 of 5" in found["post"]
    assert "no statement was answered by at least" in found["post"]
    assert_no_aggregate(found)
    assert emulator.uploads()[-1].filename.endswith(".csv")
    assert not [u for u in emulator.uploads()  # no chart, no report
                if u.channel == TEAM_CHANNEL or u.filename.endswith(".pdf")]


def test_stopping_early_behind_dont_know_shows_no_aggregate_anywhere(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    """Three finish with only "don't know"; one answers five statements and stops."""
    open_round(driver)
    for colleague in (SAMI, NOOR, KAI):
        answer_all(driver, emulator, colleague, None, checklist=["time"])
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    for _ in range(5):
        driver.click(ALEX, current_question(emulator, ALEX), ActionIds.answer(5))
    driver.click(ALEX, current_question(emulator, ALEX), ActionIds.LATER)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    found = surfaces(driver, emulator)
    assert "4 of 5" in found["post"]
    assert_no_aggregate(found)


def test_three_real_answers_per_statement_are_enough_and_nothing_below_them_shows(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    """With three people answering, results appear; the statements only two answered
    (the third said "don't know") say "not enough answers" rather than a score."""
    open_round(driver)
    for colleague in (ALEX, SAMI):
        answer_all(driver, emulator, colleague, 4, checklist=["time"])
    answer_all(driver, emulator, NOOR,  # Noor reads Dutch: "Investering"
               lambda n, line: None if "Invest" in line else 4, checklist=["time"])
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = posts(emulator)[-1]
    assert re.search(r"\*Value\*  `▰", post)
    assert ("*Investment*: not enough answers (0 of its 7 statements were answered by at "
            "least 3 people)") in post
    assert "*What the team says holds it back most* (3 people answered)" in post
    assert "Time (3)" in post


def test_a_divided_team_is_told_so(driver: SlackDriver, emulator: SlackEmulator) -> None:
    open_round(driver)
    for colleague in (ALEX, SAMI):
        answer_all(driver, emulator, colleague, 1)
    for colleague in (NOOR, KAI):
        answer_all(driver, emulator, colleague, 5)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    post = posts(emulator)[-1]
    for element in ("Value", "Impact", "Innovation", "Investment"):
        assert f"*{element}*  `▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱` 1.8 · 💬 the team is divided" in post
        assert f"*{element}* · the team is divided" in post
    assert ("*The team is divided on Value, Impact, Innovation and Investment*, so no overall "
            "phase is named.") in post
    assert "Overall phase" not in post
    assert "Talk about these first, before choosing a next step" in post
    assert not any(f"· {word}" in post.lower() for word in PHASE_WORDS)


def test_status_says_how_many_more_must_finish_before_results_can_be_shown(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "minimum 4")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    answer_all(driver, emulator, ALEX, 4)
    driver.command(LEAD, TEAM_CHANNEL, "status")
    status = str(emulator.responses()[-1].body)
    assert "1 van 5 klaar" in status  # Lotte reads Slack in Dutch
    assert "minstens 4 mensen nodig: er moeten er nog *3* klaar zijn" in status


def test_a_pulse_padded_with_dont_know_shows_no_aggregate(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    open_round(driver)
    for colleague in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, colleague, 4)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    driver.command(LEAD, TEAM_CHANNEL, "pulse now")
    answer_all(driver, emulator, ALEX, 1, checklist=None)
    for colleague in (SAMI, NOOR):
        answer_all(driver, emulator, colleague, None, checklist=None)
    clock.advance(days=2, minutes=1)
    assert services.scheduler.tick(clock()) == []
    post = posts(emulator)[-1]
    assert "WI3 round closed" in post and "3 of 5" in post
    assert "no statement was answered by at least" in post
    for word in (*PHASE_WORDS, "▰", "since", "combine"):
        assert word not in post.lower()
