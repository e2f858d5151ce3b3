"""Schedule arithmetic: when pulses go out, in the team's timezone, on working days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conversations.schedule import Slot, first_slot, next_slot, stored_slot, zone
from storage import PulseSchedule
from storage.records import Frequency

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def slots(schedule: PulseSchedule, tz: ZoneInfo, start: datetime, count: int) -> list[Slot]:
    found = [first_slot(schedule, tz, start)]
    while len(found) < count:
        found.append(next_slot(schedule, tz, found[-1]))
    return found


def local(slot: Slot, tz: ZoneInfo = AMSTERDAM) -> datetime:
    return slot.at.astimezone(tz)


def test_weekly_slots_stay_at_ten_local_time_across_the_spring_dst_change() -> None:
    weekly = PulseSchedule("weekly", weekday=0, time="10:00")
    found = slots(weekly, AMSTERDAM, utc(2027, 3, 10, 12), 4)
    assert [local(s).strftime("%a %Y-%m-%d %H:%M") for s in found] == [
        "Mon 2027-03-15 10:00", "Mon 2027-03-22 10:00",
        "Mon 2027-03-29 10:00", "Mon 2027-04-05 10:00",
    ]
    # Summer time began on Sunday 28 March: the UTC hour moves, the local hour does not.
    assert [s.at.hour for s in found] == [9, 9, 8, 8]
    assert [s.period_key for s in found] == ["2027-W11", "2027-W12", "2027-W13", "2027-W14"]


def test_weekly_slots_across_the_autumn_dst_change_in_another_timezone() -> None:
    weekly = PulseSchedule("weekly", weekday=3, time="09:15")
    found = slots(weekly, NEW_YORK, utc(2026, 10, 20), 4)
    assert {local(s, NEW_YORK).strftime("%a %H:%M") for s in found} == {"Thu 09:15"}
    # New York leaves daylight saving time on 1 November 2026.
    assert [s.at.hour for s in found] == [13, 13, 14, 14]


def test_biweekly_starts_in_the_first_matching_week_then_skips_one() -> None:
    biweekly = PulseSchedule("biweekly", weekday=2, time="14:00")
    found = slots(biweekly, AMSTERDAM, utc(2027, 3, 16, 8), 4)  # a Tuesday
    assert [local(s).date().isoformat() for s in found] == [
        "2027-03-17", "2027-03-31", "2027-04-14", "2027-04-28"]
    assert {local(s).strftime("%a %H:%M") for s in found} == {"Wed 14:00"}


def test_monthly_means_the_first_such_weekday_of_each_month() -> None:
    monthly = PulseSchedule("monthly", weekday=0, time="10:00")
    found = slots(monthly, AMSTERDAM, utc(2027, 2, 2), 4)
    assert [local(s).strftime("%Y-%m-%d %H:%M") for s in found] == [
        "2027-03-01 10:00", "2027-04-05 10:00", "2027-05-03 10:00", "2027-06-07 10:00"]
    assert [s.period_key for s in found] == ["2027-03", "2027-04", "2027-05", "2027-06"]


@pytest.mark.parametrize(("weekday", "frequency"), [(5, "weekly"), (6, "biweekly"),
                                                      (5, "monthly")])
def test_a_weekend_slot_goes_out_on_the_monday_after_at_the_same_time(
    weekday: int, frequency: Frequency,
) -> None:
    schedule = PulseSchedule(frequency, weekday=weekday, time="11:30")
    found = slots(schedule, AMSTERDAM, utc(2027, 1, 1), 3)
    for slot in found:
        assert local(slot).strftime("%a %H:%M") == "Mon 11:30"
        assert slot.nominal.weekday() == weekday
        assert local(slot).date() - slot.nominal.date() == timedelta(days=7 - weekday)


def test_a_weekend_slot_whose_monday_is_still_ahead_is_the_next_one() -> None:
    saturday = PulseSchedule("weekly", weekday=5, time="10:00")
    sunday_evening = utc(2027, 1, 10, 20)
    slot = first_slot(saturday, AMSTERDAM, sunday_evening)
    assert local(slot).strftime("%Y-%m-%d %H:%M") == "2027-01-11 10:00"
    assert slot.period_key == "2027-W01"  # the week of the Saturday it stands for


def test_the_stored_next_run_gives_back_the_same_slot_and_rhythm() -> None:
    biweekly = PulseSchedule("biweekly", weekday=6, time="10:00")
    first = first_slot(biweekly, AMSTERDAM, utc(2027, 3, 1))
    stored = PulseSchedule("biweekly", weekday=6, time="10:00", next_run_at=first.at)
    again = stored_slot(stored, AMSTERDAM, utc(2027, 5, 1))
    assert again == first
    assert next_slot(stored, AMSTERDAM, again).nominal - first.nominal == timedelta(weeks=2)


def test_a_slot_exactly_now_is_still_to_come() -> None:
    weekly = PulseSchedule("weekly", weekday=0, time="10:00")
    at_ten = utc(2026, 11, 30, 9)  # Monday 10:00 in Amsterdam
    assert first_slot(weekly, AMSTERDAM, at_ten).at == at_ten
    assert first_slot(weekly, AMSTERDAM, at_ten + timedelta(seconds=1)).at == at_ten + timedelta(
        weeks=1)


def test_an_unknown_timezone_falls_back_to_the_configured_one() -> None:
    assert zone("Mars/Olympus_Mons", "Europe/Amsterdam") == AMSTERDAM
    assert zone(None, "America/New_York") == NEW_YORK
    assert zone("Asia/Tokyo", "Europe/Amsterdam") == ZoneInfo("Asia/Tokyo")
