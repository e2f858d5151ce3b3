"""`/wi3 report [subject or round id]`: a closed round's PDF, by DM to the lead who asked.

Which round: the team's last closed diagnostic; or the last one about the subject named;
or the round with the id named. Every outcome comes through the history and its privacy
gate, exactly as the channel post did, so a round whose result is withheld gets a clear
answer and no PDF. Beside the round, the report shows the team's other initiatives (the
last round about each other subject, up to this round's date) and, through the
`CommitmentsFor` hook, the team's commitments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from conversations.context import Caller
from conversations.diagnostic import subject_text
from conversations.i18n import t
from conversations.outbound import Drawing, Outbound, Reply, UploadFile
from conversations.report.document import Commitment, Report, day
from conversations.results.history import History, same_subject, subject_key
from conversations.results.outcome import RoundOutcome, Withheld
from conversations.team import may_manage, refusal
from conversations.views.common import mrkdwn_escape
from conversations.views.diagnostic import notice
from model import Content
from storage import ResultSnapshot, Store, Team

Clock = Callable[[], datetime]
ChannelName = Callable[[], str | None]
CommitmentsFor = Callable[[Team, RoundOutcome], Sequence[Commitment]]
"""The team's commitments made after a round, with their follow-up, for its report."""
LISTED_ROUNDS = 5
"""Closed rounds named when the one asked for is not found (newest first)."""


def no_commitments(team: Team, outcome: RoundOutcome) -> Sequence[Commitment]:
    """Until the team can make commitments there are none, and the report says nothing."""
    return ()


def unnamed() -> str | None:
    return None


class ReportFlow:
    def __init__(self, store: Store, content: Content, clock: Clock,
                 commitments: CommitmentsFor = no_commitments) -> None:
        self.content = content
        self.clock = clock
        self.commitments = commitments
        self.history = History(store, content)

    def report(self, caller: Caller, team: Team, wanted: str = "", *,
               channel_name: ChannelName = unnamed) -> list[Outbound]:
        """The PDF by DM and a line saying so; or why there is none (lead or admin only)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        chosen = self.chosen(caller, team, wanted.strip())
        if not isinstance(chosen, ResultSnapshot):
            return chosen
        outcome = self.history.outcome(chosen, team)
        if outcome.result is None:
            return [Reply(notice(withheld_text(caller.lang, outcome)))]
        name = channel_name()
        report = Report(
            lang=team.language,
            team=f"#{name}" if name else team.channel_id,
            outcome=outcome,
            made_at=self.clock(),
            initiatives=tuple(self.initiatives(team, chosen)),
            commitments=tuple(self.commitments(team, outcome)),
        )
        filename = f"wi3-{team.channel_id}-{outcome.closed_at:%Y%m%d}.pdf"
        title = t(team.language, "report.upload_title", subject=outcome.subject)
        return [
            UploadFile(None, caller.user_id, filename,
                       Drawing("conversations.report.pdf:report_pdf", (report, self.content)),
                       title),
            Reply(notice(t(caller.lang, "report.sent", subject=mrkdwn_escape(outcome.subject),
                           date=day(caller.lang, outcome.closed_at)))),
        ]

    def chosen(self, caller: Caller, team: Team, wanted: str) -> ResultSnapshot | list[Outbound]:
        """The round to report on, or the answer that says why there is none."""
        diagnostics = self.history.snapshots(team, "diagnostic")
        if not diagnostics:
            return [Reply(notice(t(caller.lang, "report.no_closed", channel=team.channel_id)))]
        if not wanted:
            return diagnostics[-1]
        for snapshot in self.history.snapshots(team):
            if snapshot.round_id == wanted:
                if snapshot.kind != "diagnostic":
                    return [Reply(notice(t(caller.lang, "report.pulse", id=wanted)))]
                return snapshot
        about = [s for s in diagnostics if same_subject(s.subject, wanted)]
        if about:
            return about[-1]
        rounds = ", ".join(
            t(caller.lang, "report.round_item",
              subject=mrkdwn_escape(subject_text(caller.lang, s.subject)),
              date=day(caller.lang, s.closed_at), id=s.round_id)
            for s in reversed(diagnostics[-LISTED_ROUNDS:]))
        return [Reply(notice(t(caller.lang, "report.unknown", channel=team.channel_id,
                               wanted=mrkdwn_escape(wanted), rounds=rounds)))]

    def initiatives(self, team: Team, chosen: ResultSnapshot) -> list[RoundOutcome]:
        """The last diagnostic per subject up to the chosen round (its own subject: the
        chosen round), oldest initiative first; nothing when there is only one subject."""
        latest: dict[str, ResultSnapshot] = {}
        for snapshot in self.history.snapshots(team, "diagnostic"):
            if snapshot.closed_at <= chosen.closed_at:
                latest[subject_key(snapshot.subject)] = snapshot
        latest[subject_key(chosen.subject)] = chosen
        if len(latest) < 2:
            return []
        return [self.history.outcome(snapshot, team) for snapshot in latest.values()]


def withheld_text(lang: str, outcome: RoundOutcome) -> str:
    reason = outcome.withheld or Withheld.MINIMUM
    return t(lang, f"report.withheld_{reason.value}", subject=mrkdwn_escape(outcome.subject),
             date=day(lang, outcome.closed_at), responses=outcome.responses,
             invited=outcome.invited, minimum=outcome.min_responses)
