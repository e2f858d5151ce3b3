"""The organisation page: every team as a row, filtered, sorted and paged, never cut.

Rows are the overview's (`conversations.report.overview`): each team's last diagnostic
from its last-result summary, through the privacy gate, exactly as `/wi3 status all`,
its heat map and its CSV read them. A filter narrows the rows, a sort orders them, and a
page shows `PAGE_SIZE` of them with links to the others: every team can be reached.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from conversations.dashboard.shown import ShownElement, day, overall_text, shown_elements
from conversations.i18n import normalise_lang
from conversations.report.overview import STATES, OverviewRow, counts, ordered
from model import Content, Element

PAGE_SIZE = 50
SORTS = ("behind", "ahead", "team", "closed", "participation")
PHASES = ("0", "1", "2", "3", "divided", "none", "withheld", "no_round")
"""Phase filter values: a phase, divided, no phase, too few answers, no round yet."""
MAX_TEXT_FILTER = 100


@dataclass(frozen=True)
class OrgQuery:
    """What the person asked the organisation page for (from the URL's query)."""

    phase: str = ""
    element: str = ""
    """"" : the phase filter and "behind"/"ahead" are about the overall phase / lowest
    element; an element's value: about that element."""
    subject: str = ""
    lead: str = ""
    sort: str = "behind"
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> OrgQuery:
        """Anything unknown reads as "no filter" (a URL typed by hand never fails)."""
        elements = {e.value for e in Element}
        try:
            page = max(int(params.get("page", "1")), 1)
        except ValueError:
            page = 1
        return cls(
            phase=_choice(params.get("phase", ""), PHASES),
            element=_choice(params.get("element", ""), elements),
            subject=params.get("subject", "").strip()[:MAX_TEXT_FILTER],
            lead=params.get("lead", "").strip().upper()[:MAX_TEXT_FILTER],
            sort=_choice(params.get("sort", ""), SORTS) or "behind",
            page=min(page, 10**6),
        )

    def link(self, **changes: object) -> str:
        """The page's URL query with `changes` (a new filter starts at page 1)."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        if "page" not in changes:
            changed = replace(changed, page=1)
        fields = {"phase": changed.phase, "element": changed.element,
                  "subject": changed.subject, "lead": changed.lead,
                  "sort": "" if changed.sort == "behind" else changed.sort,
                  "page": "" if changed.page == 1 else str(changed.page)}
        query = urlencode({key: value for key, value in fields.items() if value})
        return f"?{query}" if query else "?"

    @property
    def filtered(self) -> bool:
        return bool(self.phase or self.subject or self.lead)


@dataclass(frozen=True)
class OrgRow:
    channel_id: str
    subject: str
    closed: str
    responses: int
    invited: int
    minimum: int
    group: str
    overall: str
    elements: tuple[ShownElement, ...]

    @property
    def participation(self) -> int | None:
        """Percent of those invited who answered something (None: no round yet)."""
        if not self.closed or not self.invited:
            return None
        return round(100 * self.responses / self.invited)


@dataclass(frozen=True)
class OrgPage:
    query: OrgQuery
    teams: int
    """Teams in the workspace."""
    matched: int
    rows: tuple[OrgRow, ...]
    page: int
    pages: int
    counts: tuple[tuple[str, tuple[int, ...]], ...]
    """Per element (its name): how many teams are in each of `STATES`."""
    with_results: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class TeamLine:
    """A team's overview row and its leads (for the lead filter)."""

    row: OverviewRow
    leads: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    """Every team's line in the overview's order, and the counts per element and state:
    what each organisation page filters and pages, worked out once for many pages."""

    lines: tuple[TeamLine, ...]
    counts: Mapping[Element, tuple[int, ...]]
    """How many teams are in each of `STATES`, per element."""
    with_results: int
    _orders: dict[tuple[str, str], tuple[TeamLine, ...]] = field(
        default_factory=dict, compare=False, repr=False)

    def in_order(self, query: OrgQuery) -> tuple[TeamLine, ...]:
        """Every line in the order `query` asks for, sorted once per order (a filter keeps
        the order, so it filters these)."""
        key = (query.sort, query.element)
        found = self._orders.get(key)
        if found is None:
            found = self._orders[key] = tuple(sort(self.lines, query))
        return found


def organisation_of(lines: Sequence[TeamLine]) -> Organisation:
    by_row = {id(line.row): line for line in lines}
    rows = ordered([line.row for line in lines])
    found = counts(rows)
    return Organisation(tuple(by_row[id(row)] for row in rows),
                        {e: tuple(found[e][s] for s in STATES) for e in Element},
                        sum(1 for row in rows if row.cells))


def organisation_page(lang: str, organisation: Organisation | Sequence[TeamLine],
                      query: OrgQuery, content: Content) -> OrgPage:
    """Filter, sort and page every team's row."""
    if not isinstance(organisation, Organisation):
        organisation = organisation_of(organisation)
    matched = filtered(organisation.in_order(query), query)
    pages = max(math.ceil(len(matched) / PAGE_SIZE), 1)
    page = min(query.page, pages)
    shown = matched[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    names = {e: content.elements[e].name.get(normalise_lang(lang)) for e in Element}
    return OrgPage(
        query=replace(query, page=page), teams=len(organisation.lines), matched=len(matched),
        rows=tuple(org_row(lang, line.row, content) for line in shown), page=page,
        pages=pages, counts=tuple((names[e], organisation.counts[e]) for e in Element),
        with_results=organisation.with_results)


def org_row(lang: str, row: OverviewRow, content: Content) -> OrgRow:
    return OrgRow(
        channel_id=row.channel_id, subject=row.subject, closed=day(row.closed_at),
        responses=row.responses, invited=row.invited, minimum=row.min_responses,
        group=row.group, overall=overall_text(lang, row.headline, content)
        if row.cells else "", elements=shown_elements(lang, row.cells, content))


def filtered(lines: Sequence[TeamLine], query: OrgQuery) -> list[TeamLine]:
    subject = query.subject.casefold()
    element = Element(query.element) if query.element else None
    return [line for line in lines
            if (not subject or subject in line.row.subject.casefold())
            and (not query.lead or query.lead in line.leads)
            and (not query.phase or _in_phase(line.row, query.phase, element))]


def _in_phase(row: OverviewRow, phase: str, element: Element | None) -> bool:
    if phase in ("withheld", "no_round"):
        return row.group == phase
    if element is None:
        if phase == "divided":
            return row.group == "none" and any(c.divided for c in row.cells)
        return row.group == phase
    cell = next((c for c in row.cells if c.element == element), None)
    if cell is None:
        return False
    return cell.state == ("na" if phase == "none" else phase)


def sort(lines: Sequence[TeamLine], query: OrgQuery) -> list[TeamLine]:
    """`lines` are in the overview's order ("furthest behind first"); another order only
    when asked."""
    if query.sort == "behind" and not query.element:
        return list(lines)
    by_row = {id(line.row): line for line in lines}
    rows = [line.row for line in lines]
    if query.element and query.sort in ("behind", "ahead"):
        rows = sorted(rows, key=lambda r: _element_position(r, Element(query.element)))
    if query.sort == "ahead":
        placed = sorted((r for r in rows if _position(r, query) is not None),
                        key=lambda r: -(_position(r, query) or 0.0))
        rows = placed + [r for r in rows if _position(r, query) is None]
    elif query.sort == "team":
        rows = sorted(rows, key=lambda r: r.channel_id)
    elif query.sort == "closed":
        rows = sorted(rows, key=lambda r: (r.closed_at is None, -(r.closed_at.timestamp()
                                           if r.closed_at else 0), r.channel_id))
    elif query.sort == "participation":
        rows = sorted(rows, key=lambda r: (r.closed_at is None,
                                           -(r.responses / r.invited if r.invited else 0),
                                           r.channel_id))
    return [by_row[id(row)] for row in rows]


def _element_position(row: OverviewRow, element: Element) -> tuple[bool, float, str]:
    cell = next((c for c in row.cells if c.element == element), None)
    position = cell.position if cell is not None else None
    return (position is None, position or 0.0, row.channel_id)


def _position(row: OverviewRow, query: OrgQuery) -> float | None:
    if query.element:
        cell = next((c for c in row.cells if c.element == Element(query.element)), None)
        return cell.position if cell is not None else None
    return row.lowest if row.cells and math.isfinite(row.lowest) else None


def _choice(value: str, allowed: Collection[str]) -> str:
    return value if value in allowed else ""
