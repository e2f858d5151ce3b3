"""Records refuse values that would break a rule of the product."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage import PulseSchedule, Team


def test_min_responses_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        Team("T1", "C1", min_responses=2)


def test_min_responses_defaults_to_three_and_can_be_raised() -> None:
    assert Team("T1", "C1").min_responses == 3
    assert Team("T1", "C1", min_responses=5).min_responses == 5


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        Team("T1", "C1", language="de")  # type: ignore[arg-type]


def test_leads_are_kept_once_in_order() -> None:
    assert Team("T1", "C1", leads=("U2", "U1", "U2")).leads == ("U2", "U1")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Team("T1", "C1", created_at=datetime(2025, 1, 1))


@pytest.mark.parametrize("time", ["9:00", "24:00", "12:60", "noon"])
def test_pulse_time_must_be_hh_mm(time: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        PulseSchedule(time=time)


def test_pulse_weekday_and_frequency_are_checked() -> None:
    with pytest.raises(ValueError, match="weekday"):
        PulseSchedule(weekday=7)
    with pytest.raises(ValueError, match="frequency"):
        PulseSchedule(frequency="daily")  # type: ignore[arg-type]


def test_a_pulse_without_a_day_or_time_runs_when_the_pulse_command_says_monday_10_00() -> None:
    from conversations.pulse import parse_schedule

    assert parse_schedule(["weekly"]) == PulseSchedule(frequency="weekly")
    assert (PulseSchedule().weekday, PulseSchedule().time) == (0, "10:00")
