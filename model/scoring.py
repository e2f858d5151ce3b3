"""Scoring answers into phases, as proposed in wi3-instrument.md §3.2.

Rules, per element E (item scores are answers 1..5; for a team, the median per item):

* S1, S2, S3: mean of the answered item scores tagged P1, P2, P3 (None: none answered).
* Phase, checked in order: 0 if S1 < 2.5 and S2 < 2.5; 3 if S2 >= 3.5 and S3 >= 3.5;
  2 if S2 >= 3.5; else 1.
* Index L = 1 + (S2-1)/4 + (S3-1)/4, from 1.0 to 3.0.
* Inconsistent profile: S3 > S2 + 1 (strategic claims without facilitation).

Too few answers (the model says so instead of guessing):

* S2 is required: without it, 0/1 cannot be told from 2/3, so phase and index are None.
* S1 is needed only for the phase-0 check: when S2 < 2.5 and S1 is missing, 0 cannot
  be told from 1, so phase and index are None. When S2 >= 2.5 the element is past 0
  whatever S1 is.
* S3 missing: the element cannot be shown to be strategic, so the phase stops at 2;
  L counts S3 as 1 (a lower bound) and is not flagged inconsistent.
  `unanswered_phases` reports every missing tag so renderers can say so.

Overall, over the elements with a phase only (None when there are none):

* overall = floor(mean L), capped at (lowest element phase + 1) as §3.2 says, and kept
  between the lowest and the highest element phase. Both bounds refine §3.2: L is at
  least 1.0, so without the upper bound a team where no element has started would be
  called "pioneering"; and L of a phase-2 element with low S3 can be below 2, so
  without the lower bound a team with every element facilitating could be called
  "pioneering". In effect: all elements in one phase -> that phase; otherwise the
  lowest phase, or one above it when the mean index reaches it.
* bottleneck = lowest phase, ties broken by lowest index, then questionnaire order.
* imbalance = highest and lowest element phase differ by 2 or more.

Teams: "don't know" (None) is missing; the item score is the median of the answers.
Disagreement on an item: interquartile range >= 2, computed only with >= 3 answers.
Quartiles use linear interpolation between order statistics at position (n-1)*p (the
"inclusive" method: Python's `statistics.quantiles(method="inclusive")`, Excel's
QUARTILE.INC, numpy's default). An element shows disagreement when any of its items does.

Arithmetic is exact (fractions), so a mean of exactly 3.5 counts as reaching 3.5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from model.elements import Element, Phase
from model.findings import find_drivers_and_inhibitors
from model.loader import load_content
from model.questionnaire import Content, Item, Questionnaire
from model.results import ElementResult, ProfileResult, TeamResult

Answers = Mapping[str, int | None]
"""One respondent's answers: item id -> 1..5, or None for "don't know"."""

Score = Fraction

LOWEST_ANSWER, HIGHEST_ANSWER = 1, 5
STARTED = Fraction(5, 2)
REACHED = Fraction(7, 2)
INCONSISTENT_MARGIN = 1
DISAGREEMENT_IQR = 2
MIN_ANSWERS_FOR_IQR = 3
IMBALANCE_SPREAD = 2


def score_respondent(answers: Answers, *, content: Content | None = None) -> ProfileResult:
    """One person's profile, e.g. for their personal summary after answering."""
    questionnaire = (content or load_content()).questionnaire
    given = _checked(answers, questionnaire)
    scores = {item.id: _as_score(given.get(item.id)) for item in questionnaire.items}
    return _profile(scores, questionnaire, disagreeing=frozenset())


def score_team(
    responses: Iterable[Answers],
    barrier_ticks: Iterable[str] = (),
    *,
    start_reason_ticks: Iterable[str] = (),
    content: Content | None = None,
) -> TeamResult:
    """The team's aggregate from every respondent's answers.

    `barrier_ticks` and `start_reason_ticks` hold one option id per tick, all
    respondents together (["time", "roi", "time"]). Unknown item or option ids and
    answers outside 1..5 raise ValueError: they mean the caller mixed up content.
    """
    questionnaire = (content or load_content()).questionnaire
    checked = [_checked(answers, questionnaire) for answers in responses]
    per_item = {item.id: sorted(a[item.id] for a in checked if item.id in a)
                for item in questionnaire.items}
    medians = {item_id: _median(values) for item_id, values in per_item.items()}
    iqrs = {item_id: _iqr(values) for item_id, values in per_item.items()}
    disagreeing = frozenset(i for i, iqr in iqrs.items() if iqr is not None
                            and iqr >= DISAGREEMENT_IQR)
    profile = _profile(medians, questionnaire, disagreeing)
    barrier_tally = _tally(barrier_ticks, [o.id for o in questionnaire.barriers], "barrier")
    drivers, inhibitors = find_drivers_and_inhibitors(
        profile.elements, medians, questionnaire,
        ticked=[b for b in questionnaire.barriers if barrier_tally[b.id]],
    )
    return TeamResult(
        elements=profile.elements,
        overall=profile.overall,
        overall_index=profile.overall_index,
        bottleneck=profile.bottleneck,
        imbalance=profile.imbalance,
        respondent_count=len(checked),
        item_medians={i: _float(m) for i, m in medians.items()},
        item_answer_counts={i: len(values) for i, values in per_item.items()},
        item_iqrs={i: _float(q) for i, q in iqrs.items()},
        disagreement_items=tuple(i.id for i in questionnaire.items if i.id in disagreeing),
        drivers=drivers,
        inhibitors=inhibitors,
        barrier_tally=barrier_tally,
        start_reason_tally=_tally(
            start_reason_ticks, [o.id for o in questionnaire.start_reasons], "start reason"),
    )


def _checked(answers: Answers, questionnaire: Questionnaire) -> dict[str, int]:
    """The answers that count (1..5); rejects unknown items and impossible values."""
    known = {item.id for item in questionnaire.items}
    given: dict[str, int] = {}
    for item_id, value in answers.items():
        if item_id not in known:
            raise ValueError(f"unknown item id {item_id!r}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not (
                LOWEST_ANSWER <= value <= HIGHEST_ANSWER):
            raise ValueError(f"answer to {item_id} must be 1..5 or None, not {value!r}")
        given[item_id] = value
    return given


def _tally(ticks: Iterable[str], option_ids: Sequence[str], what: str) -> dict[str, int]:
    tally = dict.fromkeys(option_ids, 0)
    for tick in ticks:
        if tick not in tally:
            raise ValueError(f"unknown {what} id {tick!r}")
        tally[tick] += 1
    return tally


def _as_score(value: int | None) -> Score | None:
    return None if value is None else Fraction(value)


def _median(values: Sequence[int]) -> Score | None:
    """Median of sorted answers; None when nobody answered."""
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return Fraction(values[middle])
    return Fraction(values[middle - 1] + values[middle], 2)


def _quartile(values: Sequence[int], p: Fraction) -> Fraction:
    """Inclusive (linear) quartile of sorted values at fraction p."""
    position = (len(values) - 1) * p
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _iqr(values: Sequence[int]) -> Score | None:
    """Interquartile range of sorted answers; None below the minimum number of answers."""
    if len(values) < MIN_ANSWERS_FOR_IQR:
        return None
    return _quartile(values, Fraction(3, 4)) - _quartile(values, Fraction(1, 4))


def _mean(values: Sequence[Score]) -> Score | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _float(value: Score | None) -> float | None:
    return None if value is None else float(value)


def _phase(s1: Score | None, s2: Score | None, s3: Score | None) -> Phase | None:
    """The element's phase, or None when the answers cannot decide it."""
    if s2 is None:
        return None
    if s2 < STARTED:
        if s1 is None:
            return None
        if s1 < STARTED:
            return Phase.NOT_STARTED
    if s2 >= REACHED:
        reached_strategic = s3 is not None and s3 >= REACHED
        return Phase.STRATEGIC if reached_strategic else Phase.FACILITATING
    return Phase.PIONEERING


def _index(s2: Score, s3: Score | None) -> Score:
    """L = 1 + (S2-1)/4 + (S3-1)/4; a missing S3 counts as 1 (lower bound)."""
    strategic = s3 if s3 is not None else Fraction(LOWEST_ANSWER)
    return 1 + (s2 - 1) / 4 + (strategic - 1) / 4


def _element(
    element: Element, items: Sequence[Item], scores: Mapping[str, Score | None],
    disagreeing: frozenset[str],
) -> tuple[ElementResult, Score | None]:
    """The element's result, plus its exact index for the overall mean."""
    by_tag = {tag: [s for i in items if i.phase == tag and (s := scores[i.id]) is not None]
              for tag in (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC)}
    s1, s2, s3 = (_mean(by_tag[tag]) for tag in by_tag)
    phase = _phase(s1, s2, s3)
    index = _index(s2, s3) if phase is not None and s2 is not None else None
    result = ElementResult(
        element=element,
        s1=_float(s1), s2=_float(s2), s3=_float(s3),
        phase=phase,
        index=_float(index),
        inconsistent=s2 is not None and s3 is not None and s3 > s2 + INCONSISTENT_MARGIN,
        answered=sum(1 for i in items if scores[i.id] is not None),
        disagreement=any(i.id in disagreeing for i in items),
        item_count=len(items),
        unanswered_phases=tuple(tag for tag, found in by_tag.items() if not found),
    )
    return result, index


def _profile(
    scores: Mapping[str, Score | None], questionnaire: Questionnaire,
    disagreeing: frozenset[str],
) -> ProfileResult:
    """Element results and the overall picture from one score per item."""
    scored = [_element(e, questionnaire.items_for(e), scores, disagreeing) for e in Element]
    elements = tuple(result for result, _ in scored)
    placed = [(result, index) for result, index in scored
              if result.phase is not None and index is not None]
    if not placed:
        return ProfileResult(elements, overall=None, overall_index=None, bottleneck=None,
                             imbalance=False)
    phases = [result.phase for result, _ in placed if result.phase is not None]
    mean_index = sum((index for _, index in placed), Fraction(0)) / len(placed)
    overall = min(max(math.floor(mean_index), min(phases)), min(phases) + 1, max(phases))
    order = list(Element)
    bottleneck = min(placed, key=lambda pair: (pair[0].phase, pair[1],
                                               order.index(pair[0].element)))[0].element
    return ProfileResult(
        elements,
        overall=Phase(overall),
        overall_index=float(mean_index),
        bottleneck=bottleneck,
        imbalance=max(phases) - min(phases) >= IMBALANCE_SPREAD,
    )
