"""Scoring answers into positions, phases and a headline: scoring v3 (wi3-instrument.md §3.7).

What a team reads must be coherent (label, bar, chart and headline never disagree), robust
(one answer never moves the headline by two phases) and honest (what the answers cannot
settle is not claimed). `score_team` is the one scoring function: every surface (post,
status, overviews, App Home, guide, pulses, report, charts, export) shows what it returns,
through the snapshot of the closed round. The rules:

1. Item score (§3.6, kept): the *mean* of the 1..5 answers ("don't know" left out),
   counted only when at least the team's minimum number of people (never below 3)
   answered it; otherwise nothing about it is kept. Polarised: at least 40% of its
   answers are 1-2 and at least 40% are 4-5.
2. S1, S2, S3: the mean of the counted item scores tagged P1, P2, P3.
3. Position 0-4, continuous, label = floor(position): `model.position` (§3.7 rule 1).
   Range [low, high]: the statements lacking answers at 1 and at 5 (rule 2).
4. Divided (half or more of an element's counted items polarised) changes the wording
   only: the element keeps its position and counts in the overall (rule 3).
5. Overall = the label of the lowest low over all four elements; where the lowest high has
   a higher label, both are named. Bottleneck: an element whose high is at least 0.25
   below every other element's low (rule 4). Imbalance: two phases apart for certain.
6. On the edge, spread and minorities from each person's answers: `model.respondents`
   (rules 5, 6, 9). Confirmed inhibitors need a barrier ticked by at least two people and
   a quarter of those who answered the checklist (rule 7). Drivers and inhibitors:
   `model.findings`.

A respondent's own profile (`score_respondent`) uses the same rules with a minimum of one:
it is shown to that person only. Arithmetic is exact (fractions), so a mean of exactly 3.5
reaches 3.5.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from model.elements import Element, Phase
from model.findings import find_drivers_and_inhibitors
from model.loader import load_content
from model.position import Placement, element_levels, label, placement
from model.privacy import MIN_RESPONSES_FLOOR, checked_minimum
from model.questionnaire import Content, Item, Option, Questionnaire
from model.respondents import individual
from model.results import (
    ElementResult,
    ItemScore,
    ProfileResult,
    Tally,
    TeamResult,
    snapshot_version,
)

Answers = Mapping[str, int | None]
"""One respondent's answers: item id -> 1..5, or None for "don't know"."""

LOWEST_ANSWER, HIGHEST_ANSWER = 1, 5
POLARISED_SHARE = Fraction(2, 5)
LOW_ANSWERS, HIGH_ANSWERS = (1, 2), (4, 5)
CLEAR_BOTTLENECK = Fraction(1, 4)
IMBALANCE_SPREAD = 2
CONFIRMING_TICKS = 2
CONFIRMING_SHARE = Fraction(1, 4)
"""Rule 7: a barrier confirms an inhibitor when ticked by at least two people and at least
a quarter of those who answered the checklist."""
OWN_ANSWERS = 1
"""A person's own summary needs only their own answer per item."""
PREVIOUS_VERSION = 2
"""Snapshots of scoring v2: scored again from their item scores when read."""

ITEM_TAGS = (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC)


@dataclass(frozen=True)
class _People:
    """Each respondent's answers, for the rules that need them (`model.respondents`)."""

    answers: Sequence[Mapping[str, int | None]]
    fresh: Collection[str]
    """The items scored from these answers (a pulse carries the others forward)."""
    minorities: bool


def score_respondent(answers: Answers, *, content: Content | None = None) -> ProfileResult:
    """One person's profile, for their personal summary after answering."""
    questionnaire = (content or load_content()).questionnaire
    items = item_scores([checked_answers(answers, questionnaire)], questionnaire, OWN_ANSWERS)
    elements, placements, _ = _elements(items, questionnaire, OWN_ANSWERS, None)
    return _profile(elements, placements)


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
    fresh = [i.item_id for i in items if i.counted]
    return _team_result(
        items, questionnaire, minimum=minimum, respondent_count=len(answers),
        barriers=tally(barriers, questionnaire.barriers, minimum, "barrier"),
        start_reasons=tally(start_reasons, questionnaire.start_reasons, minimum,
                            "start reason"),
        fresh_items=fresh, people=_People(answers, set(fresh), minorities=True))


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
    """A team result from item scores alone (stored ones, or combined as a pulse does).

    The minimum is applied again, so items and tallies scored under a lower minimum (a
    team that raised its minimum later) lose what no longer meets it. Without each
    person's answers, nothing is on the edge, no spread is known and no minority shown.
    """
    checked_minimum(minimum)
    questionnaire = (content or load_content()).questionnaire
    return _team_result(items, questionnaire, minimum=minimum,
                        respondent_count=respondent_count, barriers=barriers,
                        start_reasons=start_reasons, fresh_items=fresh_items, people=None)


def score_combined(
    items: Iterable[ItemScore],
    answers: Sequence[Answers],
    *,
    fresh_items: Sequence[str],
    minimum: int,
    content: Content | None = None,
) -> TeamResult:
    """A pulse's result: item scores combined from this round's own (`fresh_items`, scored
    from `answers`) and earlier ones. On the edge and spread come from the round's own
    answers, the carried scores held as they were; a pulse asks one statement per element,
    too little for one person's view of an element, so it names no minority."""
    checked_minimum(minimum)
    questionnaire = (content or load_content()).questionnaire
    checked = [checked_answers(a, questionnaire) for a in answers]
    return _team_result(items, questionnaire, minimum=minimum, respondent_count=len(checked),
                        barriers=None, start_reasons=None, fresh_items=fresh_items,
                        people=_People(checked, set(fresh_items), minorities=False))


def with_minimum(result: TeamResult, minimum: int, *, content: Content | None = None) -> TeamResult:
    """The result as a team with a (raised) minimum may see it; unchanged when not raised.

    What came from each person's answers (on the edge, spread, a minority) is kept for an
    element whose counted statements the raise leaves as they were, a minority only when
    it still has the minimum's number of people; otherwise it is gone with the answers.
    """
    if minimum <= result.minimum:
        return result
    again = score_items(result.items, minimum=minimum, respondent_count=result.respondent_count,
                        barriers=result.barriers, start_reasons=result.start_reasons,
                        fresh_items=result.fresh_items, content=content)
    kept = []
    for before, now in zip(result.elements, again.elements, strict=True):
        if now.counted != before.counted or now.position != before.position:
            kept.append(now)
            continue
        minority = before.minority
        kept.append(replace(now, edge=before.edge, spread=before.spread,
                            minority=minority if minority and minority.count >= minimum
                            else None))
    return replace(again, elements=tuple(kept))


def stored_result(data: Mapping[str, Any], *, content: Content | None = None) -> TeamResult:
    """A team result as a snapshot keeps it: scoring v3 as it was stored; scoring v2 scored
    again by v3 from the item scores it kept (so an old round reads like a new one, without
    what needs each person's answers: on the edge, spread, minorities). ValueError for
    anything else (scoring v1's medians cannot be scored again)."""
    if snapshot_version(data, "team") != PREVIOUS_VERSION:
        return TeamResult.from_dict(data)
    try:
        items = [ItemScore.from_dict(i) for i in data["items"]]
        minimum = int(data["minimum"])
        return score_items(items, minimum=minimum,
                           respondent_count=int(data["respondent_count"]),
                           barriers=Tally.from_dict(data["barriers"]),
                           start_reasons=Tally.from_dict(data["start_reasons"]),
                           fresh_items=[str(i) for i in data["fresh_items"]],
                           content=content)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"malformed wi3 result snapshot: {error!r}") from None


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


def confirming(barriers: Tally | None, options: Sequence[Option]) -> list[Option]:
    """Rule 7: the barriers ticked by enough people to confirm an inhibitor."""
    if barriers is None:
        return []
    return [o for o in options if barriers.counts.get(o.id, 0) >= CONFIRMING_TICKS
            and barriers.counts[o.id] >= CONFIRMING_SHARE * barriers.contributors]


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


# -- the rules --------------------------------------------------------------------------------


def _team_result(
    items: Iterable[ItemScore],
    questionnaire: Questionnaire,
    *,
    minimum: int,
    respondent_count: int,
    barriers: Tally | None,
    start_reasons: Tally | None,
    fresh_items: Iterable[str],
    people: _People | None,
) -> TeamResult:
    given = {i.item_id: i for i in items}
    scores = tuple(_regated(given.get(item.id, ItemScore(item.id)), minimum)
                   for item in questionnaire.items)
    elements, placements, exact = _elements(scores, questionnaire, minimum, people)
    profile = _profile(elements, placements)
    barriers = barriers if barriers is not None and barriers.contributors >= minimum else None
    starts = (start_reasons if start_reasons is not None
              and start_reasons.contributors >= minimum else None)
    drivers, inhibitors = find_drivers_and_inhibitors(
        profile.elements, exact, questionnaire, confirming(barriers, questionnaire.barriers))
    return TeamResult(
        elements=profile.elements,
        overall=profile.overall,
        overall_high=profile.overall_high,
        overall_position=profile.overall_position,
        further=profile.further,
        bottleneck=profile.bottleneck,
        imbalance=profile.imbalance,
        minimum=minimum,
        respondent_count=respondent_count,
        items=scores,
        fresh_items=tuple(i for i in dict.fromkeys(fresh_items) if i in exact),
        drivers=drivers,
        inhibitors=inhibitors,
        barriers=barriers,
        start_reasons=starts,
    )


def _elements(
    items: Sequence[ItemScore], questionnaire: Questionnaire, minimum: int,
    people: _People | None,
) -> tuple[tuple[ElementResult, ...], tuple[Placement, ...], dict[str, Fraction]]:
    """Every element's result and exact placement, and the counted items' exact scores."""
    scores = {i.item_id: i for i in items}
    exact = {i.item_id: _exact(i) for i in items if i.counted}
    found = [_element(e, questionnaire.items_for(e), scores, exact, minimum, people)
             for e in Element]
    return tuple(r for r, _ in found), tuple(p for _, p in found), exact


def _element(
    element: Element, items: Sequence[Item], scores: Mapping[str, ItemScore],
    exact: Mapping[str, Fraction], minimum: int, people: _People | None,
) -> tuple[ElementResult, Placement]:
    levels = element_levels(items, exact)
    placed = placement(levels)
    counted = [scores[item.id] for item in items if item.id in exact]
    polarised = sum(1 for score in counted if score.polarised)
    divided = bool(counted) and 2 * polarised >= len(counted)
    position = None if placed.position is None else float(placed.position)
    result = ElementResult(
        element=element,
        s1=_float(levels[0].mean), s2=_float(levels[1].mean), s3=_float(levels[2].mean),
        phase=None if position is None else label(position),
        position=position,
        low=float(placed.low), high=float(placed.high),
        divided=divided,
        counted=len(counted),
        polarised=polarised,
        item_count=len(items),
        unanswered_phases=tuple(tag for tag, level in zip(ITEM_TAGS, levels, strict=True)
                                if not level.counted),
        short_phases=tuple(tag for tag, level in zip(ITEM_TAGS, levels, strict=True)
                           if level.missing),
    )
    if people is None or placed.position is None:
        return result, placed
    found = individual(items, scores, exact, placed.position, people.answers,
                       fresh=people.fresh, minimum=minimum, divided=divided,
                       minorities=people.minorities)
    return (replace(result, edge=found.edge, spread=found.spread, minority=found.minority),
            placed)


def _profile(elements: tuple[ElementResult, ...], placements: Sequence[Placement]
             ) -> ProfileResult:
    """The headline over all four elements (rules 3 and 4)."""
    lows = [p.low for p in placements]
    highs = [p.high for p in placements]
    lowest = min(lows)
    overall = label(float(lowest))
    return ProfileResult(
        elements,
        overall=overall,
        overall_high=label(float(min(highs))),
        overall_position=float(lowest),
        further=sum(1 for e in elements if e.low_phase > overall),
        bottleneck=_bottleneck(elements, lows, highs),
        imbalance=(max(e.low_phase for e in elements) - min(e.high_phase for e in elements)
                   >= IMBALANCE_SPREAD),
    )


def _bottleneck(
    elements: Sequence[ElementResult], lows: Sequence[Fraction], highs: Sequence[Fraction]
) -> Element | None:
    """The element clearly behind over its whole range, if one is."""
    for n, result in enumerate(elements):
        if all(highs[n] <= low - CLEAR_BOTTLENECK
               for m, low in enumerate(lows) if m != n):
            return result.element
    return None


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


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)
