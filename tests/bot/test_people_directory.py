"""A large channel is known from the workspace directory (`users.list`, Tier 2) within
Slack's limit: a thousand people a page, paced by the shared Tier 2 budget, read again
only when needed, and its locales saved so other instances need not ask per person."""

from __future__ import annotations

import pytest

from bot.emulator import SlackEmulator
from bot.method_budgets import PER_MINUTE
from bot.people import DIRECTORY_PAGE, People
from bot.services import OPENING_PULSES, Services
from tests.conftest import FakeClock

CHANNEL = "C0LARGE001"
PEOPLE = 2100
TIER_2 = PER_MINUTE["users.list"] / 60.0


def large_channel(emulator: SlackEmulator) -> list[str]:
    """`PEOPLE` members, one in ten Dutch, Tier 2 enforced on `users.list`."""
    users = [f"U{n:09d}" for n in range(PEOPLE)]
    for n, user in enumerate(users):
        emulator.workspace.add_user(user, user.lower(), locale="nl-NL" if n % 10 == 0
                                    else "en-US")
    emulator.workspace.add_channel(CHANNEL, "everyone", users)
    emulator.rate_limit("users.list", TIER_2, PER_MINUTE["users.list"])  # a minute's burst
    return users


def test_a_large_channel_costs_one_directory_page_per_thousand_people_within_tier_2(
    emulator: SlackEmulator, services: Services, clock: FakeClock,
) -> None:
    users = large_channel(emulator)
    workspace = emulator.workspace.team_id
    members = services.people.channel_members(workspace, CHANNEL)
    assert sorted(members) == users
    pages = emulator.calls("users.list")
    assert len(pages) == -(-PEOPLE // DIRECTORY_PAGE) == 3
    assert [call.status for call in pages] == [200, 200, 200]  # within the burst: no 429
    assert all(int(call.params["limit"]) == DIRECTORY_PAGE for call in pages)
    assert emulator.calls("users.info") == []

    services.people.channel_members(workspace, CHANNEL)  # a second pulse soon after
    assert len(emulator.calls("users.list")) == 3  # known already: not read again

    # Another instance sending the invitations finds every language in the store.
    other = People(services.people.clients, services.store, clock)
    assert other.lang(workspace, users[0]) == "nl"
    assert other.lang(workspace, users[1]) == "en"
    assert emulator.calls("users.info") == []


def test_pulses_open_in_one_instance_at_a_time_however_long_the_reading_takes(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked: list[str] = []

    def due(now: object, members: object, paused: object) -> list[object]:
        looked.append("due")
        return []

    monkeypatch.setattr(services.pulse, "due", due)
    # Another instance is still reading a large channel to open its pulse.
    assert services.store.hold_lease(OPENING_PULSES, "other-instance", 900, clock())
    services.open_due_pulses_alone(clock(), "this-instance")
    assert looked == []
    services.store.release_lease(OPENING_PULSES, "other-instance")
    services.open_due_pulses_alone(clock(), "this-instance")
    assert looked == ["due"]
    assert services.store.hold_lease(OPENING_PULSES, "third", 900, clock())  # given back
