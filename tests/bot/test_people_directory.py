"""A large channel is known from the workspace directory (`users.list`, Tier 2) within
Slack's limit: a thousand people a page, paced by the shared Tier 2 budget, read again
only when needed, and its locales saved so other instances need not ask per person."""

from __future__ import annotations

from bot.emulator import SlackEmulator
from bot.method_budgets import PER_MINUTE
from bot.people import DIRECTORY_PAGE, People
from bot.services import Services
from tests.conftest import FakeClock

CHANNEL = "C0LARGE001"
PEOPLE = 1500
TIER_2 = PER_MINUTE["users.list"] / 60.0


def large_channel(emulator: SlackEmulator) -> list[str]:
    """`PEOPLE` members, one in ten Dutch, Tier 2 enforced on `users.list`."""
    users = [f"U{n:09d}" for n in range(PEOPLE)]
    for n, user in enumerate(users):
        emulator.workspace.add_user(user, user.lower(), locale="nl-NL" if n % 10 == 0
                                    else "en-US")
    emulator.workspace.add_channel(CHANNEL, "everyone", users)
    emulator.rate_limit("users.list", TIER_2, 1.0)
    return users


def test_a_large_channel_costs_one_directory_page_per_thousand_people_within_tier_2(
    emulator: SlackEmulator, services: Services, clock: FakeClock,
) -> None:
    users = large_channel(emulator)
    workspace = emulator.workspace.team_id
    members = services.people.channel_members(workspace, CHANNEL)
    assert sorted(members) == users
    pages = emulator.calls("users.list")
    assert len(pages) == -(-PEOPLE // DIRECTORY_PAGE) == 2
    assert [call.status for call in pages] == [200, 200]  # paced: no 429
    assert all(int(call.params["limit"]) == DIRECTORY_PAGE for call in pages)
    assert emulator.calls("users.info") == []

    services.people.channel_members(workspace, CHANNEL)  # a second pulse soon after
    assert len(emulator.calls("users.list")) == 2  # known already: not read again

    # Another instance sending the invitations finds every language in the store.
    other = People(services.people.clients, services.store, clock)
    assert other.lang(workspace, users[0]) == "nl"
    assert other.lang(workspace, users[1]) == "en"
    assert emulator.calls("users.info") == []
