"""Scoring a closed round, once, into the snapshot every later surface reads.

Everyone's answers count, finished or not (per statement, under the team's minimum: see
`model.scoring`). A diagnostic also tallies the two checklists; a pulse carries the team's
last shown result about the same subject forward (`model.score_pulse`). The snapshot keeps
the result only when at least one statement of this round met the minimum; everything it
keeps lives in its JSON `result` mapping:

* `min_responses`: the team's minimum when the round closed;
* `finished`: how many invited people finished the round (the result counts everyone who
  answered something; participation shows both, §3.7 rule 8);
* `team`: the model's `TeamResult.to_dict()`, or None when nothing may be shown;
* pulses only: `basis` ("diagnostic", "pulses" or None: what the carried scores rest on)
  and `carried_from` (the round they came from).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.results.history import History
from model import Content, TeamResult, score_pulse, score_team
from storage import ResultSnapshot, Round, Store, Team


def snapshot_of(
    store: Store, history: History, content: Content, round_: Round, team: Team,
    closed_at: datetime,
) -> ResultSnapshot:
    """Score the closed round and keep its snapshot (replacing none: callers ask first)."""
    answers = store.all_answers(round_.id)
    extras: dict[str, Any] = {}
    if round_.kind == "pulse":
        base = history.latest(team, subject=round_.subject, before=closed_at,
                              exclude=round_.id)
        result: TeamResult = score_pulse(answers, round_.item_ids, base[1] if base else None,
                                         minimum=team.min_responses, content=content)
        extras = {"basis": basis_of(base[0] if base else None),
                  "carried_from": base[0].round_id if base else None}
    else:
        checklists = store.all_checklists(round_.id)
        result = score_team(answers, barriers=[c.barriers for c in checklists],
                            start_reasons=[c.reasons for c in checklists],
                            minimum=team.min_responses, content=content)
    snapshot = ResultSnapshot(
        round_id=round_.id,
        workspace_id=round_.workspace_id,
        channel_id=round_.channel_id,
        kind=round_.kind,
        subject=round_.subject,
        closed_at=closed_at,
        invited_count=len(round_.invited),
        responses=len(answers),
        result={"min_responses": team.min_responses,
                "finished": store.finished_count(round_.id),
                "team": result.to_dict() if result.fresh_items else None, **extras},
        pulse_number=round_.pulse_number,
    )
    store.save_snapshot(snapshot)
    return snapshot


def basis_of(base: ResultSnapshot | None) -> str | None:
    """What a pulse's carried scores rest on: "diagnostic", "pulses" or None (nothing)."""
    if base is None:
        return None
    if base.kind == "diagnostic" or base.result.get("basis") == "diagnostic":
        return "diagnostic"
    return "pulses"
