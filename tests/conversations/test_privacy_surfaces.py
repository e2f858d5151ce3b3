"""No surface ever shows a number computed from fewer than the team's minimum (hypothesis).

Rounds are generated with real respondents and colluders: people who answer only "don't
know" (padding), people who stop early, people who skip the checklist. Then the same
round is played a second time in another store, with different answers on every
statement fewer than the minimum answered 1..5 and different ticks in every checklist
fewer than the minimum ticked anything. If any surface (the results post, status, status
all with its heat map and CSV, App Home, the CSV export, the next pulse's post) showed a
figure computed from those few people, the two would differ somewhere; they must read
exactly the same.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conversations.context import Caller
from conversations.home import HomeFlow
from conversations.outbound import Drawing, Reply, UploadFile
from conversations.pulse import PulseFlow
from conversations.results.closing import ClosingFlow
from conversations.results.reports import ReportsFlow
from model import load_content
from storage import Store, Team, open_store
from tests.ci import in_ci
from tests.conftest import FakeClock

CONTENT = load_content()
ITEM_IDS = [item.id for item in CONTENT.questionnaire.items]
BARRIERS = [o.id for o in CONTENT.questionnaire.barriers]
REASONS = [o.id for o in CONTENT.questionnaire.start_reasons]
WS, CHANNEL, LEAD = "T0PRIVACY", "C0PRIVACY", "U0LEAD000"
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
Answers = dict[str, int | None]

settings.register_profile("wi3-privacy", max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("wi3-privacy-ci", max_examples=100, deadline=None,
                          derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
PRIVACY = settings(settings.get_profile("wi3-privacy-ci" if in_ci() else "wi3-privacy"))
"""The privacy properties' settings: in CI 100 examples that each change a statement fewer
than the minimum answered, drawn the same way every run (derandomised, no example
database), so a CI failure repeats; 10 random ones while developing."""
CASES = PRIVACY.max_examples
"""Examples that change a below-minimum statement, which each property counts."""

answer = st.sampled_from([None, 1, 2, 3, 4, 5])
ticks = st.lists(st.sampled_from(BARRIERS), min_size=1, max_size=3, unique=True)
reasons = st.lists(st.sampled_from(REASONS), min_size=1, max_size=2, unique=True)


@dataclass
class Person:
    """One invited member: their answers (in questionnaire order, so stopping early is a
    prefix), whether they finished, and their checklist (None: never reached or skipped)."""

    answers: Answers
    finished: bool
    barriers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    pulse: Answers = field(default_factory=dict)


@st.composite
def person(draw: st.DrawFn) -> Person:
    full = draw(st.fixed_dictionaries({i: answer for i in ITEM_IDS}))
    kind = draw(st.sampled_from(["full", "full", "stops early", "don't know"]))
    if kind == "don't know":
        full = dict.fromkeys(ITEM_IDS, None)
    if kind == "stops early":
        return Person(dict(list(full.items())[:draw(st.integers(0, len(ITEM_IDS) - 1))]),
                      finished=False)
    barriers = draw(st.one_of(st.just([]), ticks))
    started = draw(st.one_of(st.just([]), reasons))
    pulse = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(ITEM_IDS, answer)))
    return Person(full, True, barriers, started, pulse)


def thin(people: Sequence[Person], minimum: int, of: str = "answers") -> set[str]:
    """Statements fewer than `minimum` people answered 1..5."""
    return {i for i in ITEM_IDS
            if sum(1 for p in people if getattr(p, of).get(i) is not None) < minimum}


def varied(
    people: Sequence[Person], minimum: int, data: st.DataObject
) -> list[Person]:
    """The same people and the same presence of answers; other values wherever fewer
    than `minimum` contributed (statements, pulse statements, each checklist)."""
    thin_items, thin_pulse = thin(people, minimum), thin(people, minimum, "pulse")
    few_barriers = sum(1 for p in people if p.barriers) < minimum
    few_reasons = sum(1 for p in people if p.reasons) < minimum
    other = []
    for p in people:
        answers = {i: data.draw(answer) if i in thin_items and v is not None else v
                   for i, v in p.answers.items()}
        pulse = {i: data.draw(answer) if i in thin_pulse and v is not None else v
                 for i, v in p.pulse.items()}
        barriers = data.draw(ticks) if few_barriers and p.barriers else p.barriers
        started = data.draw(reasons) if few_reasons and p.reasons else p.reasons
        other.append(Person(answers, p.finished, barriers, started, pulse))
    return other


def surfaces(people: Sequence[Person], minimum: int) -> list[str]:
    """Play the round (and a pulse after it) in a fresh store; everything leads read."""
    clock = FakeClock(START)
    users = [f"U0P{n:06d}" for n in range(len(people))]
    lead = Caller(WS, LEAD, "en", CHANNEL, is_admin=True)
    with tempfile.TemporaryDirectory() as data_dir, open_store(data_dir, clock=clock) as store:
        store.save_team(Team(WS, CHANNEL, leads=(LEAD,), min_responses=minimum))
        team = store.get_team(WS, CHANNEL)
        assert team is not None
        closing, reports = ClosingFlow(store, CONTENT, clock), ReportsFlow(store, CONTENT, clock)
        round_ = store.open_round(WS, CHANNEL, invited=users, item_ids=ITEM_IDS, at=clock())
        for user, p in zip(users, people, strict=True):
            _answer(store, round_.id, user, p.answers, p.finished)
            if p.finished:
                store.record_checklist(round_.id, user, p.barriers, p.reasons)
        clock.advance(days=7)
        shown = [_post(closing, round_.id)]
        overview = list(reports.status_all(lead))
        shown += [_reply(reports.status(lead, team)), _reply(overview)]
        shown += [_upload(overview, name) for name in (".csv", ".png")]
        shown.append(str(HomeFlow(store, CONTENT, reports, clock).view(lead)["blocks"]))
        export = next(o for o in reports.export(lead, team) if isinstance(o, UploadFile))
        assert isinstance(export.content, bytes)
        shown.append(export.content.decode())
        pulse = PulseFlow(store, CONTENT, clock).open_pulse(team, users, clock())
        for user, p in zip(users, people, strict=True):
            _answer(store, pulse.id, user, {i: p.pulse[i] for i in pulse.item_ids
                                            if i in p.pulse}, p.finished)
        clock.advance(days=2)
        shown.append(_post(closing, pulse.id))
        ids = (round_.id, pulse.id)
    return [re.sub("|".join(map(re.escape, ids)), "ROUND", text) for text in shown]


def _answer(store: Store, round_id: str, user: str, answers: Answers, finished: bool) -> None:
    if answers:
        store.record_answers(round_id, user, answers)
    if finished:
        store.mark_finished(round_id, user)


def _post(closing: ClosingFlow, round_id: str) -> str:
    """Close the round and read the results post its close queued."""
    assert closing.close(round_id)
    published = closing.publication(round_id)
    assert published is not None
    return str(published.message)


def _reply(out: Sequence[Any]) -> str:
    """The answer itself: the first reply (status all then says what comes by DM)."""
    return str(next(o for o in out if isinstance(o, Reply)).message)


def _upload(out: Sequence[Any], suffix: str) -> str:
    """A file sent by DM (the overview's heat map and CSV), with its comment."""
    (upload,) = [o for o in out if isinstance(o, UploadFile) and o.filename.endswith(suffix)]
    content = upload.content.draw() if isinstance(upload.content, Drawing) else upload.content
    return f"{upload.comment}\n{hashlib.sha256(content).hexdigest()}"


def changes_a_thin_statement(people: Sequence[Person], other: Sequence[Person]) -> bool:
    """Whether `other` answers some statement (fewer than the minimum answered) otherwise."""
    return any(o.answers != p.answers for o, p in zip(other, people, strict=True))


@pytest.mark.timeout(600)  # 100 cases in CI: about a minute, several on a loaded machine
def test_no_surface_shows_a_figure_computed_from_fewer_than_the_minimum() -> None:
    exercised = [0]

    @PRIVACY
    @given(st.lists(person(), min_size=1, max_size=7), st.integers(3, 4), st.data())
    def same_surfaces(people: list[Person], minimum: int, data: st.DataObject) -> None:
        other = varied(people, minimum, data)
        assume(changes_a_thin_statement(people, other))
        exercised[0] += 1
        assert surfaces(other, minimum) == surfaces(people, minimum)

    same_surfaces()
    assert exercised[0] >= CASES


def test_the_check_would_see_a_leak() -> None:
    """The comparison is sharp: a statement three people answered, changed, shows."""
    three = [Person(dict.fromkeys(ITEM_IDS, 4), True) for _ in range(3)]
    changed = [Person(dict(p.answers, W5=1), True) for p in three]
    assert surfaces(changed, 3) != surfaces(three, 3)
