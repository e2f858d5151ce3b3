"""Reading `/wi3 pulse weekly|biweekly|monthly [day] [HH:MM]` in either language."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TypeGuard

from conversations.i18n import LANGUAGES, t
from storage import DEFAULT_PULSE_TIME, DEFAULT_PULSE_WEEKDAY, PulseSchedule
from storage.records import FREQUENCIES, Frequency

COMMANDS = ("off", "now")

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class UnknownWord(ValueError):
    """A word after `/wi3 pulse <frequency>` that is neither a day nor a time."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@cache
def vocabulary() -> Mapping[str, str]:
    """Every word a lead may type, in either language -> what it means.

    Meanings: a frequency ("weekly"), a command ("off", "now") or a day ("day:0" Monday).
    """
    words: dict[str, str] = {}
    for lang in LANGUAGES:
        for meaning in (*FREQUENCIES, *COMMANDS):
            words.update(dict.fromkeys(t(lang, f"pulse.input.{meaning}").lower().split(),
                                       meaning))
        for day in range(7):
            words.update(dict.fromkeys(t(lang, f"pulse.input.day.{day}").lower().split(),
                                       f"day:{day}"))
    return words


def meaning_of(word: str) -> str | None:
    return vocabulary().get(word.lower())


def parse_schedule(args: Sequence[str]) -> PulseSchedule:
    """`weekly|biweekly|monthly [day] [HH:MM]`, day and time in either order.

    Defaults: Monday 10:00. Raises `UnknownWord` for anything else.
    """
    frequency = meaning_of(args[0]) if args else None
    if not is_frequency(frequency):
        raise UnknownWord(args[0] if args else "")
    weekday, time = DEFAULT_PULSE_WEEKDAY, DEFAULT_PULSE_TIME
    for word in args[1:]:
        meaning = meaning_of(word) or ""
        if meaning.startswith("day:"):
            weekday = int(meaning.removeprefix("day:"))
        elif (clock_time := time_of(word)) is not None:
            time = clock_time
        else:
            raise UnknownWord(word)
    return PulseSchedule(frequency=frequency, weekday=weekday, time=time)


def is_frequency(meaning: str | None) -> TypeGuard[Frequency]:
    return meaning in FREQUENCIES


def time_of(word: str) -> str | None:
    """"9:30", "09:30" or "9.30" as "09:30"; None if it is not a 24-hour time."""
    match = _TIME.match(word)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def describe(lang: str, schedule: PulseSchedule) -> str:
    """"every Monday at 10:00", in the reader's language."""
    return t(lang, f"pulse.every.{schedule.frequency}",
             day=t(lang, f"pulse.day.{schedule.weekday}"), time=schedule.time)
