"""A team's closed rounds as the result surfaces read them: snapshots, never raw answers.

Each initiative has its own life cycle (a new tool starts again at phase 1), so a round
is compared only with rounds about the same subject: trend arrows, the previous round on
the radar, the pulse trend line and the result a pulse carries forward all stay within
one subject. Every result read here has passed the privacy gate (`outcome.shown_result`).
"""

from __future__ import annotations

from datetime import datetime

from conversations.diagnostic import subject_text
from conversations.results.outcome import (
    RoundOutcome,
    Withheld,
    finished_of,
    minimum_for,
    shown_result,
)
from conversations.trend import TrendPoint, trend_points
from model import Content, TeamResult
from storage import ResultSnapshot, Store, Team


def same_subject(a: str | None, b: str | None) -> bool:
    """Whether two rounds are about the same thing ("Our Wiki" is "our wiki"; no subject is
    the team's whole use of social tools)."""
    return subject_key(a) == subject_key(b)


def subject_key(subject: str | None) -> str:
    """What two rounds about the same subject have in common."""
    return (subject or "").strip().casefold()


class History:
    """Reads a team's snapshots and turns them into outcomes the views may show."""

    def __init__(self, store: Store, content: Content) -> None:
        self.store = store
        self.content = content

    def snapshots(self, team: Team, kind: str | None = None) -> list[ResultSnapshot]:
        """The team's snapshots, oldest first; of one kind when asked."""
        return [s for s in self.store.list_snapshots(team.workspace_id, team.channel_id)
                if kind is None or s.kind == kind]

    def about(
        self, team: Team, subject: str | None, kind: str | None = None
    ) -> list[ResultSnapshot]:
        """The team's snapshots about one subject, oldest first."""
        return [s for s in self.snapshots(team, kind) if same_subject(s.subject, subject)]

    def shown(self, snapshot: ResultSnapshot, team: Team, at_least: int = 0) -> TeamResult | None:
        """The snapshot's result if the team may see it (and under `at_least` too)."""
        found = shown_result(snapshot, max(minimum_for(snapshot, team.min_responses),
                                           at_least), self.content)
        return found if isinstance(found, TeamResult) else None

    def latest(
        self, team: Team, *, subject: str | None, before: datetime, exclude: str,
        kind: str | None = None, at_least: int = 0,
    ) -> tuple[ResultSnapshot, TeamResult] | None:
        """The newest shown result about `subject` closed up to `before` (not `exclude`)."""
        for earlier in reversed(self.about(team, subject, kind)):
            if earlier.round_id == exclude or earlier.closed_at > before:
                continue
            result = self.shown(earlier, team, at_least)
            if result is not None:
                return earlier, result
        return None

    def outcome(self, snapshot: ResultSnapshot, team: Team) -> RoundOutcome:
        """The closed round as every view shows it, with the previous round to compare."""
        minimum = minimum_for(snapshot, team.min_responses)
        found = shown_result(snapshot, minimum, self.content)
        result = found if isinstance(found, TeamResult) else None
        previous = None
        if result is not None:
            previous = self.latest(team, subject=snapshot.subject, before=snapshot.closed_at,
                                   exclude=snapshot.round_id, kind=snapshot.kind,
                                   at_least=minimum)
        return RoundOutcome(
            round_id=snapshot.round_id,
            kind=snapshot.kind,
            subject=subject_text(team.language, snapshot.subject),
            channel_id=snapshot.channel_id,
            closed_at=snapshot.closed_at,
            invited=snapshot.invited_count,
            responses=snapshot.responses,
            min_responses=minimum,
            result=result,
            withheld=found if isinstance(found, Withheld) else None,
            previous=previous[1] if previous else None,
            previous_closed_at=previous[0].closed_at if previous else None,
            finished=finished_of(snapshot),
        )

    def last_outcome(self, team: Team) -> RoundOutcome | None:
        """The team's last full diagnostic, whatever it was about."""
        diagnostics = self.snapshots(team, "diagnostic")
        return self.outcome(diagnostics[-1], team) if diagnostics else None

    def pulse_trend(self, team: Team, snapshot: ResultSnapshot) -> list[TrendPoint]:
        """The shown pulses about the snapshot's subject, up to and including it."""
        pulses = [s for s in self.about(team, snapshot.subject, "pulse")
                  if s.closed_at <= snapshot.closed_at]
        return trend_points((s.closed_at, self.shown(s, team)) for s in pulses)
