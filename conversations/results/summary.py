"""A team's last result in short, for the overviews: `/wi3 status all` and App Home.

When a diagnostic closes, its snapshot is summed up once (`summary_of`): the phase,
position and range of each element, the headline (scoring v3: its phase or the two it may
be, the elements it rests on divided or short of answers, the bottleneck), how many were
invited, answered and finished, or why nothing is shown, as the privacy gate answered
under the round's own minimum. Overviews
read these summaries (`Summaries.last`), one small record per team, and never decode a
snapshot; the gate (`outcome.summary_minimum`) still decides whether a summary stands for
its answer now, and where it does not (the team raised its minimum past a counted
statement), the snapshot is asked through the gate as before. A team whose last
diagnostic closed before summaries existed, or whose summary an earlier version wrote
(before scoring v3), gets a new one the first time an overview needs it.

`outcome.ResultSummary` is what the overview views take; `Summaries.last` is the way to
get one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from conversations.diagnostic import subject_text
from conversations.results.history import History
from conversations.results.outcome import (
    SUMMARY_VERSION,
    ElementSummary,
    HeadlineSummary,
    ResultSummary,
    Withheld,
    finished_of,
    holds_up_to,
    minimum_for,
    shown_result,
    summary_minimum,
)
from model import MIN_RESPONSES_FLOOR, Content, Element, Phase, TeamResult
from storage import LastResult, ResultSnapshot, Store, Team
from storage.readonly import unwrapped

OVERVIEW_KIND = "diagnostic"
"""Overviews show each team's last full diagnostic."""

DECODED_KEPT = 20_000
"""Decoded summaries kept in memory (a few hundred bytes each; 5,000 teams fit four
times)."""


def summary_of(snapshot: ResultSnapshot, content: Content) -> LastResult:
    """The closed round summed up, as the gate shows it under the round's own minimum."""
    minimum = minimum_for(snapshot, MIN_RESPONSES_FLOOR)
    found = shown_result(snapshot, minimum, content)
    result = found if isinstance(found, TeamResult) else None
    summary: dict[str, Any] = {
        "version": SUMMARY_VERSION,
        "subject": snapshot.subject,
        "invited": snapshot.invited_count,
        "responses": snapshot.responses,
        "min_responses": minimum,
        "withheld": found.value if isinstance(found, Withheld) else None,
        "holds_up_to": holds_up_to(result) if result is not None else None,
        "finished": finished_of(snapshot),
        "overall": int(result.overall) if result else None,
        "further": result.further if result else 0,
        "headline": HeadlineSummary.of(result).to_dict() if result else None,
        "elements": [{"element": e.element.value,
                      "phase": int(e.phase) if e.phase is not None else None,
                      "position": e.position, "divided": e.divided,
                      "low": e.low, "high": e.high}
                     for e in (result.elements if result else ())],
    }
    return LastResult(snapshot.workspace_id, snapshot.channel_id, snapshot.round_id,
                      snapshot.closed_at, summary)


def keep_summary(store: Store, snapshot: ResultSnapshot, content: Content) -> None:
    """When a round closes: a diagnostic's summary becomes the team's last result."""
    if snapshot.kind == OVERVIEW_KIND:
        store.save_last_result(summary_of(snapshot, content))


class Summaries:
    """Teams' last results for the overviews, from their summaries, through the gate."""

    def __init__(self, store: Store, history: History) -> None:
        self.store = store
        self.history = history
        self.decoded = DecodedSummaries()

    def last(self, workspace_id: str, teams: Sequence[Team]) -> list[ResultSummary | None]:
        """Each team's last closed diagnostic in short (None: it has none), in one read."""
        kept = self.store.last_results(workspace_id, [team.channel_id for team in teams])
        return self.of_kept(teams, kept)

    def of_kept(self, teams: Sequence[Team], kept: Mapping[str, LastResult]
                ) -> list[ResultSummary | None]:
        """Each team's last diagnostic in short, from summaries read already."""
        return [self._shown(team, kept.get(team.channel_id)) for team in teams]

    def _shown(self, team: Team, last: LastResult | None) -> ResultSummary | None:
        if last is None or last.summary.get("version") != SUMMARY_VERSION:
            last = self._summed_up_now(team)
        if last is None:
            return None
        minimum = summary_minimum(last, team.min_responses)
        if minimum is None:  # the gate asks the snapshot itself
            snapshot = self.store.get_snapshot(last.round_id)
            return (ResultSummary.of_outcome(self.history.outcome(snapshot, team))
                    if snapshot else None)
        return self.decoded.get(last, team, minimum)

    def _summed_up_now(self, team: Team) -> LastResult | None:
        """A team closed before summaries existed, or summed up by an earlier version: sum
        up its last diagnostic, once."""
        diagnostics = self.history.snapshots(team, OVERVIEW_KIND)
        if not diagnostics:
            return None
        last = summary_of(diagnostics[-1], self.history.content)
        self.store.save_last_result(last)
        return last


DecodedKey = tuple[str, str, str, datetime, str, int]


class DecodedSummaries:
    """Summaries decoded before, so an overview of 5,000 teams decodes only what changed
    (decoding them all held the interpreter for most of a second while others clicked).

    A summary is the pure sum of its round's snapshot, which never changes once closed,
    so the round (with its closing time) names it; what the gate made of it depends on the
    team's language (its subject) and the minimum it is shown under, both in the key. A
    team's next round, a new language or minimum is a new key; the least recently used
    go first."""

    def __init__(self, limit: int = DECODED_KEPT) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._kept: OrderedDict[DecodedKey, ResultSummary] = OrderedDict()

    def get(self, last: LastResult, team: Team, minimum: int) -> ResultSummary:
        key = (last.workspace_id, last.channel_id, last.round_id, last.closed_at,
               team.language, minimum)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        made = _decoded(last, team, minimum)
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return made


def _decoded(last: LastResult, team: Team, minimum: int) -> ResultSummary:
    data = unwrapped(last.summary)  # read only here; no read-only view per value reached
    withheld = data["withheld"]
    headline = data["headline"]
    finished = data["finished"]
    return ResultSummary(
        round_id=last.round_id, channel_id=last.channel_id,
        subject=subject_text(team.language, data["subject"]), closed_at=last.closed_at,
        invited=int(data["invited"]), responses=int(data["responses"]), min_responses=minimum,
        withheld=Withheld(withheld) if withheld is not None else None,
        overall=_phase(data["overall"]), further=int(data["further"]),
        elements=tuple(_element(e) for e in data["elements"]),
        headline=HeadlineSummary.from_dict(headline) if headline is not None else None,
        finished=int(finished) if finished is not None else None,
    )


def _element(data: Mapping[str, Any]) -> ElementSummary:
    position = data["position"]
    return ElementSummary(Element(data["element"]), _phase(data["phase"]),
                          float(position) if position is not None else None,
                          bool(data["divided"]), float(data["low"]), float(data["high"]))


def _phase(value: Any) -> Phase | None:
    return Phase(value) if value is not None else None
