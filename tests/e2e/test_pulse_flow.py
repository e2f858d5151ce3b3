"""Pulse checks as a team lives them in Slack: schedule, DMs, one reminder, the result.

The bot is served over real HTTP against the emulated Slack; time is the test's
`FakeClock` (Monday 30 November 2026, 10:00 in Amsterdam), and the scheduler is ticked by
hand, so two days pass in a moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.config import Config
from bot.emulator import SlackDriver, SlackEmulator, Workspace
from bot.emulator.seed import LEAD, MEMBERS, TEAM_CHANNEL
from bot.emulator.workspace import Message
from bot.services import Services
from bot.slack_client import make_client, make_sending_client
from conversations.i18n import t
from conversations.refs import ActionIds
from storage import Round, Store
from tests.conftest import FakeClock
from tests.e2e.helpers import answer_all, current_question, invitation, progress_line

ALEX, SAMI, NOOR, KAI = MEMBERS
CROWD_CHANNEL = "C0CROWD01"
CROWD = tuple(f"U0CROWD{n:03d}" for n in range(30))


def tick(services: Services, clock: FakeClock, **advance: float) -> None:
    clock.advance(**advance)
    assert services.scheduler.tick(clock()) == []


def the_pulse(services: Services, channel: str = TEAM_CHANNEL) -> Round:
    (pulse,) = [r for r in services.store.list_rounds("T0WI3TEST", channel) if r.kind == "pulse"]
    return pulse


def dms_like(emulator: SlackEmulator, user: str, key: str) -> list[Message]:
    """DMs to `user` whose notification text is the catalog's `key`, in either language."""
    texts = {t(lang, key, channel=channel) for lang in ("en", "nl")
             for channel in (TEAM_CHANNEL, CROWD_CHANNEL)}
    return [m for m in emulator.messages_to(user) if m.text in texts]


def reminders_to(emulator: SlackEmulator, user: str) -> list[Message]:
    return dms_like(emulator, user, "pulse.reminder.fallback")


def invitations_to(emulator: SlackEmulator, user: str) -> list[Message]:
    return dms_like(emulator, user, "invite.pulse_fallback")


def channel_post(emulator: SlackEmulator, title: str) -> str:
    """The newest post in the team channel that contains `title`."""
    posts = [m.visible_text() for m in emulator.messages_to(TEAM_CHANNEL)]
    return next(text for text in reversed(posts) if title in text)


def last_reply(emulator: SlackEmulator) -> str:
    return str(emulator.responses()[-1].body["text"])


def schedule_tuesday_pulses(driver: SlackDriver, channel: str = TEAM_CHANNEL) -> None:
    assert driver.command(LEAD, channel, "setup").status == 200
    assert driver.command(LEAD, channel, "pulse weekly tuesday 10:00").status == 200


def test_the_lead_schedules_pulses_in_their_own_timezone_and_can_see_and_stop_them(
    driver: SlackDriver, emulator: SlackEmulator, services: Services
) -> None:
    schedule_tuesday_pulses(driver)
    said = last_reply(emulator)
    assert "elke dinsdag om 10:00" in said  # Lotte's Slack is in Dutch
    assert "Europe/Amsterdam" in said
    team = services.store.get_team("T0WI3TEST", TEAM_CHANNEL)
    assert team is not None and team.timezone == "Europe/Amsterdam"
    assert team.pulse is not None and team.pulse.next_run_at is not None
    assert team.pulse.next_run_at.isoformat() == "2026-12-01T09:00:00+00:00"
    driver.command(LEAD, TEAM_CHANNEL, "pulse")
    assert "elke dinsdag om 10:00" in last_reply(emulator)
    driver.command(LEAD, TEAM_CHANNEL, "pulse off")
    assert "staan uit" in last_reply(emulator)


def test_members_cannot_schedule_pulses(driver: SlackDriver, emulator: SlackEmulator,
                                        services: Services) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(ALEX, TEAM_CHANNEL, "pulse weekly")
    assert "Only this team's leads (<@U0LOTTE01>)" in last_reply(emulator)
    team = services.store.get_team("T0WI3TEST", TEAM_CHANNEL)
    assert team is not None and team.pulse is None


def test_a_scheduled_pulse_asks_four_statements_reminds_once_and_posts_its_result(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    schedule_tuesday_pulses(driver)
    tick(services, clock, hours=24)  # Tuesday 10:00 in Amsterdam
    pulse = the_pulse(services)
    assert "Pulscheck" in emulator.messages_to(TEAM_CHANNEL)[-1].visible_text()
    for user in (LEAD, *MEMBERS):
        assert len(invitations_to(emulator, user)) == 1
    assert "4 statements, under a minute" in invitation(emulator, ALEX).visible_text()
    driver.click(KAI, invitation(emulator, KAI), ActionIds.START)
    assert progress_line(current_question(emulator, KAI)) == (
        "Statement 1 of 4 · Value · about _our use of social tools at work_")
    driver.click(KAI, current_question(emulator, KAI), ActionIds.answer(4))
    for user in (ALEX, SAMI, NOOR):
        final = answer_all(driver, emulator, user, 4, checklist=None)
        assert "pulse result" in final.visible_text() or "pulsresultaat" in final.visible_text()

    tick(services, clock, hours=23, minutes=59)
    assert all(reminders_to(emulator, user) == [] for user in (LEAD, *MEMBERS))
    tick(services, clock, minutes=1)  # halfway: one day after it opened
    assert [len(reminders_to(emulator, user)) for user in (LEAD, ALEX, SAMI, NOOR, KAI)] == [
        1, 0, 0, 0, 1]
    resume = reminders_to(emulator, KAI)[0].buttons()[0][1]
    assert resume["action_id"] == ActionIds.START and resume["text"]["text"] == "Resume"
    tick(services, clock, hours=12)
    assert len(reminders_to(emulator, LEAD)) == 1 and len(reminders_to(emulator, KAI)) == 1

    tick(services, clock, hours=12)  # two days: the pulse closes, the result goes out
    closed = services.store.get_round(pulse.id)
    assert closed is not None and not closed.is_open and closed.results_posted_at is not None
    post = channel_post(emulator, "WI3-puls")  # the team's language is Dutch
    assert t("nl", "pulse.basis.alone") in post
    (chart,) = [u for u in emulator.uploads() if u.channel == TEAM_CHANNEL]
    assert chart.content.startswith(b"\x89PNG")


def test_a_pulse_after_a_diagnostic_combines_both_and_compares(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    driver.command(LEAD, TEAM_CHANNEL, "setup")
    driver.command(LEAD, TEAM_CHANNEL, "start")
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 4)
    driver.command(LEAD, TEAM_CHANNEL, "close")
    clock.advance(days=1)
    driver.command(LEAD, TEAM_CHANNEL, "pulse now")
    assert "Pulscheck gestart" in last_reply(emulator)
    for user in (ALEX, SAMI, NOOR):
        answer_all(driver, emulator, user, 5, checklist=None)
    tick(services, clock, days=2)
    post = channel_post(emulator, "WI3-puls")
    assert t("nl", "pulse.basis.diagnostic") in post
    assert "sinds de diagnose" in post


def test_no_pulse_while_a_full_round_is_open(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock
) -> None:
    schedule_tuesday_pulses(driver)
    driver.command(LEAD, TEAM_CHANNEL, "start")
    driver.command(LEAD, TEAM_CHANNEL, "pulse now")
    assert "Er loopt al een ronde" in last_reply(emulator)
    tick(services, clock, hours=24)
    rounds = services.store.list_rounds("T0WI3TEST", TEAM_CHANNEL)
    assert [r.kind for r in rounds] == ["diagnostic"]
    team = services.store.get_team("T0WI3TEST", TEAM_CHANNEL)
    assert team is not None and team.pulse is not None and team.pulse.next_run_at is not None
    assert team.pulse.next_run_at.isoformat() == "2026-12-08T09:00:00+00:00"


# -- crashes in the middle of a fan-out ---------------------------------------------------------


@pytest.fixture
def crowd(workspace: Workspace) -> tuple[str, ...]:
    """Thirty more people in a channel of their own, Lotte leading it."""
    for user in CROWD:
        workspace.add_user(user, user.lower())
    workspace.add_channel(CROWD_CHANNEL, "crowd", [LEAD, *CROWD])
    return (LEAD, *CROWD)


class FailedHere(BaseException):
    """An exception standing in for a crash at this very point: nothing after it runs,
    though the process and its store object live on (nothing is reopened from disk; the
    real SIGKILLs are tests/e2e/test_crashes.py)."""


def fails_at(records: int, record_sent: Callable[..., bool],
             stop: Callable[[], None] | None = None) -> Callable[..., bool]:
    """`Store.record_sent` until `records` receipts are written; then it raises right
    after Slack took the next message and before its receipt (or, with `stop`, that is
    called instead and the receipt written)."""
    count = [0]

    def record(*args: Any, **kwargs: Any) -> bool:
        count[0] += 1
        if count[0] > records:
            if stop is None:
                raise FailedHere
            stop()
        return record_sent(*args, **kwargs)

    return record


def restarted(services: Services, bot_config: Config, store: Store) -> Services:
    """What a new process builds: fresh services over the same data, background resumed."""
    again = Services.build(store, make_client(bot_config),
                           fanout_client=make_sending_client(bot_config),
                           clock=services.clock, messages_per_second=1000.0)
    again.start_background()
    assert again.outbox.wait_idle(30)
    again.stop_background()
    return again


def test_a_failure_in_the_middle_of_pulse_invitations_sends_each_exactly_once(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    crowd: tuple[str, ...], bot_config: Config, store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule_tuesday_pulses(driver, CROWD_CHANNEL)
    with monkeypatch.context() as patch:  # the announcement and 11 invitations recorded
        patch.setattr(store, "record_sent", fails_at(12, store.record_sent))
        with pytest.raises(FailedHere):
            tick(services, clock, hours=24)
    reached = [user for user in crowd if invitations_to(emulator, user)]
    assert len(reached) == 12  # the twelfth went out; its receipt never got written
    clock.advance(minutes=2)  # the failed sender's claim has expired
    restarted(services, bot_config, store)
    assert [len(invitations_to(emulator, user)) for user in crowd] == [1] * len(crowd)
    assert store.invitations_sent(the_pulse(services, CROWD_CHANNEL).id) == set(crowd)
    assert len([m for m in emulator.messages_to(CROWD_CHANNEL) if "Puls" in m.text]) == 1


def test_a_failure_in_the_middle_of_reminders_reminds_each_non_finisher_once(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    crowd: tuple[str, ...], bot_config: Config, store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule_tuesday_pulses(driver, CROWD_CHANNEL)
    tick(services, clock, hours=24)
    finishers = crowd[1:11]
    for user in finishers:
        answer_all(driver, emulator, user, 3, checklist=None)
    with monkeypatch.context() as patch:
        patch.setattr(store, "record_sent", fails_at(7, store.record_sent))
        with pytest.raises(FailedHere):
            tick(services, clock, days=1)
    assert sum(len(reminders_to(emulator, user)) for user in crowd) == 8
    clock.advance(minutes=2)
    again = restarted(services, bot_config, store)
    again.scheduler.tick(clock.advance(minutes=1))
    expected = [0 if user in finishers else 1 for user in crowd]
    assert [len(reminders_to(emulator, user)) for user in crowd] == expected
    pulse = the_pulse(again, CROWD_CHANNEL)
    assert store.reminders_sent(pulse.id) == {u for u in crowd if u not in finishers}


def test_a_stop_in_the_middle_of_reminders_leaves_who_is_left_for_the_restart(
    driver: SlackDriver, emulator: SlackEmulator, services: Services, clock: FakeClock,
    crowd: tuple[str, ...], bot_config: Config, store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule_tuesday_pulses(driver, CROWD_CHANNEL)
    tick(services, clock, hours=24)
    with monkeypatch.context() as patch:  # SIGTERM while the seventh reminder is under way
        patch.setattr(store, "record_sent", fails_at(6, store.record_sent,
                                                     stop=services.stop_sending))
        tick(services, clock, days=1)
    assert sum(len(reminders_to(emulator, user)) for user in crowd) == 7  # nothing after
    again = restarted(services, bot_config, store)
    again.scheduler.tick(clock.advance(minutes=1))
    assert [len(reminders_to(emulator, user)) for user in crowd] == [1] * len(crowd)
