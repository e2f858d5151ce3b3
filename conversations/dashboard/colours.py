"""The heat map's colours in the browser, without the drawing library.

`conversations.report.palette` colours a position for the PNG heat map and the PDF (with
matplotlib, which the bot's own process never imports). The dashboard colours a position
by its tenth from this table of the same scale, sampled in the middle of each tenth; a
test checks the two agree. Text on a cell takes whichever ink reads better on it (WCAG's
contrast ratio), so every figure stays legible.
"""

from __future__ import annotations

import math

TENTH_COLOURS = (
    "#eff9b6", "#edf8b1", "#e7f6b1", "#e2f4b2", "#dcf1b2",
    "#d7efb3", "#d1edb3", "#cdebb4", "#c8e9b4", "#bde5b5",
    "#9cd8b8", "#90d4b9", "#87d0ba", "#7cccbb", "#75c9bd",
    "#6bc6be", "#63c3bf", "#59bfc0", "#52bcc2", "#48b9c3",
    "#34a9c3", "#2ea3c2", "#2a9ec1", "#259ac1", "#2094c0",
    "#1d8ebf", "#1e86bb", "#1f80b8", "#1f78b4", "#2072b1",
    "#2259a6", "#2354a3", "#234da0", "#24489d", "#24419a",
    "#243c98", "#253595", "#22328f", "#1f2f87", "#1a2b7e",
)
"""`palette.position_colour(n / 10 + 0.05)` for n = 0..39 (positions 0.0 to 3.9)."""
NA_COLOUR = "#e6e6e6"
DIVIDED_COLOUR = "#ffffff"
DIVIDED_EDGE = "#8a6d9e"
LIGHT_INK = "#ffffff"
DARK_INK = "#000000"


def tenth(position: float) -> int:
    """The position's tenth, 0..39 (a position is in [0, 4))."""
    return min(max(math.floor(position * 10 + 1e-9), 0), len(TENTH_COLOURS) - 1)


def cell_class(state: str, position: float | None) -> str:
    """The CSS class of a heat map cell: "p18" for 1.8, else "divided" or "na"."""
    if state == "divided":
        return "divided"
    if position is None:
        return "na"
    return f"p{tenth(position)}"


def ink_for(colour: str) -> str:
    """The ink (light or dark) with the higher contrast ratio on `colour`."""
    background = luminance(colour)
    light = (luminance(LIGHT_INK) + 0.05) / (background + 0.05)
    dark = (background + 0.05) / (luminance(DARK_INK) + 0.05)
    return LIGHT_INK if light >= dark else DARK_INK


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def luminance(colour: str) -> float:
    """Relative luminance of "#rrggbb" (WCAG)."""
    channels = [int(colour[n:n + 2], 16) / 255 for n in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                        for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def cell_styles() -> str:
    """The stylesheet rules of the heat map cells (and the key under it)."""
    rules = [f".p{n}{{background:{colour};color:{ink_for(colour)}}}"
             for n, colour in enumerate(TENTH_COLOURS)]
    rules.append(f".na{{background:{NA_COLOUR};color:{DARK_INK}}}")
    rules.append(f".divided{{background:repeating-linear-gradient(45deg,{DIVIDED_COLOUR},"
                 f"{DIVIDED_COLOUR} 4px,#e9e1ef 4px,#e9e1ef 8px);color:{DARK_INK};"
                 f"outline:2px solid {DIVIDED_EDGE};outline-offset:-2px}}")
    return "\n".join(rules)
