"""The heat map of `/wi3 status all`: teams x the four elements, as a PNG.

A pure function of plain rows (`overview.OverviewRow`), drawn with matplotlib's object
API on the Agg canvas like the other charts. On top, how many teams each element has in
each phase (all teams, however many); below, one row per team, grouped by overall phase
and cut by `overview.grouped`, each cell coloured by phase and position
(`palette.position_colour`) with the position written in it (its range where missing
answers leave the phase open). A divided element is hatched and keeps its position, a team
with too few answers is a grey row saying so, and the image says how
many teams it left out (the CSV has every team).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from conversations.charts import png_bytes
from conversations.i18n import normalise_lang, t
from conversations.report.layout import CM_PER_INCH, wrap
from conversations.report.overview import (
    MAX_HEATMAP_TEAMS,
    STATES,
    ElementCell,
    Group,
    OverviewRow,
    counts,
    grouped,
    state_label,
)
from conversations.report.palette import (
    DARK_INK,
    DIVIDED_COLOUR,
    DIVIDED_EDGE,
    DIVIDED_HATCH,
    NA_COLOUR,
    ink_for,
    position_colour,
)
from conversations.views.scores import cut
from model import Content, Element, Phase

WIDTH = 10.0
"""Inches; the height grows with the rows."""
DPI = 100
ROW = 0.26
LABEL_WIDTH = 3.6
CELL_WIDTH = (WIDTH - LABEL_WIDTH - 0.3) / len(Element)
MUTED = "#616061"
TABLE_TOP = 1.05
COUNTS_HEIGHT = 0.65 + ROW * len(Element) + 0.2
"""The counts table: its title and column heads, a row per element, space after."""
FOOTER_LINE = 0.22
FOOTER_SIZE = 7.5
LABEL_CHARACTERS = 44
"""A team's label (channel and subject) is cut to this many characters."""


def heatmap_png(
    lang: str, rows: Sequence[OverviewRow], content: Content, *, now: datetime,
    max_rows: int = MAX_HEATMAP_TEAMS,
) -> bytes:
    """The PNG; equal rows give equal bytes."""
    groups = grouped(rows, max_rows)
    with_round = [row for row in rows if row.closed_at is not None]
    notes = [t(lang, "overview.legend")]
    if len(rows) > len(with_round):
        notes.append(t(lang, "overview.no_round", count=len(rows) - len(with_round)))
    footer = [line for note in notes
              for line in wrap(note, (WIDTH - 0.6) * CM_PER_INCH, FOOTER_SIZE)]
    lines = sum(len(g.rows) + 1 + (1 if g.hidden else 0) for g in groups)
    height = TABLE_TOP + COUNTS_HEIGHT + 0.5 + ROW * (lines + 1) + FOOTER_LINE * (
        len(footer) + 1)
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    sheet = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    sheet.set_xlim(0.0, WIDTH)
    sheet.set_ylim(height, 0.0)
    sheet.set_axis_off()
    _text(sheet, 0.3, 0.35, t(lang, "overview.title"), size=15, weight="bold")
    _text(sheet, 0.3, 0.68, t(lang, "overview.subtitle", count=len(rows),
                              date=now.strftime(t(lang, "results.chart.date_format"))),
          colour=MUTED)
    y = _counts_table(sheet, lang, rows, content, top=TABLE_TOP)
    shown = sum(len(g.rows) for g in groups)
    note = (t(lang, "overview.shown_all", n=len(with_round)) if shown == len(with_round)
            else t(lang, "overview.shown_some", shown=shown, total=len(with_round)))
    _text(sheet, 0.3, y + 0.15, note, size=9, weight="bold")
    y += 0.5
    _column_heads(sheet, lang, content, y)
    y += ROW
    for group in groups:
        y = _group(sheet, lang, group, content, y)
    for number, line in enumerate(footer):
        _text(sheet, 0.3, y + 0.2 + number * FOOTER_LINE, line, size=FOOTER_SIZE,
              colour=MUTED)
    return png_bytes(figure)


def _counts_table(
    sheet: Axes, lang: str, rows: Sequence[OverviewRow], content: Content, *, top: float
) -> float:
    """Elements x states with the number of teams; returns the y below it."""
    language = normalise_lang(lang)
    found = counts(rows)
    width = (WIDTH - LABEL_WIDTH - 0.3) / len(STATES)
    _text(sheet, 0.3, top + 0.15, t(lang, "overview.counts"), size=10, weight="bold")
    y = top + 0.35
    for number, state in enumerate(STATES):
        _text(sheet, LABEL_WIDTH + (number + 0.5) * width, y + 0.12,
              state_label(lang, state, content), size=7.5, align="center")
    y += 0.3
    for element in Element:
        _text(sheet, 0.3, y + ROW / 2, content.elements[element].name.get(language), size=9,
              valign="center")
        for number, state in enumerate(STATES):
            count = found[element][state]
            colour, hatch = _state_colour(state) if count else ("#ffffff", None)
            _cell(sheet, LABEL_WIDTH + number * width, y, width, colour, hatch)
            _text(sheet, LABEL_WIDTH + (number + 0.5) * width, y + ROW / 2, str(count),
                  size=8.5, align="center", valign="center",
                  colour=ink_for(colour) if count and not hatch else DARK_INK,
                  background=DIVIDED_COLOUR if hatch else None)
        y += ROW
    return y + 0.2


def _state_colour(state: str) -> tuple[str, str | None]:
    if state == "divided":
        return DIVIDED_COLOUR, DIVIDED_HATCH
    if state in ("na", "open"):
        return NA_COLOUR, None
    return position_colour(int(state) + 0.5), None


def _column_heads(sheet: Axes, lang: str, content: Content, y: float) -> None:
    language = normalise_lang(lang)
    for number, element in enumerate(Element):
        _text(sheet, LABEL_WIDTH + (number + 0.5) * CELL_WIDTH, y + ROW / 2,
              content.elements[element].name.get(language), size=9, weight="bold",
              align="center", valign="center")


def _group(sheet: Axes, lang: str, group: Group, content: Content, y: float) -> float:
    """The group's heading, its team rows, and how many it left out."""
    if group.key == "none":
        heading = t(lang, "overview.group_no_overall", n=group.total)
    elif group.key == "withheld":
        heading = t(lang, "overview.group_withheld", n=group.total)
    else:
        name = content.phases[Phase(int(group.key))].name.get(normalise_lang(lang))
        heading = t(lang, "overview.group", phase=name, n=group.total)
    sheet.axhline(y + 0.02, xmin=0.03, xmax=0.97, color="#dddddd", linewidth=0.8)
    _text(sheet, 0.3, y + ROW / 2 + 0.02, heading, size=9, weight="bold", valign="center")
    y += ROW
    for row in group.rows:
        _team(sheet, lang, row, y)
        y += ROW
    if group.hidden:
        _text(sheet, 0.45, y + ROW / 2, t(lang, "overview.more", n=group.hidden), size=8,
              colour=MUTED, valign="center")
        y += ROW
    return y


def _team(sheet: Axes, lang: str, row: OverviewRow, y: float) -> None:
    label = f"{row.channel_id} · {row.subject}"
    if len(label) > LABEL_CHARACTERS:
        label = label[:LABEL_CHARACTERS - 1] + "…"
    _text(sheet, 0.45, y + ROW / 2, label, size=8, valign="center")
    if not row.cells:
        _cell(sheet, LABEL_WIDTH, y, CELL_WIDTH * len(Element), NA_COLOUR, None)
        _text(sheet, LABEL_WIDTH + CELL_WIDTH * len(Element) / 2, y + ROW / 2,
              t(lang, "overview.row_withheld", responses=row.responses, invited=row.invited,
                minimum=row.min_responses), size=7.5, align="center", valign="center")
        return
    cells = {cell.element: cell for cell in row.cells}
    for number, element in enumerate(Element):
        _element_cell(sheet, lang, cells.get(element), LABEL_WIDTH + number * CELL_WIDTH, y)


def _element_cell(sheet: Axes, lang: str, cell: ElementCell | None, x: float, y: float) -> None:
    if cell is None or cell.position is None:
        _cell(sheet, x, y, CELL_WIDTH, NA_COLOUR, None)
        text, ink = t(lang, "overview.na"), DARK_INK
    elif cell.divided:
        _cell(sheet, x, y, CELL_WIDTH, DIVIDED_COLOUR, DIVIDED_HATCH)
        text, ink = f"{cut(lang, cell.position)} {t(lang, 'overview.divided')}", DARK_INK
    else:
        colour = position_colour(cell.position)
        _cell(sheet, x, y, CELL_WIDTH, colour, None)
        text, ink = _figure(lang, cell), ink_for(colour)
    _text(sheet, x + CELL_WIDTH / 2, y + ROW / 2, text, size=7.5, colour=ink, align="center",
          valign="center",
          background=DIVIDED_COLOUR if cell is not None and cell.divided else None)


def _figure(lang: str, cell: ElementCell) -> str:
    """The position, or its range where missing answers leave the phase open."""
    assert cell.position is not None
    if cell.settled or cell.low is None or cell.high is None:
        return cut(lang, cell.position)
    return t(lang, "results.element.figure_range", low=cut(lang, cell.low),
             high=cut(lang, cell.high))


def _cell(sheet: Axes, x: float, y: float, width: float, colour: str,
          hatch: str | None) -> None:
    sheet.add_patch(Rectangle((x + 0.02, y + 0.02), width - 0.04, ROW - 0.04,
                              facecolor=colour, linewidth=0.6, hatch=hatch,
                              edgecolor=DIVIDED_EDGE if hatch else "white"))


def _text(
    sheet: Axes, x: float, y: float, text: str, *, size: float = 9.0, weight: str = "normal",
    colour: str = DARK_INK, align: str = "left", valign: str = "top",
    background: str | None = None,
) -> None:
    box = {"facecolor": background, "edgecolor": "none", "pad": 0.5} if background else None
    sheet.text(x, y, text, fontsize=size, fontweight=weight, color=colour, ha=align,
               va=valign, parse_math=False, bbox=box)
