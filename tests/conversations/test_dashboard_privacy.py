"""No dashboard page shows a figure computed from fewer than the team's minimum: the same
differential property as the Slack surfaces (test_privacy_surfaces.py), on every page.

The same round is played twice with different answers wherever fewer than the minimum
answered (statements, pulse statements, each checklist); every page an admin, a lead and
a member of the team can open (the organisation, the team, each round, where the team
stands among five others) must read exactly the same in both.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conversations.dashboard import render
from conversations.dashboard.access import Viewer
from conversations.dashboard.flow import DashboardFlow, Refusal
from conversations.pulse import PulseFlow
from conversations.results.closing import ClosingFlow
from storage import Store, Team, open_store
from tests.conftest import FakeClock
from tests.conversations.test_privacy_surfaces import (
    CHANNEL,
    CONTENT,
    ITEM_IDS,
    LEAD,
    START,
    WS,
    Person,
    _answer,
    person,
    varied,
)

OTHERS = [f"C0OTHER{n:02d}" for n in range(5)]
ADMIN = "U0ADMIN00"


def pages(people: Sequence[Person], minimum: int) -> list[str]:
    """Play the round and a pulse after it, beside five other teams; render every page."""
    clock = FakeClock(START)
    users = [f"U0P{n:06d}" for n in range(len(people))]
    with tempfile.TemporaryDirectory() as data_dir, open_store(data_dir, clock=clock) as store:
        closing = ClosingFlow(store, CONTENT, clock)
        for n, channel in enumerate(OTHERS):
            _other_team(store, closing, clock, channel, level=1 + n % 5)
        store.save_team(Team(WS, CHANNEL, leads=(LEAD,), min_responses=minimum))
        team = store.get_team(WS, CHANNEL)
        assert team is not None
        round_ = store.open_round(WS, CHANNEL, invited=users, item_ids=ITEM_IDS, at=clock())
        for user, p in zip(users, people, strict=True):
            _answer(store, round_.id, user, p.answers, p.finished)
            if p.finished:
                store.record_checklist(round_.id, user, p.barriers, p.reasons)
        clock.advance(days=7)
        assert closing.close(round_.id)
        store.mark_results_posted(round_.id)
        pulse = PulseFlow(store, CONTENT, clock).open_pulse(team, users, clock())
        for user, p in zip(users, people, strict=True):
            _answer(store, pulse.id, user, {i: p.pulse[i] for i in pulse.item_ids
                                            if i in p.pulse}, p.finished)
        clock.advance(days=2)
        assert closing.close(pulse.id)
        store.mark_results_posted(pulse.id)
        shown = _rendered(DashboardFlow(store, CONTENT, clock), (round_.id, pulse.id), users)
        ids = (round_.id, pulse.id)
    return [re.sub("|".join(map(re.escape, ids)), "ROUND", text) for text in shown]


def _other_team(store: Store, closing: ClosingFlow, clock: FakeClock, channel: str,
                level: int) -> None:
    store.save_team(Team(WS, channel, leads=("U0OTHERLD",)))
    others = [f"U0{channel}{k}" for k in range(4)]
    round_ = store.open_round(WS, channel, invited=others, item_ids=ITEM_IDS, at=clock())
    for k, user in enumerate(others):
        store.record_answers(round_.id, user, {i: min(max(level + (k + j) % 3 - 1, 1), 5)
                                               for j, i in enumerate(ITEM_IDS)})
        store.mark_finished(round_.id, user)
    assert closing.close(round_.id)


def _rendered(flow: DashboardFlow, rounds: Sequence[str], users: Sequence[str]) -> list[str]:
    admin = Viewer(WS, ADMIN, "en", is_admin=True)
    lead, member = Viewer(WS, LEAD, "nl"), Viewer(WS, users[0], "en")
    shown: list[str] = []
    for viewer in (admin, lead, member):
        chrome = render.Chrome(viewer.lang, True, viewer.user_id, "csrf", viewer.is_admin)
        shown.append(render.home_page(chrome, flow.home(viewer)))
        found = flow.organisation(viewer, {})
        shown.append(str(found) if isinstance(found, Refusal)
                     else render.organisation_page(chrome, found, CONTENT))
        team = flow.team(viewer, CHANNEL)
        shown.append(str(team) if isinstance(team, Refusal) else render.team_page(chrome, team))
        for round_id in rounds:
            page = flow.round(viewer, round_id)
            shown.append(str(page) if isinstance(page, Refusal)
                         else render.round_page(chrome, page))
        standing = flow.standing(viewer, CHANNEL)
        shown.append(str(standing) if isinstance(standing, Refusal)
                     else render.standing_page(chrome, standing))
    return shown


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(), min_size=1, max_size=7), st.integers(3, 4), st.data())
def test_no_page_shows_a_figure_computed_from_fewer_than_the_minimum(
    people: list[Person], minimum: int, data: st.DataObject
) -> None:
    other = varied(people, minimum, data)
    assume(other != people)  # something only a few contributed was actually changed
    assert pages(other, minimum) == pages(people, minimum)


def test_the_check_would_see_a_leak() -> None:
    """The comparison is sharp: a statement three people answered, changed, shows."""
    three = [Person(dict.fromkeys(ITEM_IDS, 4), True) for _ in range(3)]
    changed = [Person(dict(p.answers, W5=1), True) for p in three]
    assert pages(changed, 3) != pages(three, 3)
