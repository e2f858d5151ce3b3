"""The printable report of a closed round: what a consultant takes into a meeting.

Pure: a `Report` (outcomes that passed the privacy gate, `conversations.results.outcome`)
in, PDF bytes out, in the team's language. The pages, in reading order:

1. the model in brief: elements, phases, the authors' attribution and the caveat that
   the statements, thresholds and tips are this product's operationalisation;
2. the team's profile: headline, radar and position bars, the previous round about the
   same subject beside it; and, when the team ran rounds about several subjects, those
   initiatives side by side (a new initiative starts again at phase 1);
3. every statement per element, with the team's score, how the answers 1-5 and "don't
   know" fell, and marks for split opinions and "not enough answers";
4. what holds the team back and what to build on per element, and the checklists' tallies;
5. the tips the team was given, with the source of each (`Tip.source`);
6. commitments and their follow-up, when there are any (`Commitment`).

Only aggregates a `TeamResult` carries are drawn, and a `TeamResult` carries no figure
fewer than the team's minimum contributed to, so the report cannot show one either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from matplotlib.projections.polar import PolarAxes

from conversations.charts import draw_radar
from conversations.i18n import normalise_lang, t
from conversations.report.document import Commitment, Report, day
from conversations.report.layout import (
    MARGIN,
    MUTED_COLOUR,
    PAGE_WIDTH,
    Document,
    line_height,
    text_width,
)
from conversations.report.palette import (
    ANSWER_COLOURS,
    CURRENT_COLOUR,
    DIVIDED_COLOUR,
    DIVIDED_EDGE,
    DIVIDED_HATCH,
    DONT_KNOW_COLOUR,
    NA_COLOUR,
    PREVIOUS_COLOUR,
    RANGE_COLOUR,
    ink_for,
    position_colour,
)
from conversations.results.outcome import RoundOutcome
from conversations.views.results import TIPS_SHOWN, minority_lines, step_heading, work_order
from conversations.views.scores import (
    cut,
    element_name,
    levels_text,
    overall_lines,
    participation,
    participation_note,
    phase_name,
    phase_range,
    phase_word,
)
from model import (
    Content,
    Element,
    ElementResult,
    Finding,
    ItemScore,
    Phase,
    Tally,
    TeamResult,
    TipLevel,
    chosen_tips,
)

POSITION_TOP = 4.0
RADAR_SIZE = 10.0
RADAR_PAD = 1.2
"""Room around the radar's circle for the element names on its spokes."""
MAX_INITIATIVES = 8
"""Subjects compared side by side; the rest are counted (every round is in the CSV)."""
INITIATIVE_COLUMNS = 4
"""Subjects per row of the comparison table (A4 width)."""
INITIATIVE_TABLE = 5.5
"""About the height of one row of the comparison table (heads and five lines), in cm."""
STATEMENT_WIDTH = 8.7
SCORE_X = 12.4
BAR_X = 12.8
BAR_WIDTH = PAGE_WIDTH - MARGIN - BAR_X
BAR_HEIGHT = 0.38
MIN_LABELLED_SEGMENT = 0.32
"""A distribution segment narrower than this (cm) carries no count label."""


def report_pdf(report: Report, content: Content) -> bytes:
    """The report as PDF bytes; equal reports give equal bytes."""
    lang = report.lang
    result = report.outcome.result
    assert result is not None
    closed = day(lang, report.outcome.closed_at)
    subject = report.outcome.subject

    def footer(page: int, pages: int) -> str:
        return t(lang, "report.footer", team=report.team, subject=subject, date=closed,
                 page=page, pages=pages)

    doc = Document(footer)
    _cover(doc, report, content)
    doc.new_page()
    _profile(doc, report, result, content)
    doc.new_page()
    _statements(doc, lang, result, content)
    doc.new_page()
    _findings(doc, lang, result, content)
    _tips(doc, lang, result, content)
    _commitments(doc, lang, report.commitments)
    return doc.pdf(t(lang, "report.upload_title", subject=subject))


def plain(text: str) -> str:
    """A catalog line written for Slack, as plain text (its bold marks removed)."""
    return text.replace("*", "")


# -- 1. the model in brief -------------------------------------------------------------------


def _cover(doc: Document, report: Report, content: Content) -> None:
    lang, outcome = report.lang, report.outcome
    language = normalise_lang(lang)
    doc.paragraph(t(lang, "report.title"), size=22, weight="bold", after=0.2)
    doc.paragraph(t(lang, "report.subtitle", team=report.team, subject=outcome.subject),
                  size=14, after=0.2)
    doc.paragraph(t(lang, "report.round", date=day(lang, outcome.closed_at),
                    participation=participation(lang, outcome.responses, outcome.invited,
                                                outcome.finished),
                    minimum=outcome.min_responses), colour=MUTED_COLOUR, after=0.05)
    note = participation_note(lang, outcome.responses, outcome.invited)
    if note:
        doc.paragraph(plain(note.removeprefix("⚠️ ")), colour=MUTED_COLOUR, after=0.05)
    doc.paragraph(t(lang, "report.made", date=day(lang, report.made_at)), colour=MUTED_COLOUR)
    about = content.about
    doc.heading(t(lang, "report.model.title"), size=15)
    doc.paragraph(about.intro.get(language), size=9.5, after=0.2)
    doc.heading(t(lang, "report.model.elements"), size=10.5, keep=1.0)
    for element in Element:
        info = content.elements[element]
        doc.paragraph(t(lang, "report.model.element", name=info.name.get(language),
                        description=info.description.get(language)), size=8.5, after=0.12)
    for heading, theirs in (("report.model.phases", True), ("report.model.phases_ours", False)):
        doc.heading(t(lang, heading), size=10.5, keep=1.0)
        for phase in (p for p in Phase if p.from_the_article == theirs):
            stage = content.phases[phase]
            doc.paragraph(t(lang, "report.model.phase", number=int(phase),
                            name=stage.name.get(language),
                            description=stage.description.get(language)), size=8.5,
                          after=0.12)
    doc.heading(t(lang, "report.model.source"), size=10.5, keep=1.0)
    doc.paragraph(about.source.get(language), size=8.5)
    doc.heading(t(lang, "report.model.caveat"), size=10.5, keep=1.0)
    _boxed(doc, about.operationalisation.get(language))
    doc.heading(t(lang, "report.model.reading"), size=10.5, keep=1.0)
    doc.paragraph(t(lang, "report.model.positions"), size=8.5)
    doc.paragraph(t(lang, "report.model.privacy", minimum=outcome.min_responses), size=8.5)


def _boxed(doc: Document, text: str) -> None:
    """A paragraph on a light background: the caveat must not be missed."""
    pad = 0.25
    height = doc.height_of(text, doc.width - 2 * pad, 9.5)
    doc.ensure(height + 2 * pad)
    doc.box(MARGIN, doc.y - height - 2 * pad, doc.width, height + 2 * pad, "#fff4d6")
    doc.lines_at(MARGIN + pad, doc.y - pad, text, doc.width - 2 * pad, size=9.5)
    doc.space(height + 2 * pad + 0.2)


# -- 2. the team's profile ------------------------------------------------------------------


def _profile(doc: Document, report: Report, result: TeamResult, content: Content) -> None:
    lang, outcome = report.lang, report.outcome
    doc.heading(t(lang, "report.profile.title"), size=15)
    for line in [*overall_lines(lang, result, content),
                 *minority_lines(lang, result, content)]:
        doc.paragraph(plain(line.removeprefix("👥 ")), size=10, after=0.05)
    doc.space(0.2)
    doc.ensure(RADAR_SIZE)
    top = doc.y
    inner = RADAR_SIZE - 2 * RADAR_PAD
    radar = cast(PolarAxes, doc.axes((PAGE_WIDTH - inner) / 2, top - RADAR_SIZE + RADAR_PAD,
                                     inner, inner, projection="polar"))
    draw_radar(radar, lang, result, outcome.previous, content=content, spoke_size=9)
    doc.y = top - RADAR_SIZE
    if outcome.previous is not None and outcome.previous_closed_at is not None:
        doc.paragraph(t(lang, "report.profile.previous",
                        date=day(lang, outcome.previous_closed_at)), colour=MUTED_COLOUR)
    else:
        doc.paragraph(t(lang, "report.profile.no_previous"), colour=MUTED_COLOUR)
    _position_bars(doc, lang, result, outcome, content)
    if len(report.initiatives) > 1:
        _initiatives(doc, lang, report, content)


def _position_bars(
    doc: Document, lang: str, result: TeamResult, outcome: RoundOutcome, content: Content
) -> None:
    """Per element its position on the 0-4 scale (phase bands behind), the previous
    round's just under it in grey."""
    label_width = 5.6
    x = MARGIN + label_width
    width = PAGE_WIDTH - MARGIN - x
    scale = width / POSITION_TOP
    doc.heading(t(lang, "report.profile.bars"), size=11, keep=6.5)
    for element_result in result.elements:
        y = doc.y
        doc.lines_at(MARGIN, y - 0.05, _element_label(lang, element_result, content, brief=True),
                     label_width - 0.2, size=8, weight="bold")
        for band in Phase:
            shade = "#eeeeee" if band % 2 == 0 else "#f8f8f8"
            doc.box(x + band * scale, y - 0.8, scale, 0.8, shade)
        if not element_result.settled:  # the range, light, under the position
            doc.box(x + element_result.low * scale, y - 0.42,
                    (element_result.high - element_result.low) * scale, 0.34, RANGE_COLOUR)
        if element_result.position is not None:
            doc.box(x, y - 0.42, element_result.position * scale, 0.34, CURRENT_COLOUR,
                    **({"hatch": DIVIDED_HATCH, "edgecolor": DIVIDED_EDGE}
                       if element_result.divided else {}))
        earlier = (outcome.previous.element(element_result.element).position
                   if outcome.previous is not None else None)
        if earlier is not None:
            doc.box(x, y - 0.72, earlier * scale, 0.22, PREVIOUS_COLOUR)
        doc.space(0.9)
    for band in Phase:
        doc.lines_at(x + band * scale + 0.05, doc.y, phase_name(lang, band, content),
                     scale - 0.1, size=6.5, colour=MUTED_COLOUR)
    doc.space(0.6)
    doc.box(x, doc.y - 0.22, 0.4, 0.2, CURRENT_COLOUR)
    doc.text(x + 0.5, doc.y, t(lang, "report.profile.current"), size=7)
    if outcome.previous is not None and outcome.previous_closed_at is not None:
        doc.box(x + width / 2, doc.y - 0.22, 0.4, 0.2, PREVIOUS_COLOUR)
        doc.text(x + width / 2 + 0.5, doc.y, t(
            lang, "report.profile.earlier", date=day(lang, outcome.previous_closed_at)),
            size=7)
    doc.space(0.5)


def _element_label(lang: str, result: ElementResult, content: Content, *,
                   brief: bool = False) -> str:
    """"Value · 1.8 · Pioneering" as the post says it (a range, divided, on the edge), or
    why it has no position; `brief` (beside a bar) leaves out which statements lacked
    answers and the edge, which the statements pages say."""
    name = element_name(lang, result.element, content)
    if result.phase is None or result.position is None:
        return t(lang, "report.statements.not_placed", element=name)
    position = cut(lang, result.position)
    if result.divided:
        return t(lang, "report.statements.divided", element=name, position=position)
    if not result.settled:
        figure = t(lang, "results.element.figure_range", low=cut(lang, result.low),
                   high=cut(lang, result.high))
        phases = phase_range(lang, result.low_phase, result.high_phase, content, capital=True)
        if brief:
            return t(lang, "report.statements.placed", element=name, position=figure,
                     phase=phases)
        return t(lang, "report.statements.range", element=name, position=figure,
                 phases=phases, levels=levels_text(lang, result.short_phases))
    if result.edge is not None and not brief:
        return t(lang, "report.statements.edge", element=name, position=position,
                 phase=phase_name(lang, result.phase, content),
                 low=phase_word(lang, result.edge[0], content),
                 high=phase_word(lang, result.edge[1], content))
    return t(lang, "report.statements.placed", element=name, position=position,
             phase=phase_name(lang, result.phase, content))


def _initiatives(doc: Document, lang: str, report: Report, content: Content) -> None:
    """One column per subject: the article's life cycle, visible."""
    shown = report.initiatives[:MAX_INITIATIVES]
    intro = t(lang, "report.initiatives.intro", date=day(lang, report.outcome.closed_at))
    doc.ensure(1.2 + doc.height_of(intro, doc.width) + INITIATIVE_TABLE)
    doc.heading(t(lang, "report.initiatives.title"), size=12)
    doc.paragraph(intro, after=0.3)
    for start in range(0, len(shown), INITIATIVE_COLUMNS):
        _initiative_table(doc, lang, shown[start:start + INITIATIVE_COLUMNS], content)
    hidden = len(report.initiatives) - len(shown)
    if hidden:
        doc.paragraph(t(lang, "report.initiatives.more", count=hidden), colour=MUTED_COLOUR)


def _initiative_table(
    doc: Document, lang: str, outcomes: Sequence[RoundOutcome], content: Content
) -> None:
    label_width = 3.2
    column = (doc.width - label_width) / INITIATIVE_COLUMNS
    row = 0.62
    heads = [(o.subject, t(lang, "report.initiatives.answered", date=day(lang, o.closed_at),
                           responses=o.responses, invited=o.invited)) for o in outcomes]
    head_height = max(doc.height_of(subject, column - 0.2, 8, "bold") + line_height(7)
                      for subject, _ in heads)
    doc.ensure(head_height + row * 5 + 0.4)
    top = doc.y
    for number, (subject, answered) in enumerate(heads):
        x = MARGIN + label_width + number * column + 0.1
        used = doc.lines_at(x, top, subject, column - 0.2, size=8, weight="bold")
        doc.text(x, top - used, answered, size=7, colour=MUTED_COLOUR)
    y = top - head_height - 0.15
    labels = [t(lang, "report.initiatives.overall"),
              *(element_name(lang, e, content) for e in Element)]
    for index, label in enumerate(labels):
        doc.text(MARGIN, y - row / 2, label, size=8, weight="bold" if index == 0 else "normal",
                 valign="center")
        for number, outcome in enumerate(outcomes):
            x = MARGIN + label_width + number * column
            _initiative_cell(doc, lang, outcome, None if index == 0 else list(Element)[index - 1],
                             content, x, y, column, row)
        y -= row
    doc.y = y - 0.4


def _initiative_cell(
    doc: Document, lang: str, outcome: RoundOutcome, element: Element | None,
    content: Content, x: float, y: float, width: float, height: float,
) -> None:
    """One subject's overall phase (element None) or one element, coloured like the heat map."""
    inset = 0.04
    result = outcome.result
    text, colour, hatch = t(lang, "report.initiatives.withheld"), NA_COLOUR, None
    if result is not None and element is None:
        if result.divided_on:
            text, colour, hatch = t(lang, "report.profile.divided"), DIVIDED_COLOUR, DIVIDED_HATCH
        else:
            text = phase_range(lang, result.overall, result.overall_high, content,
                               capital=True)
            colour = position_colour(float(result.overall) + 0.5)
    elif result is not None and element is not None:
        element_result = result.element(element)
        if element_result.position is None or element_result.phase is None:
            text = t(lang, "report.profile.not_enough")
        elif element_result.divided:
            text, colour, hatch = t(lang, "report.profile.divided"), DIVIDED_COLOUR, DIVIDED_HATCH
        elif not element_result.settled:
            colour = position_colour(element_result.position)
            text = t(lang, "results.element.figure_range", low=cut(lang, element_result.low),
                     high=cut(lang, element_result.high))
        else:
            colour = position_colour(element_result.position)
            text = (f"{phase_name(lang, element_result.phase, content)} "
                    f"{cut(lang, element_result.position)}")
    style = {"hatch": hatch, "edgecolor": DIVIDED_EDGE} if hatch else {}
    doc.box(x + inset, y - height + inset, width - 2 * inset, height - 2 * inset, colour, **style)
    doc.text(x + width / 2, y - height / 2, text, size=7.5, colour=ink_for(colour),
             align="center", valign="center")


# -- 3. every statement -----------------------------------------------------------------------


def _statements(doc: Document, lang: str, result: TeamResult, content: Content) -> None:
    doc.heading(t(lang, "report.statements.title"), size=15)
    doc.paragraph(t(lang, "report.statements.intro", minimum=result.minimum), after=0.25)
    _answer_legend(doc, lang, content)
    scores = {item.item_id: item for item in result.items}
    for element_result in result.elements:
        label = _element_label(lang, element_result, content)
        doc.heading(label, size=11, keep=1.5)
        for item in content.questionnaire.items_for(element_result.element):
            text = item.text.get(normalise_lang(lang))
            if not doc.fits(_statement_height(doc, text)):
                doc.new_page()
                doc.heading(label, size=11)  # the element goes on: say which it is
            _statement(doc, lang, text, int(item.phase), scores.get(item.id))


def _answer_legend(doc: Document, lang: str, content: Content) -> None:
    language = normalise_lang(lang)
    entries = [(t(lang, "report.statements.legend_scale", value=n + 1, label=label.get(language)),
                ANSWER_COLOURS[n]) for n, label in enumerate(content.questionnaire.scale)]
    entries.append((t(lang, "report.statements.legend_scale",
                      value=t(lang, "report.statements.dont_know"),
                      label=content.questionnaire.dont_know.get(language)), DONT_KNOW_COLOUR))
    doc.ensure(1.0)
    x = MARGIN
    for text, colour in entries:
        width = 0.45 + text_width(text, 7) + 0.35
        if x + width > PAGE_WIDTH - MARGIN:
            x = MARGIN
            doc.space(0.45)
        doc.box(x, doc.y - 0.3, 0.3, 0.3, colour)
        doc.text(x + 0.4, doc.y - 0.02, text, size=7)
        x += width
    doc.space(0.7)


def _statement(
    doc: Document, lang: str, text: str, tag: int, score: ItemScore | None
) -> None:
    """One row: phase tag, statement, the team's score and how the answers fell."""
    height = _statement_height(doc, text)
    doc.ensure(height)
    top = doc.y
    doc.text(MARGIN, top, t(lang, "report.statements.tag", phase=tag), size=7,
             colour=MUTED_COLOUR)
    doc.lines_at(MARGIN + 0.8, top, text, STATEMENT_WIDTH, size=8.5)
    if score is None or not score.counted or score.counts is None or score.score is None:
        doc.text(BAR_X, top, t(lang, "report.statements.not_enough"), size=7.5,
                 colour=MUTED_COLOUR)
    else:
        doc.text(SCORE_X, top, cut(lang, score.score), size=10, weight="bold", align="right")
        _distribution(doc, score.counts, score.dont_know or 0, top)
        if score.polarised:
            doc.text(BAR_X, top - BAR_HEIGHT - 0.12, t(lang, "report.statements.polarised"),
                     size=6.5, colour=DIVIDED_EDGE)
    doc.y = top - height


def _statement_height(doc: Document, text: str) -> float:
    """A row's height with the space under it: the wrapped statement, or the bar and mark."""
    return max(doc.height_of(text, STATEMENT_WIDTH, 8.5), 0.9) + 0.2


def _distribution(doc: Document, counts: Sequence[int], dont_know: int, top: float) -> None:
    """A bar of the answers 1..5 and "don't know", each segment as wide as its share."""
    total = sum(counts) + dont_know
    x = BAR_X
    y = top - BAR_HEIGHT + 0.02
    for count, colour in zip((*counts, dont_know), (*ANSWER_COLOURS, DONT_KNOW_COLOUR),
                             strict=True):
        if not count:
            continue
        width = BAR_WIDTH * count / total
        doc.box(x, y, width, BAR_HEIGHT, colour, edgecolor="white", linewidth=0.5)
        if width >= MIN_LABELLED_SEGMENT:
            doc.text(x + width / 2, y + BAR_HEIGHT / 2, str(count), size=6.5,
                     colour=ink_for(colour), align="center", valign="center")
        x += width


# -- 4. findings and checklists -----------------------------------------------------------------


def _findings(doc: Document, lang: str, result: TeamResult, content: Content) -> None:
    doc.heading(t(lang, "report.findings.title"), size=15)
    for element_result in work_order(result):
        element, phase = element_result.element, element_result.phase
        if phase is None or element_result.divided:
            key = "divided" if element_result.divided else "not_placed"
            doc.heading(element_name(lang, element, content), size=10.5, keep=0.8)
            doc.paragraph(t(lang, f"report.findings.{key}"), colour=MUTED_COLOUR)
            continue
        doc.heading(plain(step_heading(lang, element, phase, content)), size=10.5, keep=1.5)
        title = "slip" if phase == Phase.STRATEGIC else "inhibitors"
        _finding_list(doc, lang, t(lang, f"report.findings.{title}"),
                      result.inhibitors_for(element))
        _finding_list(doc, lang, t(lang, "report.findings.drivers"), result.drivers_for(element))
    _checklists(doc, lang, result, content)


def _finding_list(doc: Document, lang: str, title: str, findings: Sequence[Finding]) -> None:
    doc.paragraph(title, weight="bold", size=8.5, after=0.08, keep=0.5)
    if not findings:
        doc.paragraph(t(lang, "report.findings.nothing"), indent=0.4, colour=MUTED_COLOUR)
        return
    language = normalise_lang(lang)
    for finding in findings:
        key = "confirmed" if finding.confirmed else "line"
        doc.paragraph(t(lang, f"report.findings.{key}", theme=finding.theme.get(language),
                        score=cut(lang, finding.score)), indent=0.4, after=0.05, bullet=True)
    doc.space(0.15)


def _checklists(doc: Document, lang: str, result: TeamResult, content: Content) -> None:
    questionnaire = content.questionnaire
    language = normalise_lang(lang)
    doc.heading(t(lang, "report.findings.checklists"), size=12, keep=3.0)
    for key, tally, options, question in (
        ("barriers", result.barriers, questionnaire.barriers, questionnaire.barrier_question),
        ("start_reasons", result.start_reasons, questionnaire.start_reasons,
         questionnaire.start_question),
    ):
        if tally is None:
            doc.paragraph(t(lang, "report.findings.hidden", question=question.get(language),
                            minimum=result.minimum), colour=MUTED_COLOUR)
            continue
        labels = {o.id: o.label.get(language) for o in options}
        doc.paragraph(t(lang, f"report.findings.{key}", people=tally.contributors),
                      weight="bold", size=8.5, keep=1.0)
        _tally_bars(doc, tally, labels)


def _tally_bars(doc: Document, tally: Tally, labels: dict[str, str]) -> None:
    """Every option, most ticked first, its bar as long as its share of the people."""
    ticked = sorted(((count, n, option) for n, (option, count) in enumerate(tally.counts.items())
                     if option in labels), key=lambda row: (-row[0], row[1]))
    label_width = min(max(text_width(labels[o], 8) for _, _, o in ticked) + 0.6, 8.0)
    bar_width, row = doc.width - 0.4 - label_width - 1.0, 0.45
    for count, _, option in ticked:
        doc.ensure(row)
        y = doc.y
        doc.text(MARGIN + 0.4, y, labels[option], size=8)
        if count:
            doc.box(MARGIN + 0.4 + label_width, y - 0.32,
                    bar_width * count / max(tally.contributors, 1), 0.3, CURRENT_COLOUR)
        doc.text(MARGIN + 0.4 + label_width + bar_width + 0.2, y, str(count), size=8)
        doc.space(row)
    doc.space(0.2)


# -- 5. tips and their sources ------------------------------------------------------------------


def _tips(doc: Document, lang: str, result: TeamResult, content: Content) -> None:
    language = normalise_lang(lang)
    doc.heading(t(lang, "report.tips.title"), size=15, keep=3.0)
    doc.paragraph(t(lang, "report.tips.intro"), after=0.25)
    themes = {item.id: item.theme.get(language) for item in content.questionnaire.items}
    for element_result in work_order(result):
        element, phase = element_result.element, element_result.phase
        if phase is None or element_result.divided:
            if element_result.divided:
                doc.paragraph(t(lang, "report.tips.divided",
                                element=element_name(lang, element, content)), after=0.25)
            continue
        doc.heading(plain(step_heading(lang, element, phase, content)), size=10.5, keep=2.0)
        for level, key in ((TipLevel.TEAM, "team"), (TipLevel.ORGANISATION, "organisation")):
            tips = chosen_tips(element, phase, result.inhibitors, level, content=content)
            if not tips:
                continue
            doc.paragraph(t(lang, f"report.tips.{key}"), weight="bold", size=8.5, after=0.08,
                          keep=1.2)
            for tip in tips[:TIPS_SHOWN[level]]:
                doc.paragraph(tip.text.get(language), indent=0.4, after=0.04, keep=0.6,
                              bullet=True)
                addressed = [themes[i] for i in tip.addresses if i in themes]
                if addressed:
                    doc.paragraph(t(lang, "report.tips.addresses", themes="; ".join(addressed)),
                                  size=7.5, indent=0.75, colour=MUTED_COLOUR, after=0.02)
                doc.paragraph(t(lang, "report.tips.source", source=tip.source.get(language)),
                              size=7.5, indent=0.75, colour=MUTED_COLOUR, after=0.15)


# -- 6. commitments ---------------------------------------------------------------------------


def _commitments(doc: Document, lang: str, commitments: Sequence[Commitment]) -> None:
    """Nothing at all when there are none: no empty heading."""
    if not commitments:
        return
    doc.heading(t(lang, "report.commitments.title"), size=15, keep=2.0)
    for commitment in commitments:
        doc.paragraph(commitment.what, weight="bold", size=9, after=0.04, keep=0.5, bullet=True)
        doc.paragraph(t(lang, "report.commitments.line",
                        owner=commitment.owner or t(lang, "report.commitments.nobody"),
                        due=day(lang, commitment.due) if commitment.due
                        else t(lang, "report.commitments.no_due"),
                        state=t(lang, "report.commitments.done" if commitment.done
                                else "report.commitments.open")),
                      size=8, indent=0.35, colour=MUTED_COLOUR, after=0.04)
        for note in commitment.follow_up:
            doc.paragraph(t(lang, "report.commitments.follow_up", text=note), size=8,
                          indent=0.35, after=0.04)
        doc.space(0.15)
