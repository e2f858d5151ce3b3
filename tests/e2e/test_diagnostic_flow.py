"""The diagnostic as people live it in Slack: setup, start, answer in DMs, results."""

from __future__ import annotations

import pytest

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import DEACTIVATED, LEAD, MEMBERS, OTHER_BOT, TEAM_CHANNEL
from bot.emulator.server import RESPONSE_URL
from bot.services import Services
from conversations.refs import ActionIds
from tests.e2e.helpers import answer_all, current_question, invitation, progress_line

ALEX, SAMI, NOOR, KAI = MEMBERS


def start_round(driver: SlackDriver, subject: str = "our wiki") -> None:
    assert driver.command(LEAD, TEAM_CHANNEL, "setup").status == 200
    assert driver.command(LEAD, TEAM_CHANNEL, f"start {subject}").status == 200


def test_setup_makes_the_channel_a_team_and_is_harmless_to_repeat(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    first, second = [r.body for r in emulator.responses()[-2:]]
    assert "WI3-team" in first["text"] or "WI3 team" in first["text"]
    assert "al een WI3-team" in second["text"]  # Lotte's Slack is in Dutch


def test_start_invites_every_human_member_once_by_dm(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    start_round(driver)
    invited = {user for user in [LEAD, *MEMBERS, DEACTIVATED, OTHER_BOT]
               if emulator.messages_to(user)}
    assert invited == {LEAD, *MEMBERS}
    for user in [LEAD, *MEMBERS]:
        assert len(emulator.messages_to(user)) == 1
    start_button = invitation(emulator, ALEX).buttons()[0][1]
    assert start_button["action_id"] == ActionIds.START
    assert start_button["style"] == "primary"
    assert "our wiki" in emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()


def test_invitations_follow_each_persons_language(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    start_round(driver)
    assert "Start" in invitation(emulator, NOOR).visible_text()
    assert "privé" in invitation(emulator, NOOR).visible_text()
    assert "private" in invitation(emulator, ALEX).visible_text()


def test_a_member_answers_question_by_question_in_place(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    start_round(driver)
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    assert progress_line(question) == "Statement 1 of 23 · Value · about _our wiki_"
    driver.click(ALEX, question, ActionIds.answer(4))
    moved = emulator.message(question.channel, question.ts)
    assert progress_line(moved) == "Statement 2 of 23 · Value · about _our wiki_"
    assert moved.edits == 1


def test_back_dont_know_finish_later_and_resume(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    start_round(driver)
    driver.click(SAMI, invitation(emulator, SAMI), ActionIds.START)
    question = current_question(emulator, SAMI)
    driver.click(SAMI, question, ActionIds.answer(5))
    driver.click(SAMI, question, ActionIds.DONT_KNOW)
    now = emulator.message(question.channel, question.ts)
    assert progress_line(now) == "Statement 3 of 23 · Value · about _our wiki_"
    driver.click(SAMI, now, ActionIds.BACK)
    back = emulator.message(question.channel, question.ts)
    assert progress_line(back) == "Statement 2 of 23 · Value · about _our wiki_"
    assert "Your answer so far: Don't know" in back.visible_text()
    driver.click(SAMI, back, ActionIds.answer(2))
    driver.click(SAMI, emulator.message(question.channel, question.ts), ActionIds.LATER)
    paused = emulator.message(question.channel, question.ts)
    assert "Paused at statement 3 of 23" in paused.visible_text()
    driver.click(SAMI, paused, ActionIds.START)
    resumed = current_question(emulator, SAMI)
    assert progress_line(resumed) == "Statement 3 of 23 · Value · about _our wiki_"


def test_double_clicks_and_stale_buttons_never_skip_a_question(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    start_round(driver)
    driver.click(KAI, invitation(emulator, KAI), ActionIds.START)
    question = current_question(emulator, KAI)
    old = emulator.message(question.channel, question.ts)
    driver.click_as_seen(KAI, old, ActionIds.answer(3))
    driver.click_as_seen(KAI, old, ActionIds.answer(3))  # a double click
    driver.click_as_seen(KAI, old, ActionIds.answer(5))  # the old question, another answer
    now = emulator.message(question.channel, question.ts)
    assert progress_line(now) == "Statement 2 of 23 · Value · about _our wiki_"
    round_ = services.store.open_round_for(emulator.workspace.team_id, TEAM_CHANNEL)
    assert round_ is not None
    assert services.store.answers_of(round_.id, KAI) == {"W1": 3}
    assert [r for r in emulator.responses()  # the message says it, no notice besides
            if r.user == KAI and r.outcome != "replace_original"] == []


@pytest.mark.parametrize("again", [4, 2], ids=["same-answer", "another-answer"])
def test_a_question_left_behind_by_a_failed_update_moves_on_at_the_next_click(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, again: int
) -> None:
    start_round(driver)
    driver.click(ALEX, invitation(emulator, ALEX), ActionIds.START)
    question = current_question(emulator, ALEX)
    # The answer is saved, then the update fails (as when the bot is killed in between).
    emulator.fail_next(RESPONSE_URL, error="internal_error", status=500)
    driver.click(ALEX, question, ActionIds.answer(4))
    stuck = emulator.message(question.channel, question.ts)
    assert progress_line(stuck).startswith("Statement 1 of 23 · Value")
    driver.click(ALEX, stuck, ActionIds.answer(again))
    assert progress_line(emulator.message(question.channel, question.ts)).startswith(
        "Statement 2 of 23 · Value")
    round_ = services.store.open_rounds()[0]
    assert services.store.answers_of(round_.id, ALEX) == {"W1": 4}


def test_finishing_gives_the_checklist_then_a_personal_summary(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    start_round(driver)
    final = answer_all(driver, emulator, ALEX, 5, checklist=["time", "budget"])
    text = final.visible_text()
    assert "Thank you! Your personal summary" in text
    assert "Strategic" in text
    assert f"<#{TEAM_CHANNEL}>" in text
    round_ = services.store.open_round_for(emulator.workspace.team_id, TEAM_CHANNEL)
    assert round_ is not None
    assert services.store.has_finished(round_.id, ALEX)
    assert [c.barriers for c in services.store.all_checklists(round_.id)] == [("time", "budget")]


def test_a_subject_cannot_ping_the_channel_or_fake_a_link(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    start_round(driver, subject="<!channel> <http://evil.example|our wiki>")
    announcement = emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()
    invite = invitation(emulator, ALEX).visible_text()
    for text in (announcement, invite):
        assert "<!channel>" not in text and "<http://evil" not in text
        assert "&lt;!channel&gt;" in text


def test_a_large_channel_is_read_from_the_directory_not_person_by_person(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    people = [f"U0BIG{n:04d}" for n in range(120)]
    for n, user in enumerate(people):
        emulator.workspace.add_user(user, f"big{n}", locale="nl-NL" if n % 2 else "en-US",
                                    is_bot=n % 40 == 0)
    emulator.workspace.add_channel("C0BIGTEAM", "big-team", [LEAD, *people])
    driver.command(LEAD, "C0BIGTEAM", "setup")
    emulator.reset_calls()
    driver.command(LEAD, "C0BIGTEAM", "start")
    assert len(emulator.calls("users.info")) <= 2
    assert len(emulator.calls("users.list")) >= 1
    round_ = services.store.open_round_for(emulator.workspace.team_id, "C0BIGTEAM")
    assert round_ is not None and len(round_.invited) == 1 + 120 - 3  # three bots left out
    assert "Start" in invitation(emulator, people[1]).visible_text()
    assert "privé" in invitation(emulator, people[1]).visible_text()
