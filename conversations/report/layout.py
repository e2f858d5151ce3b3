"""A4 pages drawn with matplotlib and written as one PDF by matplotlib's PDF backend.

A report is text that flows down the page, with bars and charts in between. Each page is
a `Figure` the size of A4 with one invisible axes over the whole sheet whose units are
centimetres from the bottom left, so every element is placed where a designer would
measure it. Text is wrapped by its real width (the font's glyph metrics, not a count of
characters), and `Document.ensure` starts a new page when what comes next would not fit.

Text is drawn with `parse_math=False`: a subject a lead typed ("$5 tool") is text, never
a formula. Fonts are embedded as TrueType (Type 42), so the PDF's text can be selected,
searched and extracted. Nothing here knows about WI3: `conversations.report.pdf` says
what goes on the pages.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath

matplotlib.rcParams["pdf.fonttype"] = 42
"""TrueType fonts in PDFs (only the report writes PDFs): text stays text for readers and
for search; the default (Type 3) draws glyphs as procedures."""

PAGE_WIDTH = 21.0
PAGE_HEIGHT = 29.7
"""A4 in centimetres."""
MARGIN = 1.8
BOTTOM = 2.0
"""The lowest a line of flowing text may reach; the footer sits below it."""
CM_PER_INCH = 2.54
POINTS_PER_INCH = 72.0
LINE_HEIGHT = 1.3
"""Line spacing as a multiple of the font size."""
WRAP_SLACK = 0.98
"""Wrap a little before the measured width: kerning and bold can add a hair."""
TEXT_COLOUR = "#1d1c1d"
BULLET = "•"
BULLET_INDENT = 0.35
MUTED_COLOUR = "#616061"

Weight = Literal["normal", "bold"]
FooterText = Callable[[int, int], str]
"""(page number, page count) -> the footer line of that page."""


def points_to_cm(points: float) -> float:
    return points / POINTS_PER_INCH * CM_PER_INCH


def line_height(size: float) -> float:
    """Height of one line of text of `size` points, in centimetres."""
    return points_to_cm(size * LINE_HEIGHT)


_MEASURE = TextToPath()


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, weight: Weight = "normal") -> float:
    """Width of `text` set in the report's font at `size` points, in centimetres."""
    width, _, _ = _MEASURE.get_text_width_height_descent(
        text, FontProperties(size=size, weight=weight), ismath=False)
    return points_to_cm(width)


def wrap(text: str, width: float, size: float, weight: Weight = "normal") -> list[str]:
    """Lines of at most `width` cm; paragraphs (newlines) kept; a word longer than a line
    gets a line of its own rather than being cut. A line's width is its words' widths plus
    its spaces (each word measured once), which kerning across a space barely changes."""
    lines: list[str] = []
    limit = width * WRAP_SLACK
    space = text_width(" ", size, weight)
    for paragraph in text.split("\n"):
        current: list[str] = []
        used = 0.0
        for word in paragraph.split():
            extra = text_width(word, size, weight) + (space if current else 0.0)
            if current and used + extra > limit:
                lines.append(" ".join(current))
                current, used = [word], extra - space
            else:
                current.append(word)
                used += extra
        lines.append(" ".join(current))
    return lines


@dataclass
class Page:
    """One sheet: its figure and the centimetre-scaled axes everything is drawn on."""

    figure: Figure
    sheet: Axes


class Document:
    """Pages of flowing content. `y` is where the next thing starts (cm from the bottom)."""

    def __init__(self, footer: FooterText) -> None:
        self.pages: list[Page] = []
        self.footer = footer
        self.y = 0.0
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def width(self) -> float:
        """The width flowing text may take."""
        return PAGE_WIDTH - 2 * MARGIN

    def new_page(self) -> None:
        figure = Figure(figsize=(PAGE_WIDTH / CM_PER_INCH, PAGE_HEIGHT / CM_PER_INCH))
        sheet = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        sheet.set_xlim(0.0, PAGE_WIDTH)
        sheet.set_ylim(0.0, PAGE_HEIGHT)
        sheet.set_axis_off()
        self.pages.append(Page(figure, sheet))
        self.y = PAGE_HEIGHT - MARGIN

    def fits(self, height: float) -> bool:
        """Whether `height` cm still fit on this page above the bottom margin."""
        return self.y - height >= BOTTOM

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` cm still fit."""
        if not self.fits(height):
            self.new_page()

    def space(self, height: float) -> None:
        self.y -= height

    # -- text ---------------------------------------------------------------------------------

    def paragraph(
        self, text: str, *, size: float = 9.0, weight: Weight = "normal",
        colour: str = TEXT_COLOUR, indent: float = 0.0, width: float | None = None,
        after: float = 0.15, keep: float = 0.0, bullet: bool = False,
    ) -> None:
        """Wrapped text at the cursor; `keep` cm of what follows must fit on the same page
        (a heading is never the last line of a page). A bullet hangs left of the text."""
        hang = BULLET_INDENT if bullet else 0.0
        lines = wrap(text, (width or self.width) - indent - hang, size, weight)
        step = line_height(size)
        self.ensure(min(step * len(lines), step * 3) + keep)
        if bullet:
            self.text(MARGIN + indent, self.y, BULLET, size=size, weight=weight, colour=colour)
        for line in lines:
            self.ensure(step)
            self.text(MARGIN + indent + hang, self.y, line, size=size, weight=weight,
                      colour=colour)
            self.y -= step
        self.y -= after

    def heading(self, text: str, *, size: float = 13.0, keep: float = 2.0) -> None:
        self.space(0.25)
        self.paragraph(text, size=size, weight="bold", after=0.25, keep=keep)

    def text(
        self, x: float, y: float, text: str, *, size: float = 9.0, weight: Weight = "normal",
        colour: str = TEXT_COLOUR, align: Literal["left", "center", "right"] = "left",
        valign: Literal["top", "center", "baseline"] = "top", page: Page | None = None,
    ) -> None:
        """One line of text with its top-left (or other anchor) at (x, y) cm."""
        (page or self.page).sheet.text(x, y, text, fontsize=size, fontweight=weight,
                                       color=colour, ha=align, va=valign, parse_math=False)

    def lines_at(
        self, x: float, y: float, text: str, width: float, *, size: float = 9.0,
        weight: Weight = "normal", colour: str = TEXT_COLOUR,
    ) -> float:
        """Wrapped text in a column at (x, y) without moving the cursor; returns its height."""
        step = line_height(size)
        lines = wrap(text, width, size, weight)
        for number, line in enumerate(lines):
            self.text(x, y - number * step, line, size=size, weight=weight, colour=colour)
        return step * len(lines)

    def height_of(self, text: str, width: float, size: float = 9.0,
                  weight: Weight = "normal") -> float:
        return line_height(size) * len(wrap(text, width, size, weight))

    # -- shapes and charts -------------------------------------------------------------------

    def box(self, x: float, y: float, width: float, height: float, colour: str,
            **style: Any) -> None:
        """A filled rectangle with its bottom-left corner at (x, y) cm."""
        self.page.sheet.add_patch(Rectangle((x, y), width, height, facecolor=colour,
                                            **{"linewidth": 0, **style}))

    def axes(self, x: float, y: float, width: float, height: float, **options: Any) -> Axes:
        """A chart's own axes with its bottom-left corner at (x, y) cm on this page."""
        return self.page.figure.add_axes(
            (x / PAGE_WIDTH, y / PAGE_HEIGHT, width / PAGE_WIDTH, height / PAGE_HEIGHT),
            **options)

    # -- output ------------------------------------------------------------------------------

    def pdf(self, title: str) -> bytes:
        """The pages as one PDF, footers numbered. No creation date or software stamp, so
        the same report gives the same bytes."""
        count = len(self.pages)
        for number, page in enumerate(self.pages, start=1):
            self.text(MARGIN, BOTTOM - 0.9, self.footer(number, count), size=7.0,
                      colour=MUTED_COLOUR, valign="baseline", page=page)
        buffer = io.BytesIO()
        metadata = {"Title": title, "Creator": None, "Producer": None, "CreationDate": None}
        with PdfPages(buffer, metadata=metadata) as pdf:
            for page in self.pages:
                pdf.savefig(page.figure)
        return buffer.getvalue()
