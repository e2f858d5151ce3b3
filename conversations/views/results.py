"""What the team gets back in its channel when a round closes: phases, findings, tips.

Pure: a `RoundOutcome` (passed through the privacy gate in `conversations.results`) in, a
message dict out. A withheld round shows counts and the reason only. Otherwise the post
reads top-down as a team would use it:

1. how many answered (and finished); the headline (scoring v3: the overall phase, or both
   phases missing answers leave open, or "divided" where it rests on a split element), how
   many elements are further, and the bottleneck when one is clearly behind;
2. every element with its bar, position and phase (or range, or "divided", or "not enough
   answers", and "on the edge" where one person decides it), the minorities and split
   statements worth hearing, then how the commitments since the last round went;
3. per element, furthest behind first, what separates it from its next phase (each
   statement in a few words with the team's score), what to build on, and the team tips
   that address its biggest inhibitors;
4. the organisation tips "for your sponsor", then the checklists' tallies;
5. how to read it, the privacy line and where the model comes from (`/wi3 about`).

Every list that can grow is cut with "and N more in `/wi3 report`" (the report lists all of
it), so a post stays within Slack's 50 blocks and 3000 characters per section whatever the
result holds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block, DividerBlock

from conversations.actions.read import CommitmentTally
from conversations.i18n import normalise_lang, t
from conversations.results.outcome import RoundOutcome
from conversations.views.commitments import since_blocks
from conversations.views.common import (
    Message,
    context,
    header,
    message,
    mrkdwn_escape,
    section,
    slack_date,
)
from conversations.views.scores import (
    bounded_list,
    element_line,
    element_name,
    finding_line,
    overall_lines,
    participation,
    participation_note,
    phase_range,
    phase_word,
    trend_text,
)
from model import (
    Content,
    Element,
    ElementResult,
    Finding,
    Phase,
    Tally,
    TeamResult,
    TipLevel,
    chosen_tips,
    load_content,
)

MAX_INHIBITORS = 3
MAX_DRIVERS = 2
MAX_TOPICS = 6
MORE_IN_REPORT = "results.more_in_report"
"""What a cut list in a results post says: where the rest is (the PDF report lists it all)."""
FINDINGS_BUDGET = 1000
"""Characters for an element's inhibitors, and again for its drivers, so its tips always
fit in the same section."""
TIPS_SHOWN = {TipLevel.TEAM: 2, TipLevel.ORGANISATION: 1}
"""Tips per element: the team's two, and one for the sponsor."""


def results_post(lang: str, outcome: RoundOutcome, content: Content | None = None, *,
                 since: CommitmentTally | None = None) -> Message:
    """The channel post for a closed diagnostic round, in the team's language; `since`:
    how the commitments planned after the previous round went (shown next to the trend)."""
    content = content or load_content()
    if outcome.result is None:
        return withheld_post(lang, outcome)
    result = outcome.result
    blocks: list[Block] = [
        header(t(lang, "results.post.title", subject=outcome.subject)),
        context(*response_lines(lang, outcome)),
        section("\n".join(overall_lines(lang, result, content))),
        DividerBlock(),
        *element_blocks(lang, result, outcome.previous, content),
        *since_blocks(lang, since),
        DividerBlock(),
        *work_blocks(lang, result, content),
        *sponsor_blocks(lang, result, content),
        *tally_blocks(lang, result, content),
        context(*legends(lang, outcome)),
    ]
    return message(fallback(lang, outcome, result, content), blocks)


def withheld_post(lang: str, outcome: RoundOutcome) -> Message:
    """How many answered and why nothing is shown; nothing from any result."""
    counts = {"responses": outcome.responses, "invited": outcome.invited,
              "min_responses": outcome.min_responses}
    subject = mrkdwn_escape(outcome.subject)
    reason = outcome.withheld.value if outcome.withheld else "minimum"
    blocks: list[Block] = [
        header(t(lang, "results.withheld.title", subject=outcome.subject)),
        section(t(lang, f"results.withheld.{reason}", **counts)),
        context(t(lang, "results.post.closed_on", date=slack_date(outcome.closed_at)),
                t(lang, "results.withheld.next")),
    ]
    return message(t(lang, "results.withheld.fallback", subject=subject, **counts), blocks)


# -- the parts of the post ---------------------------------------------------------------------


def element_blocks(
    lang: str, result: TeamResult, previous: TeamResult | None, content: Content
) -> list[Block]:
    """One line per element (bar, position, phase or why none), then the flags."""
    lines = []
    for element_result in result.elements:
        line = element_line(lang, element_result, content, result.minimum)
        if previous is not None and element_result.position is not None:
            line += " · " + trend_text(lang, result, previous, element_result.element)
        lines.append(line)
    blocks: list[Block] = [section("\n".join(lines))]
    flags = flag_lines(lang, result, content)
    if flags:
        blocks.append(section("\n".join(flags)))
    return blocks


def flag_lines(lang: str, result: TeamResult, content: Content, *,
               max_topics: int = MAX_TOPICS) -> list[str]:
    """Uneven growth, the minorities that see an element much lower or higher (rule 6),
    and the statements the team is split on outside the divided elements (those have their
    own section)."""
    lines = []
    if result.imbalance:
        lines.append(t(lang, "results.post.imbalance"))
    lines += minority_lines(lang, result, content)
    undivided = {e.element for e in result.placed if not e.divided}
    topics = polarised_themes(lang, result, content, undivided)
    if topics:
        lines.append(t(lang, "results.post.polarised",
                       topics=_bounded_inline(lang, topics, max_topics)))
    return lines


def minority_lines(lang: str, result: TeamResult, content: Content) -> list[str]:
    """"3 of 10 see Value much lower. Worth hearing them out." (counts only, rule 6)."""
    lines = []
    for element_result in result.elements:
        minority = element_result.minority
        if minority is not None:
            key = "minority_lower" if minority.lower else "minority_higher"
            lines.append(t(lang, f"results.post.{key}", count=minority.count,
                           answered=minority.answered,
                           element=element_name(lang, element_result.element, content)))
    return lines


def work_blocks(lang: str, result: TeamResult, content: Content) -> list[Block]:
    """Per element, furthest behind first: what holds it back, what to build on, tips."""
    blocks: list[Block] = []
    for element_result in work_order(result):
        if element_result.divided:
            blocks.append(section(_divided_text(lang, element_result, result, content)))
        elif element_result.phase is not None:
            blocks.append(section(_work_text(lang, element_result, result, content)))
    if blocks:
        blocks.insert(0, section(t(lang, "results.post.work_title")))
    return blocks


def sponsor_blocks(lang: str, result: TeamResult, content: Content) -> list[Block]:
    """The organisation tips, one per element: what the team needs a sponsor for."""
    lines = []
    for element_result in work_order(result):
        if element_result.phase is None or element_result.divided:
            continue
        tips = chosen_tips(element_result.element, element_result.phase, result.inhibitors,
                           TipLevel.ORGANISATION, content=content)
        for tip in tips[:TIPS_SHOWN[TipLevel.ORGANISATION]]:
            lines.append(t(lang, "results.post.sponsor_tip",
                           element=element_name(lang, element_result.element, content),
                           text=tip.text.get(normalise_lang(lang))))
    if not lines:
        return []
    return [section(bounded_list(lang, t(lang, "results.post.sponsor_title"), lines,
                                 len(lines)))]


def tally_blocks(lang: str, result: TeamResult, content: Content) -> list[Block]:
    """What the team ticked as holding it back, and why it started (each only when enough
    people ticked something)."""
    questionnaire = content.questionnaire
    blocks: list[Block] = []
    for key, tally, options in (("barriers", result.barriers, questionnaire.barriers),
                                ("start_reasons", result.start_reasons,
                                 questionnaire.start_reasons)):
        text = tally_text(lang, key, tally, {o.id: o.label.get(normalise_lang(lang))
                                             for o in options})
        if text:
            blocks.append(section(text))
    return blocks


def legends(lang: str, outcome: RoundOutcome) -> list[str]:
    lines = [t(lang, "results.post.position_legend")]
    result = outcome.result
    if result is not None and any(not e.settled or e.edge for e in result.placed):
        lines.append(t(lang, "results.post.range_legend"))
    if outcome.previous is not None:
        lines.append(trend_legend(lang, outcome.previous_closed_at))
    lines.append(t(lang, "results.post.privacy", min_responses=outcome.min_responses))
    lines.append(t(lang, "results.post.about"))
    return lines


def fallback(lang: str, outcome: RoundOutcome, result: TeamResult, content: Content) -> str:
    subject = mrkdwn_escape(outcome.subject)
    if result.divided_on:
        return t(lang, "results.post.fallback_no_overall", subject=subject)
    return t(lang, "results.post.fallback", subject=subject,
             phase=phase_range(lang, result.overall, result.overall_high, content))


# -- pieces shared with the pulse post and the status views -------------------------------------


def response_lines(lang: str, outcome: RoundOutcome) -> list[str]:
    """"Round closed <date> · 7 of 12 answered (6 finished)", and below half of those
    invited, how to read it (§3.7 rule 8)."""
    lines = [t(lang, "results.post.closed", date=slack_date(outcome.closed_at),
               participation=participation(lang, outcome.responses, outcome.invited,
                                           outcome.finished))]
    note = participation_note(lang, outcome.responses, outcome.invited)
    return [*lines, note] if note else lines


def work_order(result: TeamResult) -> list[ElementResult]:
    """Elements furthest behind first (lowest position, divided ones among them: they keep
    their place), then those without a position."""
    order = list(Element)

    def key(e: ElementResult) -> tuple[int, float, int]:
        if e.position is not None:
            return (0, e.position, order.index(e.element))
        return (1, 0.0, order.index(e.element))

    return sorted(result.elements, key=key)


def step_heading(lang: str, element: Element, phase: Phase, content: Content) -> str:
    """"*Value* · from pioneering to facilitating", or "staying strategic" at the top."""
    name = element_name(lang, element, content)
    if phase == Phase.STRATEGIC:
        return t(lang, "results.post.step_sustain", element=name,
                 phase=phase_word(lang, phase, content))
    return t(lang, "results.post.step_next", element=name,
             from_phase=phase_word(lang, phase, content),
             to_phase=phase_word(lang, Phase(phase + 1), content))


def polarised_themes(
    lang: str, result: TeamResult, content: Content, elements: set[Element]
) -> list[str]:
    """The themes of the statements the team is split on, within `elements`.

    A statement the current content no longer knows is skipped rather than guessed at.
    """
    known = {item.id: item for item in content.questionnaire.items}
    return [known[i].theme.get(normalise_lang(lang)) for i in result.polarised_items
            if i in known and known[i].element in elements]


def tally_text(lang: str, key: str, tally: Tally | None, labels: dict[str, str]) -> str | None:
    """"*Title* (5 people): Time (3) · Budget (1)", most ticked first; None when hidden."""
    if tally is None:
        return None
    title = t(lang, f"results.post.{key}_title", people=tally.contributors)
    return bounded_list(lang, title, [" · ".join(ticked_items(lang, tally, labels))], 1)


def ticked_items(lang: str, tally: Tally, labels: dict[str, str],
                 most: int | None = None, *, also: Collection[str] = ()) -> list[str]:
    """"Time (3)", "Budget (1)": the options ticked at least once, most ticked first (in
    checklist order on a tie), at most `most` of them, and the options in `also` whatever
    their rank."""
    ticked = [(count, n, option_id) for n, (option_id, count) in enumerate(tally.counts.items())
              if count > 0 and option_id in labels]
    ticked.sort(key=lambda row: (-row[0], row[1]))
    kept = [row for rank, row in enumerate(ticked)
            if most is None or rank < most or row[2] in also]
    return [t(lang, "results.post.tally_item", label=labels[option_id], count=count)
            for count, _, option_id in kept]


def trend_legend(lang: str, since: datetime | None) -> str:
    """What the arrows mean; "same" is a change of less than 0.1 (see conversations.trend)."""
    if since is None:
        return t(lang, "results.post.trend_legend_undated")
    return t(lang, "results.post.trend_legend", date=slack_date(since))


def shown_inhibitors(
    result: TeamResult, element: Element
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(shown, under "and N more"): the biggest gaps, and every one the team confirmed as
    a barrier, which is never hidden."""
    found = result.inhibitors_for(element)
    first, rest = found[:MAX_INHIBITORS], found[MAX_INHIBITORS:]
    return (*first, *(f for f in rest if f.confirmed)), tuple(f for f in rest if not f.confirmed)


def _work_text(
    lang: str, element_result: ElementResult, result: TeamResult, content: Content
) -> str:
    element, phase = element_result.element, element_result.phase
    assert phase is not None
    lines = [step_heading(lang, element, phase, content)]
    shown, hidden = shown_inhibitors(result, element)
    inhibitors = [finding_line(lang, f) for f in (*shown, *hidden)]
    title_key = "slip_title" if phase == Phase.STRATEGIC else "inhibitors_title"
    if inhibitors:
        lines.append(bounded_list(lang, t(lang, f"results.post.{title_key}"), inhibitors,
                                  len(shown), budget=FINDINGS_BUDGET, more_key=MORE_IN_REPORT))
    elif next_level_short(element_result):
        lines.append(t(lang, "results.post.inhibitors_unknown"))
    drivers = [finding_line(lang, f) for f in result.drivers_for(element)]
    if drivers:
        lines.append(bounded_list(lang, t(lang, "results.post.drivers_title"), drivers,
                                  MAX_DRIVERS, budget=FINDINGS_BUDGET, more_key=MORE_IN_REPORT))
    tips = chosen_tips(element, phase, result.inhibitors, TipLevel.TEAM, content=content)
    tip_lines = [t(lang, "results.post.tip", text=tip.text.get(normalise_lang(lang)))
                 for tip in tips[:TIPS_SHOWN[TipLevel.TEAM]]]
    lines.append("\n".join([t(lang, "results.post.tips_title"), *tip_lines]))
    return "\n".join(lines)


def next_level_short(element_result: ElementResult) -> bool:
    """Statements of the element's next phase lacked answers: "nothing holds you back"
    would claim what nobody could say."""
    phase = element_result.phase
    if phase is None:
        return False
    return Phase(min(phase + 1, Phase.STRATEGIC)) in element_result.short_phases


def _divided_text(
    lang: str, element_result: ElementResult, result: TeamResult, content: Content
) -> str:
    name = element_name(lang, element_result.element, content)
    topics = polarised_themes(lang, result, content, {element_result.element})
    return t(lang, "results.post.divided_work", element=name,
             topics=_bounded_inline(lang, topics, MAX_TOPICS))


def _bounded_inline(lang: str, topics: Sequence[str], most: int) -> str:
    shown = list(topics[:most])
    text = "; ".join(shown)
    if len(topics) > len(shown):
        text += " " + t(lang, MORE_IN_REPORT, n=len(topics) - len(shown))
    return text
