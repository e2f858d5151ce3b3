"""App Home is published again only when what it shows changed (`bot.homes`): a team
opening the app together does not spend `views.publish` (Tier 4) on views Slack shows."""

from __future__ import annotations

from typing import Any

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.services import Services

ALEX = MEMBERS[0]


def open_home(driver: SlackDriver, emulator: SlackEmulator, user: str) -> None:
    """The person opens the app's Home tab; like Slack, the event carries the view it
    shows, once there is one."""
    shown = emulator.home_view(user)
    fields: dict[str, Any] = {"user": user, "tab": "home"}
    if shown is not None:
        fields["view"] = {**shown.view, "id": shown.id, "hash": shown.hash}
    assert driver.event("app_home_opened", **fields).status == 200


def publishes(emulator: SlackEmulator) -> int:
    return len([c for c in emulator.calls("views.publish") if c.status == 200])


def test_opening_an_unchanged_home_publishes_nothing_and_a_change_publishes_it(
    driver: SlackDriver, emulator: SlackEmulator,
) -> None:
    open_home(driver, emulator, ALEX)
    assert publishes(emulator) == 1
    for _ in range(3):
        open_home(driver, emulator, ALEX)
    assert publishes(emulator) == 1  # Slack shows this very view already

    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")  # Alex now has a round to start
    open_home(driver, emulator, ALEX)
    assert publishes(emulator) == 2
    home = emulator.home_view(ALEX)
    assert home is not None and "Start" in str(home.blocks)


def test_a_home_slack_does_not_show_is_published_whatever_was_remembered(
    driver: SlackDriver, emulator: SlackEmulator, services: Services,
) -> None:
    open_home(driver, emulator, ALEX)
    assert services.store.published_home("T0WI3TEST", ALEX) is not None
    # Slack lost it (say, the app was reinstalled): the event carries no view.
    assert driver.event("app_home_opened", user=ALEX, tab="home").status == 200
    assert publishes(emulator) == 2


def test_each_person_gets_their_own_home_once(
    driver: SlackDriver, emulator: SlackEmulator,
) -> None:
    for user in (LEAD, *MEMBERS):
        open_home(driver, emulator, user)
        open_home(driver, emulator, user)
    assert publishes(emulator) == len(MEMBERS) + 1
    assert all(emulator.home_view(user) is not None for user in (LEAD, *MEMBERS))
