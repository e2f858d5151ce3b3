"""Who someone is: asking Slack again refreshes the cache only when something changed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator import SlackEmulator
from bot.emulator.seed import MEMBERS
from bot.people import PROFILE_REFRESH, People
from bot.services import Services
from storage import Store, UserInfo
from tests.conftest import FakeClock


@pytest.fixture
def saved(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[UserInfo]:
    """Every profile the cache is asked to save, from now on."""
    calls: list[UserInfo] = []
    real = store.save_user

    def spy(info: UserInfo) -> Any:
        calls.append(info)
        return real(info)

    monkeypatch.setattr(store, "save_user", spy)
    return calls


def test_a_profile_that_did_not_change_is_not_saved_again_until_half_its_life(
    services: Services, emulator: SlackEmulator, clock: FakeClock, saved: list[UserInfo]
) -> None:
    people: People = services.people
    alex = MEMBERS[0]
    people.person(emulator.workspace.team_id, alex, fresh=True)
    assert len(saved) == 1  # the first time: kept
    clock.advance(hours=1)
    people.person(emulator.workspace.team_id, alex, fresh=True)  # asked again: the same
    assert len(saved) == 1
    emulator.workspace.users[alex].locale = "nl-NL"
    people.person(emulator.workspace.team_id, alex, fresh=True)  # changed: saved
    assert [info.locale for info in saved] == ["en-US", "nl-NL"]
    clock.advance(seconds=PROFILE_REFRESH.total_seconds())
    people.person(emulator.workspace.team_id, alex, fresh=True)  # unchanged, but old: saved
    assert len(saved) == 3 and saved[-1].fetched_at == clock.now
