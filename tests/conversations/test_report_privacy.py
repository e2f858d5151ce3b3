"""The report shows nothing computed from fewer than the team's minimum (hypothesis).

As in `test_privacy_surfaces`: a round is played twice, the second time with other answers
wherever fewer than the minimum answered a statement (or ticked a checklist). The report
of both must be the same PDF, byte for byte (text, bars, radar), or the same refusal.

The PDF is drawn by a pure function (`report_pdf`: equal reports give equal bytes, see
`test_report_pdf.py`), so the property compares what the drawing is made from: drawing
takes about two seconds a PDF, and in CI the property plays 100 cases. The sharp test
below draws both PDFs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conversations.context import Caller
from conversations.outbound import Drawing, Reply, UploadFile
from conversations.report.document import Report
from conversations.report.flow import ReportFlow
from conversations.results.closing import ClosingFlow
from model import load_content
from storage import Team, open_store
from tests.conftest import FakeClock
from tests.conversations.report_helpers import pdf_text
from tests.conversations.test_privacy_surfaces import (
    CASES,
    PRIVACY,
    Person,
    _answer,
    changes_a_thin_statement,
    person,
    varied,
)

CONTENT = load_content()
ITEM_IDS = [item.id for item in CONTENT.questionnaire.items]
WS, CHANNEL, LEAD = "T0PRIVACY", "C0PRIVACY", "U0LEAD000"
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


def report_of(people: Sequence[Person], minimum: int) -> Drawing | bytes | str:
    """Play the round in a fresh store and ask for its report: the PDF to draw, or the
    answer."""
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
        return without_round_id(uploads[0])
    (reply,) = [o for o in out if isinstance(o, Reply)]
    return str(reply.message)


def without_round_id(pdf: Drawing | bytes) -> Drawing | bytes:
    """The drawing with the round's id (random, never printed) made the same for all."""
    if not isinstance(pdf, Drawing) or not isinstance(pdf.args[0], Report):
        return pdf
    report = pdf.args[0]
    same = replace(report, outcome=replace(report.outcome, round_id="ROUND"))
    return replace(pdf, args=(same, *pdf.args[1:]))


@pytest.mark.timeout(600)  # 100 cases in CI
def test_the_report_shows_nothing_computed_from_fewer_than_the_minimum() -> None:
    exercised = [0]

    @PRIVACY
    @given(st.lists(person(), min_size=1, max_size=7), st.integers(3, 4), st.data())
    def same_report(people: list[Person], minimum: int, data: st.DataObject) -> None:
        other = varied(people, minimum, data)
        assume(changes_a_thin_statement(people, other))
        exercised[0] += 1
        first, second = report_of(people, minimum), report_of(other, minimum)
        if isinstance(first, Drawing) and isinstance(second, Drawing) and first != second:
            assert pdf_text(second.draw()) == pdf_text(first.draw())  # what reads otherwise
        assert second == first

    same_report()
    assert exercised[0] >= CASES


def test_the_check_would_see_a_leak() -> None:
    """Sharp: three people answering a statement differently changes the PDF."""
    three = [Person(dict.fromkeys(ITEM_IDS, 4), True) for _ in range(3)]
    changed = [Person(dict(p.answers, W5=1), True) for p in three]
    first, second = report_of(three, 3), report_of(changed, 3)
    assert isinstance(first, Drawing) and isinstance(second, Drawing)
    assert first != second
    assert pdf_text(second.draw()) != pdf_text(first.draw())
