"""Pulse checks: short scheduled checks of four statements, with a reminder and a trend.

One module per concern:

* `words`: reading `/wi3 pulse weekly|biweekly|monthly [day] [HH:MM]` in either language;
* `opening`: the shared state, and opening the team's next pulse round;
* `commands`: `/wi3 pulse` (show, set, off, now);
* `timer`: the scheduler's job that opens pulses, once per period;
* `reminders`: what the reminder job needs to know.

A pulse closes like any round, and is scored by carrying the team's last result about
the same subject forward (`model.score_pulse`); its post is `conversations.views.pulse`.
"""

from conversations.pulse.commands import PulseCommands
from conversations.pulse.opening import DEFAULT_TIMEZONE, PULSE_WINDOW
from conversations.pulse.reminders import PulseReminders
from conversations.pulse.timer import PulseTimer
from conversations.pulse.words import UnknownWord, parse_schedule

__all__ = ["DEFAULT_TIMEZONE", "PULSE_WINDOW", "PulseFlow", "UnknownWord", "parse_schedule"]


class PulseFlow(PulseCommands, PulseTimer, PulseReminders):
    """`/wi3 pulse`, the scheduler's pulse job, and what reminders need to know."""
