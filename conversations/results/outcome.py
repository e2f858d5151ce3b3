"""The privacy gate: what a closed round may show, decided once, before any view sees it.

A snapshot keeps the aggregate scored when the round closed. Before it reaches a post, a
status, the overview, App Home, the export or a chart, it passes `shown_result`:

* scored by scoring v2: scored again by v3 from the item scores it kept
  (`model.stored_result`), so an old round reads like a new one;
* scored by an earlier version of WI3 still (or unreadable): nothing is shown;
* the team's minimum was raised since: the stored item distributions are scored again
  under the new minimum (`model.with_minimum`), so what no longer meets it disappears;
* not one statement of the round itself met the minimum (for a pulse: of the statements
  it asked): nothing is shown, not even what an earlier round carried forward.

`RoundOutcome` holds the result together with plain round metadata and refuses to exist
with a result that was not passed through the gate, so a view cannot show an aggregate of
fewer people than the team's minimum by mistake.

Overviews read a team's last result from its summary (`summary`), written from the gate's
answer when the round closed. `summary_minimum` decides whether that answer still stands:
only while the team's minimum is at most `holds_up_to`, the fewest answers a statement
counted in it had. Raised past that, the overview asks `shown_result` again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from model import (
    MIN_RESPONSES_FLOOR,
    Content,
    Element,
    Phase,
    TeamResult,
    stored_result,
    with_minimum,
)
from model.position import label
from storage import LastResult, ResultSnapshot

KINDS = ("diagnostic", "pulse")
SUMMARY_VERSION = 2
"""The shape of a last-result summary (`summary.summary_of`); others are not trusted.
Version 2: scoring v3 (ranges, the headline's two phases, divided elements placed)."""


class Withheld(StrEnum):
    """Why a closed round shows no aggregate."""

    MINIMUM = "minimum"
    """No statement was answered by at least the team's minimum number of people."""
    VERSION = "version"
    """Scored by an earlier version of WI3, whose results are no longer shown."""


def minimum_for(snapshot: ResultSnapshot, team_minimum: int) -> int:
    """The stricter of the team's minimum now and the one the round was scored under."""
    stored = snapshot.result.get("min_responses", MIN_RESPONSES_FLOOR) if snapshot.result else 0
    return max(team_minimum, int(stored), MIN_RESPONSES_FLOOR)


def shown_result(
    snapshot: ResultSnapshot, minimum: int, content: Content
) -> TeamResult | Withheld:
    """The snapshot's aggregate as the team may see it now, or why there is none."""
    stored = snapshot.result.get("team") if snapshot.result else None
    if stored is None:
        return Withheld.MINIMUM
    try:
        result = stored_result(stored, content=content)
    except ValueError:
        return Withheld.VERSION
    result = with_minimum(result, minimum, content=content)
    return result if result.fresh_items else Withheld.MINIMUM


def finished_of(snapshot: ResultSnapshot) -> int | None:
    """How many finished the round, as its snapshot kept it (None: closed before v3)."""
    finished = snapshot.result.get("finished") if snapshot.result else None
    return int(finished) if finished is not None else None


def holds_up_to(result: TeamResult) -> int | None:
    """The highest minimum under which `with_minimum` leaves `result` as it is: the fewest
    answers any counted statement had (None: nothing is counted, at any minimum)."""
    return min((item.answered for item in result.items if item.counted), default=None)


def summary_minimum(last: LastResult, team_minimum: int) -> int | None:
    """The minimum a team's last-result summary is shown under now, or None when it may
    not stand for the gate's answer: written by another version, or the team raised its
    minimum past a statement it counted (then `shown_result` decides from the snapshot)."""
    summary = last.summary
    if summary.get("version") != SUMMARY_VERSION:
        return None
    minimum = max(team_minimum, int(summary["min_responses"]), MIN_RESPONSES_FLOOR)
    limit = summary.get("holds_up_to")
    return minimum if limit is None or minimum <= int(limit) else None


@dataclass(frozen=True)
class ElementSummary:
    """One element of a summed-up result: its phase, position and range, and whether the
    team is divided on it (it keeps its position)."""

    element: Element
    phase: Phase | None
    position: float | None
    divided: bool
    low: float = 0.0
    high: float = 4.0

    @property
    def low_phase(self) -> Phase:
        return label(self.low)

    @property
    def high_phase(self) -> Phase:
        return label(self.high)

    @property
    def settled(self) -> bool:
        return self.low_phase == self.high_phase


@dataclass(frozen=True)
class HeadlineSummary:
    """A result's headline in short (scoring v3, rules 3 and 4): what `views.scores`
    needs to say it the way the full result says it."""

    overall: Phase
    overall_high: Phase
    overall_position: float
    further: int
    bottleneck: Element | None
    divided_on: tuple[Element, ...]
    short_on: tuple[Element, ...]
    others_phase: Phase | None

    @classmethod
    def of(cls, result: TeamResult) -> HeadlineSummary:
        return cls(result.overall, result.overall_high, result.overall_position,
                   result.further, result.bottleneck, result.divided_on, result.short_on,
                   result.others_phase)

    def to_dict(self) -> dict[str, Any]:
        return {"overall": int(self.overall), "overall_high": int(self.overall_high),
                "overall_position": self.overall_position, "further": self.further,
                "bottleneck": self.bottleneck.value if self.bottleneck else None,
                "divided_on": [e.value for e in self.divided_on],
                "short_on": [e.value for e in self.short_on],
                "others_phase": None if self.others_phase is None else int(self.others_phase)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HeadlineSummary:
        others = data["others_phase"]
        return cls(Phase(data["overall"]), Phase(data["overall_high"]),
                   float(data["overall_position"]), int(data["further"]),
                   Element(data["bottleneck"]) if data["bottleneck"] else None,
                   tuple(Element(e) for e in data["divided_on"]),
                   tuple(Element(e) for e in data["short_on"]),
                   None if others is None else Phase(others))


@dataclass(frozen=True)
class ResultSummary:
    """A team's last closed diagnostic as an overview shows it, past the privacy gate.

    With `withheld` set, only the counts are shown (and `elements` is empty)."""

    round_id: str
    channel_id: str
    subject: str
    """In the team's language (the default subject named as such)."""
    closed_at: datetime
    invited: int
    responses: int
    min_responses: int
    withheld: Withheld | None
    overall: Phase | None
    """The headline's phase (None: withheld); `overall_high` the highest it may be."""
    further: int
    elements: tuple[ElementSummary, ...]
    headline: HeadlineSummary | None = None
    """What the headline may claim (None: withheld)."""
    finished: int | None = None

    @classmethod
    def of_outcome(cls, outcome: RoundOutcome) -> ResultSummary:
        """The same summary from a full outcome (the gate's answer from the snapshot)."""
        result = outcome.result
        return cls(
            round_id=outcome.round_id, channel_id=outcome.channel_id, subject=outcome.subject,
            closed_at=outcome.closed_at, invited=outcome.invited, responses=outcome.responses,
            min_responses=outcome.min_responses, withheld=outcome.withheld,
            overall=result.overall if result else None,
            further=result.further if result else 0,
            elements=tuple(ElementSummary(e.element, e.phase, e.position, e.divided,
                                          e.low, e.high)
                           for e in (result.elements if result else ())),
            headline=HeadlineSummary.of(result) if result else None,
            finished=outcome.finished,
        )


@dataclass(frozen=True)
class RoundOutcome:
    """A closed round as the views see it: aggregates and counts, never who answered what.

    Exactly one of `result` and `withheld` is set. `responses` counts the people who
    answered at least one statement ("don't know" included), `finished` those who
    finished (None: a round closed before that was kept). `previous` is the team's
    previous shown result of the same kind about the same subject (for a pulse: the
    previous pulse), for trend arrows.
    """

    round_id: str
    kind: str
    subject: str
    channel_id: str
    closed_at: datetime
    invited: int
    responses: int
    min_responses: int
    result: TeamResult | None
    withheld: Withheld | None = None
    previous: TeamResult | None = None
    previous_closed_at: datetime | None = None
    finished: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.closed_at.tzinfo is None:
            raise ValueError("closed_at must be timezone-aware (UTC)")
        if self.min_responses < MIN_RESPONSES_FLOOR:
            raise ValueError(f"min_responses must be at least {MIN_RESPONSES_FLOOR}")
        if (self.result is None) == (self.withheld is None):
            raise ValueError("a round outcome has either a result or a reason to withhold it")
        for shown in (self.result, self.previous):
            if shown is not None and (shown.minimum < self.min_responses
                                      or not shown.fresh_items):
                raise ValueError("a result must pass the privacy gate (`shown_result`) first")
        if self.result is None and self.previous is not None:
            raise ValueError("a withheld round shows nothing, not even the previous one")
