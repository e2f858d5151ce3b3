"""Which questions a pulse check asks: one item per element, rotating.

Pulse n asks, for each element, item number (n - 1) mod k of that element's k items
(questionnaire order). So consecutive pulses cover every item of an element before
any repeats: an element with 5 items comes round again every 5 pulses, one with 6 every
6. Pulses are numbered from 1 (the first pulse of a team), so 0 or less is an error.
"""

from __future__ import annotations

from model.elements import Element
from model.loader import load_content
from model.questionnaire import Content, Item

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
