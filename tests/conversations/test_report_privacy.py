"""The report shows nothing computed from fewer than the team's minimum (hypothesis).

As in `test_privacy_surfaces`: a round is played twice, the second time with other answers
wherever fewer than the minimum answered a statement (or ticked a checklist). The report
of both must be the same PDF, byte for byte (text, bars, radar), or the same refusal.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conversations.context import Caller
from conversations.outbound import Drawing, Reply, UploadFile
from conversations.report.flow import ReportFlow
from conversations.results.closing import ClosingFlow
from model import load_content
from storage import Team, open_store
from tests.conftest import FakeClock
from tests.conversations.report_helpers import pdf_text
from tests.conversations.test_privacy_surfaces import Person, _answer, person, varied

CONTENT = load_content()
ITEM_IDS = [item.id for item in CONTENT.questionnaire.items]
WS, CHANNEL, LEAD = "T0PRIVACY", "C0PRIVACY", "U0LEAD000"
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


def report_of(people: Sequence[Person], minimum: int) -> bytes | str:
    """Play the round in a fresh store and ask for its report: the PDF, or the answer."""
    clock = FakeClock(START)
    users = [f"U0P{n:06d}" for n in range(len(people))]
    with tempfile.TemporaryDirectory() as data_dir, open_store(data_dir, clock=clock) as store:
        team = store.save_team(Team(WS, CHANNEL, leads=(LEAD,), min_responses=minimum))
        round_ = store.open_round(WS, CHANNEL, invited=users, item_ids=ITEM_IDS, at=clock())
        for user, p in zip(users, people, strict=True):
            _answer(store, round_.id, user, p.answers, p.finished)
            if p.finished:
                store.record_checklist(round_.id, user, p.barriers, p.reasons)
        clock.advance(days=7)
        ClosingFlow(store, CONTENT, clock).close(round_.id)
        out = ReportFlow(store, CONTENT, clock).report(Caller(WS, LEAD, "en", CHANNEL), team)
    uploads = [o.content for o in out if isinstance(o, UploadFile)]
    if uploads:
        return uploads[0].draw() if isinstance(uploads[0], Drawing) else uploads[0]
    (reply,) = [o for o in out if isinstance(o, Reply)]
    return str(reply.message)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(), min_size=1, max_size=7), st.integers(3, 4), st.data())
def test_the_report_shows_nothing_computed_from_fewer_than_the_minimum(
    people: list[Person], minimum: int, data: st.DataObject
) -> None:
    other = varied(people, minimum, data)
    assume(other != people)
    first, second = report_of(people, minimum), report_of(other, minimum)
    if isinstance(first, bytes) and isinstance(second, bytes):
        assert pdf_text(second) == pdf_text(first)  # the readable difference, if any
    assert second == first


def test_the_check_would_see_a_leak() -> None:
    """Sharp: three people answering a statement differently changes the PDF."""
    three = [Person(dict.fromkeys(ITEM_IDS, 4), True) for _ in range(3)]
    changed = [Person(dict(p.answers, W5=1), True) for p in three]
    first, second = report_of(three, 3), report_of(changed, 3)
    assert isinstance(first, bytes) and isinstance(second, bytes)
    assert pdf_text(second) != pdf_text(first)
