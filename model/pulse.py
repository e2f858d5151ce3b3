"""Pulse checks: which statements a pulse asks, and how its answers are scored.

Which: pulse n asks, for each element, item number (n - 1) mod k of that element's k items
(questionnaire order). So consecutive pulses cover every item of an element before any
repeats. Pulses are numbered from 1 (the first pulse of a team), so 0 or less is an error.

How: alone, a pulse cannot place most elements (a phase needs the element's facilitating
statements, and a pulse asks one statement per element). So a pulse *carries forward*:
it starts from the item scores of the team's last result about the same subject (the last
diagnostic, as updated by any later pulses) and replaces the statements this pulse scored
itself, each under the team's minimum exactly like a full round. A statement too few
people answered this time keeps its earlier score. The combined items are then scored by
the same rules as any round (`score_items`), so phases, positions and findings mean the
same. `fresh_items` says which statements this pulse scored itself: a pulse that scored
none has nothing of its own to show.

Scoring v3 (§3.7) applies to the combined scores like to any round: positions, ranges for
statements no round has enough answers on, the headline and the bottleneck. What needs
each person's answers comes from the pulse's own respondents, the carried scores held as
they were: on the edge (leaving out each of them in turn) and the spread its trend arrows
are judged by. A pulse names no minority: it asks one statement per element, too little
for one person's view of an element.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from model.elements import Element
from model.loader import load_content
from model.privacy import checked_minimum
from model.questionnaire import Content, Item
from model.results import TeamResult
from model.scoring import Answers, checked_answers, item_scores, score_combined

FIRST_PULSE = 1


def select_pulse_items(pulse_number: int, *, content: Content | None = None) -> tuple[Item, ...]:
    """The items for pulse `pulse_number` (1-based), one per element in element order."""
    if isinstance(pulse_number, bool) or not isinstance(pulse_number, int):
        raise TypeError(f"pulse_number must be a whole number, not {pulse_number!r}")
    if pulse_number < FIRST_PULSE:
        raise ValueError(f"pulse_number starts at {FIRST_PULSE}, got {pulse_number}")
    questionnaire = (content or load_content()).questionnaire
    chosen = []
    for element in Element:
        items = questionnaire.items_for(element)
        chosen.append(items[(pulse_number - FIRST_PULSE) % len(items)])
    return tuple(chosen)


def score_pulse(
    responses: Iterable[Answers],
    asked: Sequence[str],
    base: TeamResult | None,
    *,
    minimum: int,
    content: Content | None = None,
) -> TeamResult:
    """The pulse's result: `base`'s item scores with this pulse's own counted ones replacing
    theirs. Without a base, only what the pulse's own statements can place is placed."""
    checked_minimum(minimum)
    questionnaire = (content or load_content()).questionnaire
    answers = [checked_answers(a, questionnaire) for a in responses]
    own = {i.item_id: i for i in item_scores(answers, questionnaire, minimum)
           if i.item_id in asked and i.counted}
    carried = {i.item_id: i for i in base.items} if base is not None else {}
    combined = [own.get(item.id) or carried.get(item.id) for item in questionnaire.items]
    return score_combined([i for i in combined if i is not None], answers,
                          fresh_items=list(own), minimum=minimum, content=content)
