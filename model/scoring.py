"""Scoring answers into phases: scoring v2 (wi3-instrument.md §3.6).

What a team reads must be coherent (label, bar, chart and headline never disagree), robust
(one person never decides an item, an element or a phase) and honest (a divided team is
told it is divided). The rules:

1. Item score: the *mean* of the 1..5 answers ("don't know" left out), counted only when at
   least the team's minimum number of people (never below 3) answered it; otherwise the
   item has no score ("not enough answers") and nothing about it is kept. Answers of
   people who stopped early count per item like anyone's. The distribution (answers per
   1..5 and "don't know") is kept for reports.
2. Polarised item: at least 40% of its answers are 1-2 and at least 40% are 4-5.
3. S1, S2, S3: the mean of the counted item scores tagged P1, P2, P3.
4. Phase: 0 if S1 < 2.5 and S2 < 2.5; 3 if S2 >= 3.5 and S3 >= 3.5; 2 if S2 >= 3.5; else 1.
   S2 is required; S1 only when S2 < 2.5; without S3 the phase is at most 2 (and
   `unanswered_phases` says so). An element with half or more of its counted items
   polarised is *divided*: no phase, left out of the overall phase.
5. Position (0-4, for bars, radar and trend arrows) = phase + progress towards the next
   phase's threshold: phase 0 (max(S1, S2) - 1) / 1.5; phase 1 (S2 - 1) / 2.5; phase 2
   (S3 - 1) / 2.5 (0 without S3); phase 3 (min(S2, S3) - 3.5) / 1.5, how firmly strategic.
   Progress is clamped to [0, 0.99], so floor(position) is the phase by construction, also
   at the very top (§3.6 clamps below phase 3 and says "4.0 at most"; 3.99 keeps the label
   rule without an exception).
6. Overall = the lowest phase among the elements that have one; `further` counts the
   elements above it. Bottleneck: the element with the lowest position, named only when
   it is at least 0.25 below the next one. Imbalance: phases differ by 2 or more.
7. Drivers and inhibitors: see `model.findings`.

A respondent's own profile (`score_respondent`) uses the same rules with a minimum of one:
it is shown to that person only.

Arithmetic is exact (fractions), so a mean of exactly 3.5 reaches 3.5.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from model.elements import Element, Phase
from model.findings import find_drivers_and_inhibitors
from model.loader import load_content
from model.privacy import MIN_RESPONSES_FLOOR, checked_minimum
from model.questionnaire import Content, Item, Option, Questionnaire
from model.results import ElementResult, ItemScore, ProfileResult, Tally, TeamResult

Answers = Mapping[str, int | None]
"""One respondent's answers: item id -> 1..5, or None for "don't know"."""

LOWEST_ANSWER, HIGHEST_ANSWER = 1, 5
STARTED = Fraction(5, 2)
REACHED = Fraction(7, 2)
POLARISED_SHARE = Fraction(2, 5)
LOW_ANSWERS, HIGH_ANSWERS = (1, 2), (4, 5)
MAX_PROGRESS = Fraction(99, 100)
CLEAR_BOTTLENECK = Fraction(1, 4)
IMBALANCE_SPREAD = 2
OWN_ANSWERS = 1
"""A person's own summary needs only their own answer per item."""

ITEM_TAGS = (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC)


def score_respondent(answers: Answers, *, content: Content | None = None) -> ProfileResult:
    """One person's profile, for their personal summary after answering."""
    questionnaire = (content or load_content()).questionnaire
    items = item_scores([checked_answers(answers, questionnaire)], questionnaire, OWN_ANSWERS)
    return _profile(items, questionnaire)


def score_team(
    responses: Iterable[Answers],
    *,
    barriers: Iterable[Sequence[str]] = (),
    start_reasons: Iterable[Sequence[str]] = (),
    minimum: int = MIN_RESPONSES_FLOOR,
    content: Content | None = None,
) -> TeamResult:
    """The team's aggregate from every respondent's answers, finished or not.

    `barriers` and `start_reasons` hold one list of ticked option ids per person who
    answered that checklist. `minimum` is the team's minimum (at least 3). Unknown item
    or option ids and answers outside 1..5 raise ValueError: they mean the caller mixed
    up content.
    """
    checked_minimum(minimum)
    questionnaire = (content or load_content()).questionnaire
    answers = [checked_answers(a, questionnaire) for a in responses]
    items = item_scores(answers, questionnaire, minimum)
    return score_items(
        items,
        minimum=minimum,
        respondent_count=len(answers),
        barriers=tally(barriers, questionnaire.barriers, minimum, "barrier"),
        start_reasons=tally(start_reasons, questionnaire.start_reasons, minimum,
                            "start reason"),
        fresh_items=[i.item_id for i in items if i.counted],
        content=content,
    )


def score_items(
    items: Iterable[ItemScore],
    *,
    minimum: int,
    respondent_count: int,
    barriers: Tally | None = None,
    start_reasons: Tally | None = None,
    fresh_items: Iterable[str] = (),
    content: Content | None = None,
) -> TeamResult:
    """A team result from item scores (a round's own, or combined as a pulse does).

    The minimum is applied again, so items and tallies scored under a lower minimum (a
    team that raised its minimum later) lose what no longer meets it.
    """
    checked_minimum(minimum)
    questionnaire = (content or load_content()).questionnaire
    given = {i.item_id: i for i in items}
    scores = tuple(_regated(given.get(item.id, ItemScore(item.id)), minimum)
                   for item in questionnaire.items)
    profile = _profile(scores, questionnaire)
    barriers = barriers if barriers is not None and barriers.contributors >= minimum else None
    starts = (start_reasons if start_reasons is not None
              and start_reasons.contributors >= minimum else None)
    ticked = [o for o in questionnaire.barriers if barriers is not None and barriers.counts[o.id]]
    counted = {i.item_id: i for i in scores if i.counted}
    drivers, inhibitors = find_drivers_and_inhibitors(
        profile.elements, {k: _exact(v) for k, v in counted.items()}, questionnaire, ticked)
    return TeamResult(
        elements=profile.elements,
        overall=profile.overall,
        further=profile.further,
        bottleneck=profile.bottleneck,
        imbalance=profile.imbalance,
        minimum=minimum,
        respondent_count=respondent_count,
        items=scores,
        fresh_items=tuple(i for i in dict.fromkeys(fresh_items) if i in counted),
        drivers=drivers,
        inhibitors=inhibitors,
        barriers=barriers,
        start_reasons=starts,
    )


def with_minimum(result: TeamResult, minimum: int, *, content: Content | None = None) -> TeamResult:
    """The result as a team with a (raised) minimum may see it; unchanged when not raised."""
    if minimum <= result.minimum:
        return result
    return score_items(result.items, minimum=minimum, respondent_count=result.respondent_count,
                       barriers=result.barriers, start_reasons=result.start_reasons,
                       fresh_items=result.fresh_items, content=content)


def item_scores(
    answers: Sequence[Mapping[str, int | None]], questionnaire: Questionnaire, minimum: int
) -> tuple[ItemScore, ...]:
    """Every item's score and distribution (questionnaire order), under `minimum`."""
    scores = []
    for item in questionnaire.items:
        values = [a[item.id] for a in answers if item.id in a]
        given = [v for v in values if v is not None]
        if len(given) < minimum:
            scores.append(ItemScore(item.id))
            continue
        counts = tuple(given.count(v) for v in range(LOWEST_ANSWER, HIGHEST_ANSWER + 1))
        scores.append(ItemScore(item.id, counts, len(values) - len(given),
                                float(Fraction(sum(given), len(given))), _polarised(counts)))
    return tuple(scores)


def tally(
    checklists: Iterable[Sequence[str]], options: Sequence[Option], minimum: int, what: str
) -> Tally | None:
    """Ticks per option, or None when fewer than `minimum` people ticked anything."""
    counts = dict.fromkeys((o.id for o in options), 0)
    contributors = 0
    for ticks in checklists:
        chosen = list(dict.fromkeys(ticks))
        for tick in chosen:
            if tick not in counts:
                raise ValueError(f"unknown {what} id {tick!r}")
            counts[tick] += 1
        contributors += bool(chosen)
    return Tally(contributors, counts) if contributors >= minimum else None


def _polarised(counts: Sequence[int]) -> bool:
    total = sum(counts)
    low = sum(counts[v - 1] for v in LOW_ANSWERS)
    high = sum(counts[v - 1] for v in HIGH_ANSWERS)
    return low >= POLARISED_SHARE * total and high >= POLARISED_SHARE * total


def _regated(item: ItemScore, minimum: int) -> ItemScore:
    return item if item.answered >= minimum else ItemScore(item.item_id)


def _exact(item: ItemScore) -> Fraction:
    """The item's mean as an exact fraction (from its distribution)."""
    counts = item.counts or ()
    return Fraction(sum(v * c for v, c in enumerate(counts, start=LOWEST_ANSWER)), sum(counts))


def checked_answers(answers: Answers, questionnaire: Questionnaire) -> dict[str, int | None]:
    """The answers, validated: known items only, 1..5 or None."""
    known = {item.id for item in questionnaire.items}
    checked: dict[str, int | None] = {}
    for item_id, value in answers.items():
        if item_id not in known:
            raise ValueError(f"unknown item id {item_id!r}")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not (
                LOWEST_ANSWER <= value <= HIGHEST_ANSWER)):
            raise ValueError(f"answer to {item_id} must be 1..5 or None, not {value!r}")
        checked[item_id] = value
    return checked


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def phase_of(s1: Fraction | None, s2: Fraction | None, s3: Fraction | None) -> Phase | None:
    """The element's phase from its sums, or None when they cannot decide it."""
    if s2 is None:
        return None
    if s2 < STARTED:
        if s1 is None:
            return None
        if s1 < STARTED:
            return Phase.NOT_STARTED
    if s2 >= REACHED:
        return Phase.STRATEGIC if s3 is not None and s3 >= REACHED else Phase.FACILITATING
    return Phase.PIONEERING


def position_of(
    phase: Phase, s1: Fraction | None, s2: Fraction, s3: Fraction | None
) -> Fraction:
    """Phase plus progress towards the next phase's threshold, progress in [0, 0.99].

    (Phase 0 always has S1 and phase 3 always has S3: `phase_of` needs them to say so.)
    """
    if phase == Phase.NOT_STARTED:
        progress = (max(s2, s1 or s2) - 1) / Fraction(3, 2)
    elif phase == Phase.PIONEERING:
        progress = (s2 - 1) / Fraction(5, 2)
    elif phase == Phase.FACILITATING:
        progress = Fraction(0) if s3 is None else (s3 - 1) / Fraction(5, 2)
    else:
        progress = (min(s2, s3 or s2) - REACHED) / Fraction(3, 2)
    return phase + min(max(progress, Fraction(0)), MAX_PROGRESS)


def _element(
    element: Element, items: Sequence[Item], scores: Mapping[str, ItemScore]
) -> tuple[ElementResult, Fraction | None]:
    """The element's result, plus its exact position for comparing elements."""
    counted = [(item, scores[item.id]) for item in items if scores[item.id].counted]
    by_tag = {tag: [_exact(score) for item, score in counted if item.phase == tag]
              for tag in ITEM_TAGS}
    s1, s2, s3 = (_mean(by_tag[tag]) for tag in ITEM_TAGS)
    polarised = sum(1 for _, score in counted if score.polarised)
    divided = bool(counted) and 2 * polarised >= len(counted)
    phase = None if divided else phase_of(s1, s2, s3)
    position = position_of(phase, s1, s2, s3) if phase is not None and s2 is not None else None
    result = ElementResult(
        element=element,
        s1=_float(s1), s2=_float(s2), s3=_float(s3),
        phase=phase,
        position=_float(position),
        divided=divided,
        counted=len(counted),
        polarised=polarised,
        item_count=len(items),
        unanswered_phases=tuple(tag for tag in ITEM_TAGS if not by_tag[tag]),
    )
    return result, position


def _profile(items: Sequence[ItemScore], questionnaire: Questionnaire) -> ProfileResult:
    """Element results and the overall picture from one score per item."""
    scores = {i.item_id: i for i in items}
    scored = [_element(e, questionnaire.items_for(e), scores) for e in Element]
    elements = tuple(result for result, _ in scored)
    placed = sorted(((position, list(Element).index(result.element), result)
                     for result, position in scored if position is not None),
                    key=lambda row: (row[0], row[1]))
    if not placed:
        return ProfileResult(elements, overall=None, further=0, bottleneck=None,
                             imbalance=False)
    phases = [result.phase for _, _, result in placed if result.phase is not None]
    overall = min(phases)
    clear = len(placed) >= 2 and placed[1][0] - placed[0][0] >= CLEAR_BOTTLENECK
    return ProfileResult(
        elements,
        overall=overall,
        further=sum(1 for phase in phases if phase > overall),
        bottleneck=placed[0][2].element if clear else None,
        imbalance=max(phases) - min(phases) >= IMBALANCE_SPREAD,
    )

