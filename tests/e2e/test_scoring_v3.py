"""Issue 22's six teams, end to end: people answer in Slack (the emulated one, over HTTP with
signed requests), a lead closes the round, and the channel's post (and the lead's guide)
read as scoring v3 says (wi3-instrument.md §3.7).

1. Ten people at exactly 3.5 on the facilitating statements, then one answer lower: at
   most one phase apart, Value "on the edge", and no clear change between the rounds.
2. Five people split on Value, then one of the two raises their answers: the first
   headline names no phase ("divided on Value"), the second a phase; never lower.
3. Six people unanimous at 2 on Value's facilitating statements, most "don't know" on its
   pioneering one: not above pioneering, as a stated range.
4. Three people at 5 everywhere, one "don't know" on Value's strategic statement: no
   bottleneck, a range up to strategic.
5. Seven people at 5 everywhere, three at 1: a minority line.
6. A barrier ticked by one person confirms nothing; the guide lists every barrier it
   relies on.

Each team has its own channel of English-speaking people, led by the first of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bot.emulator import SlackDriver, SlackEmulator, Workspace, sample_workspace
from model import Element, Phase, load_content
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, guide_to, in_order

ITEMS = load_content().questionnaire.items
Answers = list[int | None]


@pytest.fixture
def workspace() -> Workspace:
    """The seeded workspace plus a channel per team below, each with its own people."""
    workspace = sample_workspace()
    for channel, size in TEAMS.items():
        people = people_of(channel, size)
        for n, user in enumerate(people):
            workspace.add_user(user, f"{channel.lower()}-{n}", real_name=f"Person {n}",
                               locale="en-US", tz="Europe/London")
        workspace.add_channel(channel, channel.lower(), people)
    return workspace


TEAMS = {"C0TEAMONE": 10, "C0TEAMTWO": 5, "C0TEAMTRI": 6, "C0TEAMFOR": 3, "C0TEAMFIV": 10,
         "C0TEAMSIX": 5}


def people_of(channel: str, size: int) -> list[str]:
    return [f"U{channel[2:7]}{n:03d}" for n in range(size)]


def by_phase(p1: int | None, p2: int | None, p3: int | None, **overrides: int | None
             ) -> Answers:
    """Answers in questionnaire order, by phase tag, with some statements overridden."""
    score = {Phase.PIONEERING: p1, Phase.FACILITATING: p2, Phase.STRATEGIC: p3}
    return [overrides.get(item.id, score[item.phase]) for item in ITEMS]


def play_round(
    driver: SlackDriver, emulator: SlackEmulator, channel: str, answers: Sequence[Answers],
    *, barriers: Sequence[Sequence[str]] | None = None,
) -> tuple[str, str]:
    """Everyone in the channel answers (the lead first), the lead closes the round:
    (the close reply, the results post's text, one line per line as Slack shows it)."""
    people = people_of(channel, len(answers))
    lead = people[0]
    driver.command(lead, channel, "start our wiki")
    for n, (user, given) in enumerate(zip(people, answers, strict=True)):
        ticks = barriers[n] if barriers is not None else ()
        answer_all(driver, emulator, user, in_order(given), checklist=ticks)
    before = len(emulator.responses())
    driver.command(lead, channel, "close")
    reply = "\n".join(r.body.get("text", "") for r in emulator.responses()[before:])
    post = [m for m in emulator.messages_to(channel)
            if m.blocks and m.blocks[0]["type"] == "header"][-1]
    return reply, "\n".join(_texts(post.blocks))


def _texts(blocks: Sequence[dict[str, Any]]) -> list[str]:
    found = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return found


def setup(driver: SlackDriver, channel: str, size: int) -> str:
    lead = people_of(channel, size)[0]
    driver.command(lead, channel, "setup")
    return lead


def element_line(post: str, name: str) -> str:
    """The element's line in the post."""
    return next(line for line in post.splitlines() if line.startswith(f"*{name}*  `"))


def headline(post: str) -> str:
    """The headline's three lines (the section after the participation line)."""
    lines = post.splitlines()
    start = next(n for n, line in enumerate(lines)
                 if line.startswith(("*Overall phase", "*The team is divided")))
    return "\n".join(lines[start:start + 3])


def test_one_answer_of_ten_people_moves_the_headline_one_phase_at_most(
    driver: SlackDriver, emulator: SlackEmulator, clock: FakeClock,
) -> None:
    channel, size = "C0TEAMONE", TEAMS["C0TEAMONE"]
    setup(driver, channel, size)
    team = [by_phase(5, 4 if n < 5 else 3, 5) for n in range(size)]
    _, first = play_round(driver, emulator, channel, team)
    clock.advance(days=60)
    team[0][[item.id for item in ITEMS].index("W2")] = 3
    reply, second = play_round(driver, emulator, channel, team)
    assert headline(first).startswith("*Overall phase: facilitating*")
    assert headline(second).startswith("*Overall phase: pioneering*")  # one phase apart
    assert "Bottleneck" not in second and "Uneven growth" not in second
    assert element_line(second, "Value") == (
        "*Value*  `▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱` 1.9 · Pioneering · _on the edge between pioneering and "
        "facilitating_ · → no clear change")
    assert "Round closed. 10 of 10 answered (10 finished)." in reply
    assert "10 of 10 answered (10 finished)" in second


def test_raising_answers_on_a_split_element_never_lowers_the_headline(
    driver: SlackDriver, emulator: SlackEmulator, clock: FakeClock,
) -> None:
    channel, size = "C0TEAMTWO", TEAMS["C0TEAMTWO"]
    setup(driver, channel, size)
    value = {item.id for item in ITEMS if item.element == Element.WAARDE}

    def team(second_low: int) -> list[Answers]:
        return [[v if item.id in value else 5 for item in ITEMS]
                for v in (4, 4, 4, 2, second_low)]

    _, split = play_round(driver, emulator, channel, team(2))
    clock.advance(days=60)
    _, raised = play_round(driver, emulator, channel, team(3))
    assert headline(split).startswith(
        "*The team is divided on Value*, so no overall phase is named. The other elements "
        "are at least strategic.")
    assert "Overall phase" not in split
    assert "*Value* is clearly furthest behind, and the team is divided on it" in split
    assert element_line(split, "Value").startswith(
        "*Value*  `▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱` 1.8 · 💬 the team is divided")  # it keeps its place
    assert headline(raised).startswith("*Overall phase: pioneering*")  # a phase, not lower
    assert element_line(raised, "Value").startswith("*Value*  `▰▰▰ ▰▰▱ ▱▱▱ ▱▱▱` 1.9 · Pioneering")


def test_a_unanimous_weak_element_with_missing_answers_reads_as_a_range(
    driver: SlackDriver, emulator: SlackEmulator,
) -> None:
    channel, size = "C0TEAMTRI", TEAMS["C0TEAMTRI"]
    lead = setup(driver, channel, size)
    team = [by_phase(4, 4, 4, W1=None if n < 4 else 4, W2=2, W3=2, W4=2) for n in range(size)]
    _, post = play_round(driver, emulator, channel, team)
    assert headline(post).startswith(
        "*Overall phase: getting started or pioneering*: too few answers on Value.")
    assert element_line(post, "Value") == (
        "*Value*  `▰▰▱ ▱▱▱ ▱▱▱ ▱▱▱` 0.6–1.4 · Getting started or pioneering (too few answers on "
        "its pioneering statements)")
    guide = guide_to(emulator, lead).visible_text()
    assert "Nothing here scored below the bar" not in guide
    assert "Value · from getting started to pioneering" in guide.replace("*", "")
    assert "We can name concrete benefits: 2.0" in guide


def test_one_missing_answer_names_no_bottleneck(
    driver: SlackDriver, emulator: SlackEmulator,
) -> None:
    channel, size = "C0TEAMFOR", TEAMS["C0TEAMFOR"]
    setup(driver, channel, size)
    team = [by_phase(5, 5, 5, W5=None), by_phase(5, 5, 5), by_phase(5, 5, 5)]
    reply, post = play_round(driver, emulator, channel, team)
    assert headline(post) == (
        "*Overall phase: facilitating or strategic*: too few answers on Value.\n"
        "Already further: 3 of the 4 elements.\n"
        "No single bottleneck: no element is clearly behind all the others.")
    assert "Bottleneck" not in post
    assert "Round closed. 3 of 3 answered (3 finished)." in reply


def test_a_minority_that_disagrees_with_everything_is_told_to_the_team(
    driver: SlackDriver, emulator: SlackEmulator,
) -> None:
    channel, size = "C0TEAMFIV", TEAMS["C0TEAMFIV"]
    setup(driver, channel, size)
    team = [by_phase(5, 5, 5) for _ in range(7)] + [by_phase(1, 1, 1) for _ in range(3)]
    _, post = play_round(driver, emulator, channel, team)
    assert headline(post).startswith("*Overall phase: facilitating*")
    for name in ("Value", "Impact", "Innovation", "Investment"):
        assert f"👥 *3 of 10* see {name} much lower. Worth hearing them out." in post


def test_a_barrier_one_person_ticked_confirms_nothing_and_the_guide_lists_what_it_uses(
    driver: SlackDriver, emulator: SlackEmulator,
) -> None:
    channel, size = "C0TEAMSIX", TEAMS["C0TEAMSIX"]
    lead = setup(driver, channel, size)
    team = [by_phase(4, 4, 4, W2=3, W3=3, W4=3, V2=2, V3=2, V4=2, V7=2) for _ in range(size)]
    ticks = [["time", "security", "integration"], ["time", "security", "integration"],
             ["time", "security", "skills"], ["integration", "skills", "roi"], []]
    _, post = play_round(driver, emulator, channel, team, barriers=ticks)
    assert "• We can name concrete benefits: 3.0\n" in post  # "Proving ROI" ticked once
    assert "• Colleagues know how to use the tools: 2.0 · _also ticked as a barrier_" in post
    guide = guide_to(emulator, lead).visible_text().replace("*", "")
    assert "Colleagues know how to use the tools: 2.0 · _also ticked as a barrier_" in guide
    assert ("Holds us back most (4 people answered): Time (3) · Security, IT policy (3) · "
            "Integration with other systems (3) · Skills (2)") in guide

