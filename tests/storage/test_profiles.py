"""Many profiles cached at once (`save_profiles`, a read of the workspace directory), on
both backends: every locale kept, a cached DM channel left as it was."""

from __future__ import annotations

from collections.abc import Callable

from storage import Store, UserInfo

from .conftest import FakeClock


def test_a_directory_of_profiles_is_saved_at_once_keeping_dm_channels(
    store: Store, clock: FakeClock, restart: Callable[[], Store],
) -> None:
    store.save_user(UserInfo("T1", "U0000000", dm_channel="D0000000", locale="en-US"))
    profiles = [UserInfo("T1", f"U{n:07d}", locale="nl-NL" if n % 2 else "en-GB",
                         timezone="Europe/Amsterdam") for n in range(2500)]
    store.save_profiles(profiles)
    again = restart()
    first = again.get_user("T1", "U0000000")
    assert first == UserInfo("T1", "U0000000", dm_channel="D0000000", locale="en-GB",
                             timezone="Europe/Amsterdam", fetched_at=clock.now)
    assert [again.get_user("T1", f"U{n:07d}").locale for n in (1, 2, 2499)] == [  # type: ignore[union-attr]
        "nl-NL", "en-GB", "nl-NL"]
    assert again.get_user("T2", "U0000001") is None
