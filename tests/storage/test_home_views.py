"""What each person's App Home shows (`HomeViews`), on both backends: remembered per
person and workspace, shared by instances, gone with forget-me."""

from __future__ import annotations

from collections.abc import Callable

from storage import Store


def test_the_last_published_home_is_remembered_per_person_across_a_restart(
    store: Store, restart: Callable[[], Store],
) -> None:
    assert store.published_home("T1", "U1") is None
    store.remember_home("T1", "U1", "aaa")
    store.remember_home("T1", "U1", "bbb")  # the last publish wins
    store.remember_home("T1", "U2", "ccc")
    store.remember_home("T2", "U1", "ddd")
    again = restart()
    assert again.published_home("T1", "U1") == "bbb"
    assert again.published_home("T1", "U2") == "ccc"
    assert again.published_home("T2", "U1") == "ddd"
    assert again.published_home("T1", "U3") is None


def test_forgetting_someone_forgets_their_home_too(store: Store) -> None:
    store.remember_home("T1", "U1", "aaa")
    store.remember_home("T1", "U2", "bbb")
    store.forget_user("T1", "U1")
    assert store.published_home("T1", "U1") is None
    assert store.published_home("T1", "U2") == "bbb"
