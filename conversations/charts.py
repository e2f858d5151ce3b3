"""Charts of a team's results as PNG bytes: a radar of the four elements, a pulse trend line.

Built with matplotlib's object API on the Agg canvas (no pyplot), so each call owns its
figure and renders can run side by side in the bot's worker threads. Both show positions
(0 to just under 4, the whole part being the phase), with rings (radar) or grid lines
(trend) at 1, 2 and 3 named after the phase that starts there, so a point between the
"Pioneering" and "Facilitating" rings is a pioneering element, exactly as its label says.
Scoring v3: a divided element keeps its position (its spoke says "divided"); where too
few answered some statements the radar draws the range the position may lie in along the
spoke, and the spoke gives it. An element without any position (no statement had enough
answers) is not drawn: its spoke says why, and the line leaves a gap.

matplotlib is imported by the first chart, not with this module: it takes most of a
second, and the bot's start (until it answers `/healthz`) should not wait for it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from conversations.i18n import Lang, normalise_lang, t
from conversations.trend import TrendPoint
from conversations.views.scores import cut
from model import Content, Element, Phase, TeamResult, load_content

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.projections.polar import PolarAxes

CENTRE = 0.0
RINGS = (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC)
POSITION_TOP = 4.0
RADAR_SIZE = (6.0, 6.0)
TREND_SIZE = (8.0, 4.0)
DPI = 100
DODGE = 0.04
"""Sideways shift per element on the trend chart, so equal indices do not hide each other."""
BAND_COLOURS = ("#f4f4f4", "#ffffff", "#f4f4f4", "#ffffff")
"""Light bands, so the eye sees which phase a point lies in."""
BAND_LABEL_ANGLE = math.pi / 4
FULL_CIRCLE = [2 * math.pi * n / 100 for n in range(101)]
CURRENT_COLOUR = "#1264a3"
PREVIOUS_COLOUR = "#868686"
RANGE_COLOUR = "#a9c8e3"
ELEMENT_COLOURS = {
    Element.WAARDE: "#1264a3",
    Element.IMPACT: "#e01e5a",
    Element.INNOVATIE: "#2eb67d",
    Element.INVESTERING: "#ecb22e",
}


def radar_title(lang: str, subject: str) -> str:
    """The usual title for a round's radar chart."""
    return t(lang, "results.chart.radar_title", subject=subject)


def trend_title(lang: str, subject: str) -> str:
    """The usual title for a team's pulse trend chart."""
    return t(lang, "results.chart.trend_title", subject=subject)


def radar_chart(
    lang: str,
    result: TeamResult,
    previous: TeamResult | None = None,
    *,
    title: str,
    content: Content | None = None,
) -> bytes:
    """PNG radar of the four positions; the previous round, when given, as a dashed line."""
    figure = _figure(RADAR_SIZE)
    axes = cast("PolarAxes", figure.add_subplot(projection="polar"))
    draw_radar(axes, lang, result, previous, content=content)
    figure.suptitle(title, fontsize=13, parse_math=False)
    figure.subplots_adjust(top=0.84, bottom=0.1)
    if previous is not None:
        axes.legend(loc="lower right", bbox_to_anchor=(1.12, -0.12), fontsize=9)
    return png_bytes(figure)


def draw_radar(
    axes: PolarAxes,
    lang: str,
    result: TeamResult,
    previous: TeamResult | None = None,
    *,
    content: Content | None = None,
    spoke_size: float = 11,
) -> None:
    """The radar on polar axes someone else placed (the PNG above, a page of the report)."""
    content = content or load_content()
    language = normalise_lang(lang)
    angles = [2 * math.pi * n / len(Element) for n in range(len(Element))]
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    if previous is not None:
        _polygon(axes, angles, _radii(previous), PREVIOUS_COLOUR, "--",
                 t(language, "results.chart.previous"), fill=False)
    _ranges(axes, angles, result)
    _polygon(axes, angles, _radii(result), CURRENT_COLOUR, "-",
             t(language, "results.chart.current"), fill=True)
    _position_labels(axes, language, angles, _radii(result))
    _rings(axes, language, content)
    axes.set_xticks(angles)
    axes.set_xticklabels(_spoke_labels(language, result, content), fontsize=spoke_size)


def _radii(result: TeamResult) -> list[float]:
    """Each element's position in element order; NaN (a gap) where there is none."""
    return [math.nan if r.position is None else r.position for r in
            (result.element(e) for e in Element)]


def _ranges(axes: Axes, angles: Sequence[float], result: TeamResult) -> None:
    """Along each spoke whose phase missing answers leave open: where it may lie."""
    for angle, element in zip(angles, Element, strict=True):
        element_result = result.element(element)
        if element_result.placed and not element_result.settled:
            axes.plot([angle, angle], [element_result.low, element_result.high],
                      color=RANGE_COLOUR, linewidth=7, solid_capstyle="butt", zorder=2)


def _polygon(
    axes: Axes, angles: Sequence[float], radii: Sequence[float], colour: str, style: str,
    label: str, *, fill: bool,
) -> None:
    """The closed outline (broken where an element has no position), filled when whole."""
    closed_angles = [*angles, angles[0]]
    closed_radii = [*radii, radii[0]]
    axes.plot(closed_angles, closed_radii, color=colour, linestyle=style, linewidth=2,
              marker="o", label=label)
    if fill and not any(math.isnan(r) for r in radii):
        axes.fill(closed_angles, closed_radii, color=colour, alpha=0.15)


def _rings(axes: PolarAxes, lang: Lang, content: Content) -> None:
    """Rings at 1, 2 and 3 (where a phase starts), and each band between them named after
    its phase, halfway between two spokes so no label sits on a ring or a line."""
    axes.set_ylim(CENTRE, POSITION_TOP)
    axes.set_yticks([float(phase) for phase in RINGS])
    axes.set_yticklabels([])
    for band, colour in zip(Phase, BAND_COLOURS, strict=True):
        axes.fill_between(FULL_CIRCLE, band, band + 1, color=colour, zorder=0)
        axes.text(BAND_LABEL_ANGLE, band + 0.5, content.phases[band].name.get(lang),
                  ha="center", va="center", fontsize=8, color="#444444", zorder=5,
                  bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def _position_labels(
    axes: Axes, lang: Lang, angles: Sequence[float], radii: Sequence[float]
) -> None:
    """Each point's position as the post shows it (cut to one decimal)."""
    for angle, radius in zip(angles, radii, strict=True):
        if not math.isnan(radius):
            axes.annotate(cut(lang, radius), (angle, radius), textcoords="offset points",
                          xytext=(7, 7), fontsize=9, color=CURRENT_COLOUR)


def _spoke_labels(lang: Lang, result: TeamResult, content: Content) -> list[str]:
    labels = []
    for element in Element:
        name = content.elements[element].name.get(lang)
        element_result = result.element(element)
        if element_result.position is None:
            name += f"\n({t(lang, 'results.chart.na')})"
        elif element_result.divided:
            name += f"\n({t(lang, 'results.chart.divided')})"
        elif not element_result.settled:
            name += "\n(" + t(lang, "results.chart.range", low=cut(lang, element_result.low),
                              high=cut(lang, element_result.high)) + ")"
        labels.append(name)
    return labels


def trend_chart(
    lang: str,
    points: Sequence[TrendPoint],
    *,
    title: str,
    content: Content | None = None,
) -> bytes:
    """PNG line chart of each element's position over rounds (oldest first); None is a gap."""
    content = content or load_content()
    language = normalise_lang(lang)
    figure = _figure(TREND_SIZE)
    axes = figure.add_subplot()
    for number, element in enumerate(Element):
        positions = [n + DODGE * (number - 1.5) for n in range(len(points))]
        values = [_value(positions, element) for _, positions in points]
        axes.plot(positions, values, marker="o", linewidth=2, color=ELEMENT_COLOURS[element],
                  label=content.elements[element].name.get(language))
    _trend_axes(axes, language, points, content)
    axes.set_title(title, fontsize=12, parse_math=False)
    if points:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    else:
        axes.text(0.5, 0.5, t(language, "results.chart.no_data"), transform=axes.transAxes,
                  ha="center", va="center", color="#555555")
    figure.subplots_adjust(left=0.16, right=0.78, bottom=0.2)
    return png_bytes(figure)


def _value(positions: Mapping[Element, float | None], element: Element) -> float:
    position = positions.get(element)
    return math.nan if position is None else position


def _trend_axes(axes: Axes, lang: Lang, points: Sequence[TrendPoint], content: Content) -> None:
    date_format = t(lang, "results.chart.date_format")
    axes.set_xticks(range(len(points)))
    axes.set_xticklabels([when.strftime(date_format) for when, _ in points], rotation=30,
                         ha="right", fontsize=8)
    axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    axes.set_ylim(CENTRE, POSITION_TOP)
    for band, colour in zip(Phase, BAND_COLOURS, strict=True):
        axes.axhspan(band, band + 1, color=colour, zorder=0)
    for ring in RINGS:
        axes.axhline(float(ring), color="#bbbbbb", linewidth=0.8, zorder=1)
    axes.set_yticks([band + 0.5 for band in Phase])
    axes.set_yticklabels([content.phases[band].name.get(lang) for band in Phase], fontsize=8)
    axes.tick_params(axis="y", length=0)
    axes.set_ylabel(t(lang, "results.chart.position_axis"))


def _figure(size: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure  # see the module docstring

    return Figure(figsize=size, dpi=DPI)


def png_bytes(figure: Figure) -> bytes:
    """Render on a private Agg canvas; no software stamp, so equal input gives equal bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
