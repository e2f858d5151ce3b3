"""The outbox's dispatcher against the emulated Slack: a message whose fate is unknown is
looked for before it is sent again, a full disk causes no duplicate and heals without a
restart, and a message Slack keeps refusing is given up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.outbox import MAX_ATTEMPTS
from bot.services import Services
from conversations.refs import ActionIds
from storage import Store
from storage.records import Outgoing
from storage.tinydb import TinyDBStore
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, fill_disk

EVERYONE = (LEAD, *MEMBERS)


def invitations(emulator: SlackEmulator) -> dict[str, int]:
    """How many invitation DMs each member of the team channel got."""
    return {user: sum(1 for m in emulator.messages_to(user)
                      if any(button["action_id"] == ActionIds.START for _, button in m.buttons()))
            for user in EVERYONE}


ONCE_EACH = dict.fromkeys(EVERYONE, 1)


def tick(services: Services, clock: FakeClock, **advance: float) -> None:
    assert services.scheduler.tick(clock.advance(**advance)) == []


def test_messages_slack_took_without_an_answer_are_found_and_not_sent_again(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    # The announcement and two invitations reach Slack; the answers never come back.
    emulator.fail_next("chat.postMessage", status=502, count=3, applied=True)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    assert invitations(emulator) == ONCE_EACH
    assert services.store.outbox_counts() == {"sent": 3, "pending": 3}
    tick(services, clock, minutes=1)
    assert invitations(emulator) == ONCE_EACH
    assert len(emulator.messages_to(TEAM_CHANNEL)) == 1
    assert len(emulator.calls("conversations.history")) == 3  # one look each, then recorded
    round_ = services.store.open_rounds()[0]
    assert services.store.invitations_sent(round_.id) == set(EVERYONE)
    assert services.store.outbox_counts() == {"sent": 6}


def test_a_full_disk_in_a_fan_out_sends_nothing_twice_and_heals_without_a_restart(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    if not isinstance(store, TinyDBStore):
        pytest.skip("a full disk is the data directory's (TinyDB) trouble")
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    with monkeypatch.context() as patch, caplog.at_level(logging.INFO):
        # The disk fills up right after Slack took the third invitation.
        patch.setattr(store, "record_sent", filling_the_disk_after(4, store.record_sent, patch))
        assert driver.command(LEAD, TEAM_CHANNEL, "start").status == 200
        # Nothing more once it is full: a claim is written before each send.
        assert sorted(invitations(emulator).values()) == [0, 0, 1, 1, 1]
        assert "could not be recorded" in caplog.text
    tick(services, clock, minutes=1)  # space again; the stuck claim has expired
    assert invitations(emulator) == ONCE_EACH
    round_ = store.open_rounds()[0]
    assert store.invitations_sent(round_.id) == set(EVERYONE)
    assert len(emulator.messages_to(TEAM_CHANNEL)) == 1


def filling_the_disk_after(records: int, record_sent: Callable[..., bool],
                           patch: pytest.MonkeyPatch) -> Callable[..., bool]:
    count = [0]

    def record(*args: Any, **kwargs: Any) -> bool:
        count[0] += 1
        if count[0] == records:
            fill_disk(patch)
        return record_sent(*args, **kwargs)

    return record


def test_without_the_history_scopes_a_message_in_doubt_goes_out_and_the_log_says_why(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.api.scopes = tuple(s for s in emulator.api.scopes if not s.endswith(":history"))
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    emulator.fail_next("chat.postMessage", status=502, count=2, applied=True)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    with caplog.at_level(logging.WARNING):
        tick(services, clock, minutes=1)
    assert "grant the history scopes" in caplog.text
    round_ = services.store.open_rounds()[0]
    assert invitations(emulator)[round_.invited[0]] == 2  # at least once: the duplicate said
    assert services.store.outbox_counts() == {"sent": 6}


def test_a_message_slack_keeps_refusing_is_given_up_after_its_attempts(
    services: Services, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    services.store.enqueue([Outgoing("post/nowhere", "post", "T0WI3TEST",
                                     channel_id="C0NOWHERE", message={"text": "hello"})])
    with caplog.at_level(logging.INFO):
        for _ in range(MAX_ATTEMPTS):
            tick(services, clock, minutes=15)
    assert services.store.outbox_state("post/nowhere") == "failed"
    assert "giving up a queued post" in caplog.text and "channel_not_found" in caplog.text


def test_an_invitation_to_a_round_that_closed_meanwhile_is_not_sent(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    emulator.fail_next("chat.postMessage", error="internal_error", count=2)
    driver.command(LEAD, TEAM_CHANNEL, "start")  # the announcement and Lotte's fail
    for user in MEMBERS[:3]:
        answer_all(driver, emulator, user, 3)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    tick(services, clock, minutes=1)
    (round_,) = services.store.list_rounds("T0WI3TEST", TEAM_CHANNEL)
    first = round_.invited[0]
    assert invitations(emulator) == {**ONCE_EACH, first: 0}
    assert services.store.outbox_state(f"invitation/{round_.id}/{first}") is None  # voided
