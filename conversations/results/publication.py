"""What goes to the channel for a closed round: the post, and its chart when there is one.

A diagnostic gets the radar of its four positions (the previous round about the same
subject dashed); a pulse gets the trend line of the team's last pulses about the same
subject. A withheld round gets its post and no chart. Next to the trend, both say how the
commitments planned after the previous full round went ("2 of 3 done").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.actions.read import CommitmentTally, since_last_round
from conversations.charts import radar_chart, radar_title, trend_chart, trend_title
from conversations.outbound import UploadFile
from conversations.results.history import History
from conversations.results.outcome import RoundOutcome
from conversations.views.pulse import pulse_post
from conversations.views.results import results_post
from model import Content
from storage import ResultSnapshot, Team

TREND_PULSES = 8
"""How many pulses the trend chart under a pulse result shows."""


@dataclass(frozen=True)
class PublishResults:
    """A round's results post for its channel, and the chart that follows it (the
    outbox sends both, each once)."""

    round_id: str
    channel_id: str
    message: dict[str, Any]
    chart: UploadFile | None = None


def publication(
    history: History, content: Content, snapshot: ResultSnapshot, team: Team
) -> PublishResults:
    """The post and chart for a closed round, in the team's language."""
    outcome = history.outcome(snapshot, team)
    since = since_last_round(history.store, team, snapshot) if outcome.result else None
    if snapshot.kind == "pulse":
        return _pulse(history, content, snapshot, team, outcome, since)
    lang = team.language
    chart = None
    if outcome.result is not None:
        title = radar_title(lang, outcome.subject)
        png = radar_chart(lang, outcome.result, outcome.previous, title=title, content=content)
        chart = UploadFile(team.channel_id, None, f"wi3-{snapshot.round_id}.png", png, title)
    return PublishResults(snapshot.round_id, team.channel_id,
                          results_post(lang, outcome, content, since=since), chart)


def _pulse(
    history: History, content: Content, snapshot: ResultSnapshot, team: Team,
    outcome: RoundOutcome, since: CommitmentTally | None,
) -> PublishResults:
    """Changes since the last pulse and the last diagnostic, and the pulses' trend."""
    lang = team.language
    last = history.latest(team, subject=snapshot.subject, before=snapshot.closed_at,
                          exclude=snapshot.round_id, kind="diagnostic",
                          at_least=outcome.min_responses)
    post = pulse_post(lang, outcome, content, basis=snapshot.result.get("basis"),
                      last_diagnostic=last[1] if last else None, since=since)
    chart = None
    if outcome.result is not None:
        title = trend_title(lang, outcome.subject)
        points = history.pulse_trend(team, snapshot)[-TREND_PULSES:]
        png = trend_chart(lang, points, title=title, content=content)
        chart = UploadFile(team.channel_id, None, f"wi3-{snapshot.round_id}.png", png, title)
    return PublishResults(snapshot.round_id, team.channel_id, post, chart)
