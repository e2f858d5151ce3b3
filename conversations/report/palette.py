"""Colours shared by the report and the heat map, so a phase looks the same on both.

A position (0 to just under 4) is coloured on one light-to-dark scale (matplotlib's
"YlGnBu", readable in grey and by most colour-blind readers). Each phase takes its own
stretch of the scale with a small step between phases, so the phase shows as a shade
family and the position within it as depth: 1.1 and 1.9 are clearly both pioneering,
and 1.9 is deeper.
"""

from __future__ import annotations

import math

import matplotlib
from matplotlib.colors import to_hex, to_rgb

SCALE = matplotlib.colormaps["YlGnBu"]
SCALE_START = 0.08
SCALE_END = 0.95
PHASE_GAP = 0.2
"""Part of each phase's stretch left out between phases."""
NA_COLOUR = "#e6e6e6"
"""Fewer than the minimum answered: no colour, nothing to read."""
DIVIDED_COLOUR = "#ffffff"
DIVIDED_HATCH = "////"
DIVIDED_EDGE = "#8a6d9e"
LIGHT_INK = "#ffffff"
DARK_INK = "#1d1c1d"
ANSWER_COLOURS = ("#d7301f", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
"""Answers 1 (strongly disagree) to 5 (strongly agree)."""
DONT_KNOW_COLOUR = "#c8c8c8"
PREVIOUS_COLOUR = "#9e9e9e"
CURRENT_COLOUR = "#1264a3"
RANGE_COLOUR = "#a9c8e3"
"""Where a position may lie when too few answered some statements: a light bar under it."""
PHASES = 4


def position_colour(position: float) -> str:
    """The colour of a position: its phase's shade family, deeper towards the next phase."""
    phase = min(math.floor(position), PHASES - 1)
    progress = min(max(position - phase, 0.0), 1.0)
    within = PHASE_GAP / 2 + (1 - PHASE_GAP) * progress
    share = (phase + within) / PHASES
    return to_hex(SCALE(SCALE_START + (SCALE_END - SCALE_START) * share))


def ink_for(colour: str) -> str:
    """Text colour that reads on `colour` (relative luminance, WCAG's formula)."""
    red, green, blue = (_linear(c) for c in to_rgb(colour))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return LIGHT_INK if luminance < 0.3 else DARK_INK


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
