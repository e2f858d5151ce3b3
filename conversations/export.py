"""`/wi3 export`: a team's results as CSV, one row per round and element, aggregates only;
and its commitments (team content: what, whose, by when) as a second CSV.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return) as a formula, and a subject is typed by a lead, so every such cell is prefixed
with `'` (OWASP's advice for CSV injection). Rounds whose result is withheld (the privacy
gate, `conversations.results.outcome`) keep their counts but leave phase, position and
trend empty, just like the channel post shows nothing. The phase column says what the post
says (scoring v3): the phase, both phases missing answers leave open ("Pioneering or
facilitating"), or "divided" (a divided element keeps its position); the lowest and
highest position are the range; the trend is up or down only beyond the noise.
Numbers use a dot as decimal mark whatever the language, so the file reads the same in
every spreadsheet's import dialog.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from conversations.actions.read import commitment_text
from conversations.i18n import Lang, normalise_lang, t
from conversations.results.outcome import RoundOutcome
from conversations.trend import Trend, element_trends
from conversations.views.scores import phase_range
from model import Content, Element, Phase, load_content
from model.position import label
from storage import Commitment

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("date", "kind", "subject", "responses", "invited", "element", "phase",
           "position", "low", "high", "trend")
DATE_FORMAT = "%Y-%m-%d %H:%M"
COMMITMENT_COLUMNS = ("number", "planned", "round", "text", "owner", "due", "state",
                      "updated")


@dataclass(frozen=True)
class ResultRow:
    """One element of one closed round; phase, position and trend are None when withheld."""

    closed_at: datetime
    kind: str
    subject: str
    responses: int
    invited: int
    element: Element
    phase: Phase | None
    position: float | None
    trend: Trend | None
    divided: bool = False
    low: float | None = None
    high: float | None = None


def rows_from_outcomes(outcomes: Iterable[RoundOutcome]) -> list[ResultRow]:
    """Four rows per round (element order), oldest round first."""
    rows: list[ResultRow] = []
    for outcome in sorted(outcomes, key=lambda o: o.closed_at):
        rows.extend(_round_rows(outcome))
    return rows


def _round_rows(outcome: RoundOutcome) -> list[ResultRow]:
    result = outcome.result
    trends = element_trends(result, outcome.previous) if result is not None else {}
    rows = []
    for element in Element:
        element_result = result.element(element) if result is not None else None
        rows.append(ResultRow(
            closed_at=outcome.closed_at,
            kind=outcome.kind,
            subject=outcome.subject,
            responses=outcome.responses,
            invited=outcome.invited,
            element=element,
            phase=element_result.phase if element_result is not None else None,
            position=element_result.position if element_result is not None else None,
            trend=trends.get(element),
            divided=element_result is not None and element_result.divided,
            low=element_result.low if element_result is not None else None,
            high=element_result.high if element_result is not None else None,
        ))
    return rows


def results_csv(
    rows: Sequence[ResultRow], lang: str = "en", content: Content | None = None
) -> str:
    """The CSV text: a header row in `lang`, then one line per row, formula cells defused."""
    content = content or load_content()
    language = normalise_lang(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(t(language, f"results.csv.{column}")) for column in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in _cells(row, language, content)])
    return buffer.getvalue()


def _cells(row: ResultRow, lang: Lang, content: Content) -> list[str]:
    return [
        row.closed_at.astimezone(UTC).strftime(DATE_FORMAT),
        t(lang, f"results.csv.{row.kind}"),
        row.subject,
        str(row.responses),
        str(row.invited),
        content.elements[row.element].name.get(lang),
        _phase_cell(row, lang, content),
        "" if row.position is None else f"{row.position:.2f}",
        "" if row.position is None or row.low is None else f"{row.low:.2f}",
        "" if row.position is None or row.high is None else f"{row.high:.2f}",
        "" if row.trend is None else t(lang, f"results.csv.{row.trend.value}"),
    ]


def _phase_cell(row: ResultRow, lang: Lang, content: Content) -> str:
    if row.phase is None:
        return ""
    if row.divided:
        return t(lang, "results.csv.divided")
    if row.low is None or row.high is None:
        return content.phases[row.phase].name.get(lang)
    return phase_range(lang, label(row.low), label(row.high), content, capital=True)


def commitments_csv(commitments: Sequence[Commitment],
                    round_closed: Mapping[str, datetime | None], lang: str = "en") -> str:
    """The team's commitments, one line each in the order planned: what, the owner's user
    id, when due and how it stands; `round_closed` dates the round each one followed."""
    language = normalise_lang(lang)
    content = load_content()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(t(language, f"actions.csv.{column}"))
                     for column in COMMITMENT_COLUMNS])
    for commitment in commitments:
        writer.writerow([safe_cell(cell) for cell in (
            str(commitment.number), _moment(commitment.planned_at),
            _moment(round_closed.get(commitment.round_id)),
            commitment_text(language, commitment, content),
            commitment.owner or "", commitment.due.isoformat(),
            t(language, f"actions.state.{commitment.state}"), _moment(commitment.updated_at),
        )])
    return buffer.getvalue()


def _moment(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime(DATE_FORMAT) if value is not None else ""


def safe_cell(value: str) -> str:
    """Prefix `'` when a spreadsheet would read the cell (leading spaces aside) as a formula."""
    return "'" + value if value.lstrip(" ").startswith(FORMULA_TRIGGERS) else value
