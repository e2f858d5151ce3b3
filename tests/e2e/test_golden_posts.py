"""Golden results posts, end to end: a team answers twice in Slack, and the channel's post
reads as the team should read it, in English and in Dutch.

The post is compared as a Slack client shows it (`bot.tryout.render`). When the wording or
the scoring changes on purpose, `WI3_UPDATE_GOLDEN=1` rewrites the files; read them before
committing, they are the product.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services
from bot.tryout.demo import Profile, profile
from bot.tryout.render import render
from conversations.refs import ActionIds
from model import load_content
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, current_question, in_order, invitation

GOLDEN = Path(__file__).parent / "golden"
ITEMS = load_content().questionnaire.items
KAI = MEMBERS[3]
PEOPLE = (LEAD, *MEMBERS)
FIRST = (profile(1.6, 1.4, 1.6, 1.2), profile(2.0, 1.6, 2.2, 1.3), profile(1.7, 1.5, 1.4, 1.1),
         profile(1.2, 1.0, 1.3, 0.9), profile(1.5, 1.4, 1.7, 1.3, dont_know_rate=0.3))
SECOND = (profile(2.0, 1.7, 1.9, 1.4), profile(2.4, 2.1, 2.6, 1.6), profile(2.1, 1.8, 1.7, 1.3),
          profile(1.4, 1.2, 1.5, 1.0), profile(1.8, 1.6, 2.0, 1.5, dont_know_rate=0.3))
BARRIERS = (["time", "roi"], ["skills", "tool_sprawl"], ["time", "integration"], ["security"],
            ["culture", "roi"])
REASONS: tuple[list[str], ...] = (["share_and_search"], ["distance", "share_and_search"],
                                  ["tooling"], [], ["distance"])


def play_round(driver: SlackDriver, emulator: SlackEmulator, profiles: tuple[Profile, ...],
               seed: int, *, kai_stops_after: int | None = None) -> None:
    """Everyone answers as their profile says (Kai may stop early), then the lead closes."""
    rng = random.Random(seed)
    driver.command(LEAD, TEAM_CHANNEL, "start our wiki")
    for user, person, ticks, why in zip(PEOPLE, profiles, BARRIERS, REASONS, strict=True):
        answers = [person.answer(item, rng) for item in ITEMS]
        if user == KAI and kai_stops_after is not None:
            driver.click(KAI, invitation(emulator, KAI), ActionIds.START)
            for score in answers[:kai_stops_after]:
                action = ActionIds.DONT_KNOW if score is None else ActionIds.answer(score)
                driver.click(KAI, current_question(emulator, KAI), action)
            driver.click(KAI, current_question(emulator, KAI), ActionIds.LATER)
            continue
        answer_all(driver, emulator, user, in_order(answers),
                   checklist=ticks, reasons=why)
    driver.command(LEAD, TEAM_CHANNEL, "close")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_teams_second_round_reads_coherently(
    lang: str, driver: SlackDriver, emulator: SlackEmulator, services: Services,
    clock: FakeClock,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, f"language {lang}")
    play_round(driver, emulator, FIRST, seed=1)
    clock.advance(days=60)
    play_round(driver, emulator, SECOND, seed=2009, kai_stops_after=8)
    post = [m for m in emulator.messages_to(TEAM_CHANNEL)
            if m.blocks and m.blocks[0]["type"] == "header"][-1]
    names = {TEAM_CHANNEL: "team-kennis"}.get
    shown = render(post.blocks, post.text, names, numbered=False).text + "\n"
    path = GOLDEN / f"results_post.{lang}.txt"
    if os.environ.get("WI3_UPDATE_GOLDEN"):
        path.write_text(shown, encoding="utf-8")
    assert shown == path.read_text(encoding="utf-8")
    assert len([u for u in emulator.uploads() if u.filename.endswith(".png")]) == 2
