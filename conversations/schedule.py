"""When a team's pulse checks go out: schedule arithmetic in the team's own timezone.

A schedule says how often (weekly, every other week, monthly), on which weekday and at
what local time; monthly means the first such weekday of each month. dateutil's `rrule`
produces the nominal wall-clock moments and `zoneinfo` turns each into a UTC instant, so
a 10:00 pulse stays at 10:00 local time across daylight-saving changes.

Pulses go out on working days only: a slot that falls on a Saturday or Sunday goes out
on the Monday after, at the same local time.

Every slot belongs to one *period*, named by its key: the ISO week of the nominal date
for weekly and biweekly schedules (``"2026-W49"``), the month for monthly ones
(``"2026-12"``). `PulseSchedule.last_period_key` records the period that got its pulse,
so no period ever gets a second one.

Everything here is pure: moments in, slots out. The clock belongs to the caller, so tests
walk schedules through months of virtual time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

from storage import PulseSchedule

SATURDAY = 5
MONDAY = 0
BIWEEKLY_INTERVAL = 2
LOOKBACK = timedelta(days=3)
"""How far before a moment a nominal slot may lie and still go out after it (weekend shift)."""


@dataclass(frozen=True)
class Slot:
    """One scheduled pulse: what the rule says, when it really goes out, and its period."""

    nominal: datetime
    """Naive local wall-clock time the rule produced (may be a weekend day)."""
    at: datetime
    """Aware UTC moment the pulse goes out (weekend slots: the Monday after)."""
    period_key: str


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The team's timezone; `fallback` when it has none or an unknown one."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def first_slot(schedule: PulseSchedule, tz: ZoneInfo, moment: datetime) -> Slot:
    """The first slot that goes out at or after `moment`.

    Biweekly schedules start in the first matching week: their rhythm is anchored on the
    slot this returns and carried on by `next_slot`.
    """
    start = _local(moment, tz) - LOOKBACK
    for nominal in _rule(schedule, start, interval=1):
        slot = _slot(schedule, tz, nominal)
        if slot.at >= moment:
            return slot
    raise AssertionError("a weekly or monthly rule never runs out")  # pragma: no cover


def next_slot(schedule: PulseSchedule, tz: ZoneInfo, slot: Slot) -> Slot:
    """The slot after `slot`: a week, two weeks or a month later on the same rule."""
    interval = BIWEEKLY_INTERVAL if schedule.frequency == "biweekly" else 1
    following = _rule(schedule, slot.nominal, interval=interval).after(slot.nominal)
    if following is None:  # pragma: no cover - the rules are unbounded
        raise AssertionError("a weekly or monthly rule never runs out")
    return _slot(schedule, tz, following)


def stored_slot(schedule: PulseSchedule, tz: ZoneInfo, now: datetime) -> Slot:
    """The slot the schedule waits for: the one at `next_run_at`, else the first from now."""
    return first_slot(schedule, tz, schedule.next_run_at or now)


def period_key(schedule: PulseSchedule, nominal: datetime) -> str:
    """The period a nominal slot belongs to (see the module docstring)."""
    if schedule.frequency == "monthly":
        return f"{nominal.year:04d}-{nominal.month:02d}"
    year, week, _ = nominal.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _rule(schedule: PulseSchedule, start: datetime, *, interval: int) -> rrule:
    hour, minute = (int(part) for part in schedule.time.split(":"))
    day = weekday(schedule.weekday)
    if schedule.frequency == "monthly":
        return rrule(MONTHLY, dtstart=start, byweekday=day(+1), byhour=hour, byminute=minute,
                     bysecond=0)
    return rrule(WEEKLY, dtstart=start, interval=interval, byweekday=day, byhour=hour,
                 byminute=minute, bysecond=0)


def _slot(schedule: PulseSchedule, tz: ZoneInfo, nominal: datetime) -> Slot:
    going_out = _working_day(nominal)
    at = going_out.replace(tzinfo=tz).astimezone(UTC)
    return Slot(nominal=nominal, at=at, period_key=period_key(schedule, nominal))


def _working_day(nominal: datetime) -> datetime:
    """Saturday and Sunday move to the Monday after; the time of day stays."""
    if nominal.weekday() >= SATURDAY:
        return nominal + timedelta(days=(MONDAY - nominal.weekday()) % 7)
    return nominal


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """`moment` as naive wall-clock time in `tz`, to the whole minute."""
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
