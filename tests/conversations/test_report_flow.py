"""`/wi3 report` as a flow: which round, who may ask, and what comes back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Reply, UploadFile
from conversations.report.document import Commitment
from conversations.report.flow import ReportFlow
from conversations.results.closing import ClosingFlow
from conversations.results.outcome import RoundOutcome
from model import load_content
from storage import Store, Team, open_store
from tests.conftest import FakeClock
from tests.conversations.report_helpers import pdf_text, squash
from tests.model.conftest import by_phase

CONTENT = load_content()
ITEM_IDS = [item.id for item in CONTENT.questionnaire.items]
WS, CHANNEL, LEAD, MEMBER = "T0REPORT", "C0REPORT", "U0LEAD000", "U0MEMBER0"
LEAD_CALLER = Caller(WS, LEAD, "en", CHANNEL)


@pytest.fixture
def store(tmp_path: object, clock: FakeClock) -> Iterator[Store]:
    with open_store(str(tmp_path), clock=clock) as opened:
        opened.save_team(Team(WS, CHANNEL, leads=(LEAD,), language="nl"))
        yield opened


def team(store: Store) -> Team:
    found = store.get_team(WS, CHANNEL)
    assert found is not None
    return found


def play(store: Store, clock: FakeClock, scores: Sequence[dict[str, int | None]],
         subject: str | None = None, kind: str = "diagnostic") -> str:
    """A round about `subject` that these people answer; closed a week later."""
    users = [f"U0P{n:06d}" for n in range(len(scores))]
    round_ = store.open_round(WS, CHANNEL, invited=users, item_ids=ITEM_IDS, at=clock(),
                              subject=subject, kind=kind)  # type: ignore[arg-type]
    for user, answers in zip(users, scores, strict=True):
        store.record_answers(round_.id, user, answers)
        store.mark_finished(round_.id, user)
    clock.advance(days=7)
    ClosingFlow(store, CONTENT, clock).close(round_.id)
    clock.advance(days=1)
    return round_.id


def only_reply(out: Sequence[object]) -> str:
    assert not [o for o in out if isinstance(o, UploadFile)]
    (reply,) = out
    assert isinstance(reply, Reply)
    return str(reply.message["text"])


def the_pdf(out: Sequence[object]) -> UploadFile:
    (upload,) = [o for o in out if isinstance(o, UploadFile)]
    return upload


def test_the_last_closed_round_comes_by_dm_in_the_team_language(
    store: Store, clock: FakeClock
) -> None:
    play(store, clock, [by_phase(4, 4, 2)] * 3, subject="our wiki")
    out = ReportFlow(store, CONTENT, clock).report(LEAD_CALLER, team(store),
                                                   channel_name=lambda: "team-wiki")
    upload = the_pdf(out)
    assert (upload.channel_id, upload.user_id) == (None, LEAD)
    assert upload.filename == "wi3-C0REPORT-20261207.pdf"
    text = pdf_text(upload.content)
    assert squash(t("nl", "report.subtitle", team="#team-wiki", subject="our wiki")) in text
    assert squash(CONTENT.questionnaire.items[0].text.nl) in text
    (reply,) = [o for o in out if isinstance(o, Reply)]
    assert "our wiki" in reply.message["text"] and "DM" in reply.message["text"]


def test_a_member_is_refused_and_an_admin_may(store: Store, clock: FakeClock) -> None:
    play(store, clock, [by_phase(4, 4, 2)] * 3)
    flow = ReportFlow(store, CONTENT, clock)
    refusal = only_reply(flow.report(Caller(WS, MEMBER, "en", CHANNEL), team(store)))
    assert f"Only this team's leads (<@{LEAD}>)" in refusal
    admin = Caller(WS, "U0ADMIN00", "en", CHANNEL, is_admin=True)
    assert the_pdf(flow.report(admin, team(store))).user_id == "U0ADMIN00"


def test_without_a_closed_round_it_says_so(store: Store, clock: FakeClock) -> None:
    store.open_round(WS, CHANNEL, invited=["U0P000000"], item_ids=ITEM_IDS, at=clock())
    text = only_reply(ReportFlow(store, CONTENT, clock).report(LEAD_CALLER, team(store)))
    assert text == t("en", "report.no_closed", channel=CHANNEL)


def test_a_withheld_round_gets_no_report(store: Store, clock: FakeClock) -> None:
    play(store, clock, [by_phase(4, 4, 2)] * 2)
    text = only_reply(ReportFlow(store, CONTENT, clock).report(LEAD_CALLER, team(store)))
    assert "2 of 2 answering" in text and "at least 3 people" in text


def test_by_subject_by_round_id_and_what_is_there_when_neither_matches(
    store: Store, clock: FakeClock
) -> None:
    wiki = play(store, clock, [by_phase(4, 4, 2)] * 3, subject="Our Wiki")
    play(store, clock, [by_phase(4, 2, 1)] * 3, subject="the intranet")
    pulse = play(store, clock, [by_phase(4, 4, 2)] * 3, subject="Our Wiki", kind="pulse")
    flow = ReportFlow(store, CONTENT, clock)
    assert squash("Our Wiki") in pdf_text(the_pdf(
        flow.report(LEAD_CALLER, team(store), " our wiki ")).content)
    by_id = the_pdf(flow.report(LEAD_CALLER, team(store), wiki))
    assert by_id.filename == "wi3-C0REPORT-20261207.pdf"
    assert "pulse" in only_reply(flow.report(LEAD_CALLER, team(store), pulse))
    unknown = only_reply(flow.report(LEAD_CALLER, team(store), "yammer"))
    assert "`yammer`" in unknown
    assert unknown.index("the intranet") < unknown.index("Our Wiki")  # newest first
    assert wiki in unknown


def test_other_initiatives_up_to_the_round_stand_beside_it(
    store: Store, clock: FakeClock
) -> None:
    """The article's life cycle: the new intranet starts again at phase 1."""
    first = play(store, clock, [by_phase(4, 4, 2)] * 3, subject="our wiki")
    play(store, clock, [by_phase(4, 2, 1)] * 3, subject="the intranet")
    later = play(store, clock, [by_phase(4, 4, 4)] * 3, subject="Yammer")
    flow = ReportFlow(store, CONTENT, clock)
    chosen = store.get_snapshot(later)
    assert chosen is not None
    columns = flow.initiatives(team(store), chosen)
    assert [o.subject for o in columns] == ["our wiki", "the intranet", "Yammer"]
    assert [o.result.overall for o in columns if o.result] == [2, 1, 3]
    earliest = store.get_snapshot(first)
    assert earliest is not None
    assert flow.initiatives(team(store), earliest) == []  # nothing else existed yet
    text = pdf_text(the_pdf(flow.report(LEAD_CALLER, team(store))).content)
    assert squash(t("nl", "report.initiatives.title")) in text


def test_the_commitments_hook_feeds_the_report(store: Store, clock: FakeClock) -> None:
    play(store, clock, [by_phase(4, 4, 2)] * 3)
    asked: list[tuple[str, str]] = []

    def commitments(of: Team, outcome: RoundOutcome) -> list[Commitment]:
        asked.append((of.channel_id, outcome.round_id))
        return [Commitment("Share one lesson a week", done=True)]

    flow = ReportFlow(store, CONTENT, clock, commitments=commitments)
    text = pdf_text(the_pdf(flow.report(LEAD_CALLER, team(store))).content)
    assert squash("Share one lesson a week") in text
    assert squash(t("nl", "report.commitments.done")) in text
    assert [channel for channel, _ in asked] == [CHANNEL]
