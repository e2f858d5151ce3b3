"""The organisation at a glance (`/wi3 status all`): plain rows, counts, groups, the CSV.

An `OverviewRow` is one team's last diagnostic in plain values (phase, position, range and
"divided" per element; counts), nothing else, so the heat map and the CSV can be fed from
outcomes that passed the privacy gate today (`overview_rows`) and from a stored per-team
summary later. A team whose last round is withheld has no element values at all.

For 5 teams and for 5,000 the overview reads the same way: teams are grouped by overall
phase (scoring v3: the lowest phase the headline names; furthest behind first, then those
whose headline names no phase because the team is divided, then those with too few
answers), sorted within a group by their lowest element position, and cut to a fixed
number of rows shared fairly between the groups, each cut group saying how many it left
out. The CSV lists every team in the same order.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from conversations.export import DATE_FORMAT, safe_cell
from conversations.i18n import normalise_lang, t
from conversations.results.outcome import HeadlineSummary
from conversations.views.scores import phase_range
from conversations.views.status import TeamRow
from model import Content, Element, Phase
from model.position import label

MAX_HEATMAP_TEAMS = 60
"""Team rows the heat map draws; every team is in the CSV."""
MIN_ROWS_PER_GROUP = 3
"""A group that has teams shows at least this many (or all it has) when rows are cut."""
STATES = ("0", "1", "2", "3", "open", "divided", "na")
"""What an element of a team can be: a phase, a phase missing answers leave open, divided,
or without enough answers."""
CSV_COLUMNS = ("team", "closed", "subject", "responses", "invited", "minimum", "element",
               "phase", "position", "low", "high")


@dataclass(frozen=True)
class ElementCell:
    """One element of one team: its phase, position and range, whether the team is divided
    on it (it keeps its position), or neither (n/a)."""

    element: Element
    phase: Phase | None
    position: float | None
    divided: bool = False
    low: float | None = None
    high: float | None = None

    @property
    def low_phase(self) -> Phase:
        """The lowest phase missing answers leave possible (its phase without a range)."""
        return label(self.low) if self.low is not None else self.phase or Phase.NOT_STARTED

    @property
    def high_phase(self) -> Phase:
        return label(self.high) if self.high is not None else self.phase or Phase.NOT_STARTED

    @property
    def settled(self) -> bool:
        """Missing answers could not change its phase."""
        return self.low is None or self.high is None or label(self.low) == label(self.high)

    @property
    def state(self) -> str:
        if self.phase is None:
            return "na"
        if self.divided:
            return "divided"
        return str(int(self.phase)) if self.settled else "open"


@dataclass(frozen=True)
class OverviewRow:
    """One team's last diagnostic. `closed_at` None: no closed round yet. `cells` empty:
    nothing to show (no round, or fewer than the minimum answered)."""

    channel_id: str
    subject: str = ""
    closed_at: datetime | None = None
    responses: int = 0
    invited: int = 0
    min_responses: int = 0
    overall: Phase | None = None
    cells: tuple[ElementCell, ...] = ()
    headline: HeadlineSummary | None = None
    """What the headline may claim (None: nothing shown), for words beyond `overall`."""

    @property
    def group(self) -> str:
        """"0".."3" by overall phase; "none": shown, no overall phase; "withheld"; "no_round"."""
        if self.closed_at is None:
            return "no_round"
        if not self.cells:
            return "withheld"
        return "none" if self.overall is None else str(int(self.overall))

    @property
    def lowest(self) -> float:
        """The lowest element position (furthest behind); infinity when there is none."""
        return min((c.position for c in self.cells if c.position is not None),
                   default=math.inf)


GROUPS = ("0", "1", "2", "3", "none", "withheld")
"""Groups in the order they are shown; teams without a closed round are only counted."""


@dataclass(frozen=True)
class Group:
    key: str
    rows: tuple[OverviewRow, ...]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


def overview_rows(rows: Sequence[TeamRow]) -> list[OverviewRow]:
    """Plain rows from the overview's gated summaries."""
    plain = []
    for row in rows:
        last = row.last
        if last is None:
            plain.append(OverviewRow(row.channel_id))
            continue
        cells = tuple(ElementCell(e.element, e.phase, e.position, e.divided, e.low, e.high)
                      for e in last.elements)
        headline = last.headline
        overall = (headline.overall if headline is not None and not headline.divided_on
                   else None)
        plain.append(OverviewRow(
            channel_id=row.channel_id, subject=last.subject, closed_at=last.closed_at,
            responses=last.responses, invited=last.invited, min_responses=last.min_responses,
            overall=overall if last.withheld is None else None, cells=cells,
            headline=headline if last.withheld is None else None))
    return plain


def ordered(rows: Sequence[OverviewRow]) -> list[OverviewRow]:
    """Group order, then furthest behind first, then by channel (stable for equal teams)."""
    rank = {key: n for n, key in enumerate((*GROUPS, "no_round"))}
    return sorted(rows, key=lambda r: (rank[r.group], r.lowest, r.channel_id))


def grouped(rows: Sequence[OverviewRow], max_rows: int = MAX_HEATMAP_TEAMS) -> list[Group]:
    """The shown groups with at most `max_rows` team rows between them: each group with
    teams keeps at least `MIN_ROWS_PER_GROUP`, the rest is shared by size (largest
    remainder), so a big group shows more and a small one is never cut away."""
    members: dict[str, list[OverviewRow]] = {key: [] for key in GROUPS}
    for row in ordered(rows):
        if row.group in members:
            members[row.group].append(row)
    sizes = {key: len(found) for key, found in members.items() if found}
    quota = share(sizes, max_rows)
    return [Group(key, tuple(members[key][:quota[key]]), sizes[key]) for key in sizes]


def share(sizes: Mapping[str, int], budget: int) -> dict[str, int]:
    """Rows per group: all when they fit; else a floor each, the rest in proportion."""
    if sum(sizes.values()) <= budget:
        return dict(sizes)
    quota = {key: min(size, MIN_ROWS_PER_GROUP) for key, size in sizes.items()}
    left = max(budget - sum(quota.values()), 0)
    rest = {key: sizes[key] - quota[key] for key in sizes}
    total_rest = sum(rest.values())
    if not left or not total_rest:
        return quota
    exact = {key: left * rest[key] / total_rest for key in sizes}
    for key in sizes:
        quota[key] += math.floor(exact[key])
    remainders = sorted(sizes, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))
    for key in remainders[:left - sum(math.floor(v) for v in exact.values())]:
        quota[key] += 1
    return quota


def counts(rows: Sequence[OverviewRow]) -> dict[Element, Counter[str]]:
    """Per element, how many teams (with something to show) are in each state."""
    found: dict[Element, Counter[str]] = {element: Counter() for element in Element}
    for row in rows:
        for cell in row.cells:
            found[cell.element][cell.state] += 1
    return found


def state_label(lang: str, state: str, content: Content) -> str:
    if state in ("open", "divided", "na"):
        return t(lang, f"overview.{state}")
    return content.phases[Phase(int(state))].name.get(normalise_lang(lang))


def counts_text(lang: str, rows: Sequence[OverviewRow], content: Content) -> str:
    """The counts as Slack text, beside the heat map in the admin's DM."""
    shown = sum(1 for row in rows if row.cells)
    found = counts(rows)
    lines = [t(lang, "overview.comment", count=sum(1 for r in rows if r.closed_at))]
    for element in Element:
        parts = [t(lang, "overview.count_item", label=state_label(lang, state, content),
                   n=found[element][state]) for state in STATES if found[element][state]]
        lines.append(t(lang, "overview.count_line",
                       element=content.elements[element].name.get(normalise_lang(lang)),
                       counts=" · ".join(parts) or "—"))
    withheld = sum(1 for row in rows if row.group == "withheld")
    if withheld:
        lines.append(t(lang, "overview.group_withheld", n=withheld))
    no_round = len(rows) - shown - withheld
    if no_round:
        lines.append(t(lang, "overview.no_round", count=no_round))
    return "\n".join(lines)


def overview_csv(lang: str, rows: Sequence[OverviewRow], content: Content) -> str:
    """Every team, four rows each (element order), in the heat map's order."""
    language = normalise_lang(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(t(language, f"overview.csv.{c}")) for c in CSV_COLUMNS])
    for row in ordered(rows):
        cells = {cell.element: cell for cell in row.cells}
        closed = "" if row.closed_at is None else (
            row.closed_at.astimezone(UTC).strftime(DATE_FORMAT))
        for element in Element:
            cell = cells.get(element)
            writer.writerow([safe_cell(value) for value in (
                row.channel_id, closed, row.subject,
                str(row.responses) if row.closed_at else "",
                str(row.invited) if row.closed_at else "",
                str(row.min_responses) if row.closed_at else "",
                content.elements[element].name.get(language),
                "" if cell is None else _phase_cell(language, cell, content),
                "" if cell is None or cell.position is None else f"{cell.position:.2f}",
                "" if cell is None or cell.position is None else f"{cell.low:.2f}",
                "" if cell is None or cell.position is None else f"{cell.high:.2f}",
            )])
    return buffer.getvalue()


def _phase_cell(lang: str, cell: ElementCell, content: Content) -> str:
    """The phase as the post says it: a range where missing answers leave it open."""
    if cell.state == "open" and cell.low is not None and cell.high is not None:
        return phase_range(lang, label(cell.low), label(cell.high), content, capital=True)
    return state_label(lang, cell.state, content)


def overview_csv_bytes(lang: str, rows: Sequence[OverviewRow], content: Content) -> bytes:
    """`overview_csv` as the file's bytes: a `Drawing`, made away from the clicks."""
    return overview_csv(lang, rows, content).encode("utf-8")
