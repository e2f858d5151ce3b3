"""The privacy rule, in one place: no aggregate from fewer than the team's minimum.

Leads and channels see aggregates only, and only aggregates to which at least the team's
minimum number of people contributed: per statement, per element, per tally, per surface.
A team may raise its minimum, never lower it below `MIN_RESPONSES_FLOOR`.
"""

from __future__ import annotations

MIN_RESPONSES_FLOOR = 3
"""No team may see an aggregate of fewer people than this (DESIGN.md: never below 3)."""


def checked_minimum(minimum: int) -> int:
    """The team's minimum if it respects the floor; ValueError otherwise."""
    if isinstance(minimum, bool) or not isinstance(minimum, int):
        raise ValueError(f"the minimum must be a whole number, not {minimum!r}")
    if minimum < MIN_RESPONSES_FLOOR:
        raise ValueError(f"the minimum must be at least {MIN_RESPONSES_FLOOR}, not {minimum}")
    return minimum
