"""Pulse schedules in virtual time: `/wi3 pulse`, the scheduler's job, restarts, reminders.

The store is real (a temporary data directory) and so is the scheduler: every tick runs
the production jobs (`Services.close_due_rounds`, `open_due_pulses`, reminders) against
the emulated Slack. Time is a `FakeClock` moved in half hours, and a "restart" closes the
store and builds fresh services on it, as a new process would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config
from bot.emulator import SlackEmulator, Workspace
from bot.services import Services
from bot.slack_client import make_client, make_sending_client
from conversations.context import Caller
from conversations.outbound import Reply, SendQueued
from conversations.pulse import PulseFlow, parse_schedule
from model import Element, load_content, select_pulse_items
from storage import Progress, Round, Team, open_store
from tests.conftest import SIGNING_SECRET, FakeClock

WS, CHANNEL, LEAD = "T0WI3TEST", "C0PULSE01", "U0LEAD001"
MEMBERS = (LEAD, "U0MEMB002", "U0MEMB003", "U0MEMB004")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LEAD_CALLER = Caller(WS, LEAD, "en", CHANNEL)


def members(_workspace_id: str, _channel_id: str) -> Sequence[str]:
    return MEMBERS


def pulse_workspace() -> Workspace:
    """One team channel with the lead and three members, the bot in it."""
    workspace = Workspace(team_id=WS)
    for n, user in enumerate(MEMBERS):
        workspace.add_user(user, f"member{n}", tz="Europe/Amsterdam")
    workspace.add_channel(CHANNEL, "team-pulse", list(MEMBERS))
    return workspace


class Bot:
    """The bot's services over one data directory; `restart()` as a new process would
    (store closed and opened again, fresh services, nothing kept in memory)."""

    def __init__(self, config: Config, clock: FakeClock) -> None:
        self.config = config
        self.clock = clock
        self._open()

    def _open(self) -> None:
        self.store = open_store(self.config.data_dir, clock=self.clock)
        self.services = Services.build(
            self.store, make_client(self.config),
            fanout_client=make_sending_client(self.config),
            clock=self.clock, messages_per_second=1000.0)
        self.pulse = self.services.pulse

    def restart(self) -> None:
        self.store.close()
        self._open()

    def tick(self) -> None:
        """One tick of the production scheduler: close what is due, open what is due."""
        assert self.services.scheduler.tick(self.clock()) == []

    def run_until(self, until: datetime, *, restart_every: timedelta | None = None) -> None:
        """Tick every half hour of virtual time until `until`, restarting now and then."""
        last_restart = self.clock()
        while self.clock() < until:
            self.clock.advance(minutes=30)
            if restart_every is not None and self.clock() - last_restart >= restart_every:
                self.restart()
                last_restart = self.clock()
            self.tick()

    def command(self, text: str, caller: Caller = LEAD_CALLER) -> str:
        team = self.team()
        out = self.pulse.command(caller, team, text.split(), members=lambda: MEMBERS,
                                 caller_timezone="Europe/Amsterdam")
        replies = [o for o in out if isinstance(o, Reply)]
        return replies[0].message["text"] if replies else ""

    def team(self) -> Team:
        team = self.store.get_team(WS, CHANNEL)
        assert team is not None
        return team

    def pulses(self) -> list[Round]:
        return [r for r in self.store.list_rounds(WS, CHANNEL) if r.kind == "pulse"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2027, 2, 15, 8, 0, tzinfo=UTC))  # Monday 09:00 in Amsterdam


@pytest.fixture
def bot(tmp_path: Path, clock: FakeClock) -> Iterator[Bot]:
    with SlackEmulator(pulse_workspace()) as emulator:
        config = Config(bot_token=emulator.token, signing_secret=SIGNING_SECRET,
                        app_token=None, slack_api_url=emulator.api_url,
                        data_dir=tmp_path / "data")
        bot = Bot(config, clock)
        bot.store.save_team(Team(WS, CHANNEL, leads=(LEAD,)))
        yield bot
        bot.store.close()


def local_times(rounds: list[Round]) -> list[str]:
    return [r.opened_at.astimezone(AMSTERDAM).strftime("%a %Y-%m-%d %H:%M") for r in rounds]


# -- reading the command ----------------------------------------------------------------------


@pytest.mark.parametrize(("words", "expected"), [
    ("weekly", ("weekly", 0, "10:00")),
    ("biweekly 14:00 wed", ("biweekly", 2, "14:00")),
    ("monthly vrijdag 9.30", ("monthly", 4, "09:30")),
    ("maandelijks zo 7:05", ("monthly", 6, "07:05")),
])
def test_schedule_words_in_either_language_and_order(
    words: str, expected: tuple[str, int, str],
) -> None:
    schedule = parse_schedule(words.split())
    assert (schedule.frequency, schedule.weekday, schedule.time) == expected


def test_setting_a_schedule_saves_it_in_the_leads_timezone_and_says_when(bot: Bot) -> None:
    text = bot.command("biweekly wednesday 14:00")
    schedule = bot.team().pulse
    assert schedule is not None and schedule.enabled
    assert (schedule.frequency, schedule.weekday, schedule.time) == ("biweekly", 2, "14:00")
    assert bot.team().timezone == "Europe/Amsterdam"
    assert schedule.next_run_at == datetime(2027, 2, 17, 13, 0, tzinfo=UTC)
    assert "every other Wednesday at 14:00" in text
    assert "Europe/Amsterdam" in text
    assert f"<!date^{int(schedule.next_run_at.timestamp())}^" in text
    assert "every other Wednesday at 14:00" in bot.command("")


def test_a_weekend_day_is_accepted_with_a_word_about_mondays(bot: Bot) -> None:
    text = bot.command("weekly saturday")
    assert "Monday after" in text
    next_run = bot.team().pulse.next_run_at  # type: ignore[union-attr]
    assert next_run is not None
    assert next_run.astimezone(AMSTERDAM).strftime("%a %H:%M") == "Mon 10:00"


def test_words_it_does_not_understand_change_nothing(bot: Bot) -> None:
    assert "`someday`" in bot.command("weekly someday")
    assert "/wi3 pulse weekly|biweekly|monthly" in bot.command("sometimes")
    assert bot.team().pulse is None


def test_only_leads_and_admins_manage_pulses(bot: Bot) -> None:
    member = Caller(WS, MEMBERS[1], "en", CHANNEL)
    assert "Only this team's leads" in bot.command("weekly", member)
    assert bot.team().pulse is None
    admin = Caller(WS, MEMBERS[2], "nl", CHANNEL, is_admin=True)
    assert "elke maandag om 10:00" in bot.command("weekly", admin)


def test_off_stops_the_schedule_and_says_so(bot: Bot) -> None:
    bot.command("weekly")
    assert "are off" in bot.command("off")
    assert "were already off" in bot.command("off")
    assert "No pulse checks are scheduled" in bot.command("")
    bot.run_until(bot.clock() + timedelta(weeks=2))
    assert bot.pulses() == []


# -- schedules over weeks of virtual time -----------------------------------------------------


@pytest.mark.parametrize(("words", "weeks", "expected"), [
    ("weekly", 9, ["Mon 2027-02-15 10:00", "Mon 2027-02-22 10:00", "Mon 2027-03-01 10:00",
                   "Mon 2027-03-08 10:00", "Mon 2027-03-15 10:00", "Mon 2027-03-22 10:00",
                   "Mon 2027-03-29 10:00", "Mon 2027-04-05 10:00", "Mon 2027-04-12 10:00",
                   "Mon 2027-04-19 10:00"]),
    ("biweekly thursday 16:00", 9, ["Thu 2027-02-18 16:00", "Thu 2027-03-04 16:00",
                                    "Thu 2027-03-18 16:00", "Thu 2027-04-01 16:00",
                                    "Thu 2027-04-15 16:00"]),
    ("monthly tuesday 09:30", 16, ["Tue 2027-03-02 09:30", "Tue 2027-04-06 09:30",
                                   "Tue 2027-05-04 09:30", "Tue 2027-06-01 09:30"]),
])
def test_schedules_open_one_pulse_per_period_at_local_time_across_dst(
    bot: Bot, words: str, weeks: int, expected: list[str],
) -> None:
    bot.command(words)
    bot.run_until(bot.clock() + timedelta(weeks=weeks, days=3), restart_every=timedelta(days=3))
    pulses = bot.pulses()
    assert local_times(pulses) == expected  # summer time began on 28 March 2027
    assert [p.pulse_number for p in pulses] == list(range(1, len(expected) + 1))
    assert all(p.closes_at == p.opened_at + timedelta(days=2) for p in pulses)
    assert all(not p.is_open for p in pulses)
    assert sorted(p.invited for p in pulses)[0] == MEMBERS


def test_consecutive_pulses_ask_one_statement_per_element_and_cover_them_all(bot: Bot) -> None:
    bot.command("weekly")
    bot.run_until(bot.clock() + timedelta(weeks=6, days=1))
    pulses = bot.pulses()
    assert len(pulses) == 7  # Investment has seven statements
    content = load_content()
    for pulse in pulses:
        assert pulse.item_ids == tuple(i.id for i in select_pulse_items(pulse.pulse_number or 0))
        assert [content.questionnaire.item(i).element for i in pulse.item_ids] == list(Element)
    asked = {item_id for pulse in pulses for item_id in pulse.item_ids}
    assert asked == {item.id for item in content.questionnaire.items}


# -- downtime, restarts and duplicate timers --------------------------------------------------


def test_a_pulse_missed_while_down_goes_out_once_when_the_bot_is_back(bot: Bot) -> None:
    bot.command("weekly")
    bot.run_until(datetime(2027, 2, 21, 12, tzinfo=UTC))  # first pulse done, now Sunday
    assert len(bot.pulses()) == 1
    bot.store.close()  # down from Sunday noon until Monday evening
    bot.clock.now = datetime(2027, 2, 22, 19, 0, tzinfo=UTC)
    bot._open()
    second_timer = PulseFlow(bot.store, load_content(), bot.clock)
    for _ in range(3):
        bot.tick()
        second_timer.due(bot.clock(), members)
    bot.restart()
    bot.run_until(datetime(2027, 2, 24, 12, tzinfo=UTC))
    assert local_times(bot.pulses()) == ["Mon 2027-02-15 10:00", "Mon 2027-02-22 20:00"]
    assert bot.team().pulse.last_period_key == "2027-W08"  # type: ignore[union-attr]


def test_a_pulse_missed_by_more_than_its_window_is_skipped_and_the_next_one_comes(
    bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    bot.command("weekly")
    bot.clock.now = datetime(2027, 2, 17, 12, tzinfo=UTC)  # down until Wednesday noon
    with caplog.at_level(logging.INFO, logger="wi3.conversations.pulse"):
        bot.tick()
    assert bot.pulses() == []
    assert "skipped: missed by more than its window" in caplog.text
    bot.run_until(datetime(2027, 2, 23, tzinfo=UTC))
    assert local_times(bot.pulses()) == ["Mon 2027-02-22 10:00"]


def test_duplicate_timers_at_the_same_moment_open_one_pulse(bot: Bot) -> None:
    bot.command("weekly")
    bot.clock.now = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
    timers = [PulseFlow(bot.store, load_content(), bot.clock) for _ in range(4)]
    start = threading.Barrier(len(timers))

    def run(timer: PulseFlow) -> None:
        start.wait()
        timer.due(bot.clock(), members)

    threads = [threading.Thread(target=run, args=(timer,)) for timer in timers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(bot.pulses()) == 1


def test_a_restart_between_opening_a_pulse_and_recording_it_never_opens_a_second(bot: Bot) -> None:
    bot.command("weekly")
    bot.clock.now = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
    bot.pulse.open_pulse(bot.team(), MEMBERS, bot.clock())  # then the process died
    assert bot.team().pulse.last_period_key is None  # type: ignore[union-attr]
    bot.restart()
    bot.run_until(datetime(2027, 2, 16, tzinfo=UTC))
    assert len(bot.pulses()) == 1
    assert bot.team().pulse.last_period_key == "2027-W07"  # type: ignore[union-attr]


def test_a_pulse_is_skipped_while_a_full_round_is_open_and_the_next_one_scheduled(
    bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    bot.command("weekly")
    bot.store.open_round(WS, CHANNEL, kind="diagnostic", invited=MEMBERS,
                         closes_at=datetime(2027, 2, 18, tzinfo=UTC), at=bot.clock())
    with caplog.at_level(logging.INFO, logger="wi3.conversations.pulse"):
        bot.run_until(datetime(2027, 2, 16, tzinfo=UTC))
    assert bot.pulses() == []
    assert f"pulse for <#{CHANNEL}> (2027-W07) skipped: a diagnostic round is open" in caplog.text
    next_run = bot.team().pulse.next_run_at  # type: ignore[union-attr]
    assert next_run == datetime(2027, 2, 22, 9, tzinfo=UTC)
    bot.run_until(datetime(2027, 2, 23, tzinfo=UTC))
    assert local_times(bot.pulses()) == ["Mon 2027-02-22 10:00"]


# -- `/wi3 pulse now` -------------------------------------------------------------------------


def test_pulse_now_opens_a_short_round_announces_it_and_invites_everyone(bot: Bot) -> None:
    out = bot.pulse.command(LEAD_CALLER, bot.team(), ["now"], members=lambda: MEMBERS)
    (pulse,) = bot.pulses()
    assert len(pulse.item_ids) == 4 and pulse.pulse_number == 1
    assert pulse.closes_at == bot.clock() + timedelta(days=2)
    started, send = out
    assert isinstance(started, Reply) and "sending 4 members" in started.message["text"]
    assert send == SendQueued()
    announcement = bot.store.claim_next("test", 60)  # queued first, with the round
    assert announcement is not None
    assert announcement.outgoing.key == f"post/{pulse.id}/announcement"
    assert announcement.outgoing.channel_id == CHANNEL
    assert "4 quick statements" in (announcement.outgoing.message or {})["text"]
    assert {bot.store.outbox_state(f"invitation/{pulse.id}/{user}") for user in MEMBERS} == {
        "pending"}


def test_pulse_now_waits_for_an_open_round(bot: Bot) -> None:
    bot.store.open_round(WS, CHANNEL, kind="diagnostic", invited=MEMBERS, at=bot.clock())
    assert "already open" in bot.command("now")
    assert bot.pulses() == []


def test_pulse_now_with_nobody_to_ask_opens_nothing(bot: Bot) -> None:
    out = bot.pulse.command(LEAD_CALLER, bot.team(), ["now"], members=lambda: [])
    assert "nobody to send a pulse to" in out[0].message["text"]  # type: ignore[union-attr]
    assert bot.pulses() == []


# -- reminders --------------------------------------------------------------------------------


def test_reminders_are_due_halfway_and_queued_once_for_invited_members_still_to_finish(
    bot: Bot,
) -> None:
    bot.pulse.command(LEAD_CALLER, bot.team(), ["now"], members=lambda: MEMBERS)
    (pulse,) = bot.pulses()
    finished, started, invited_only, never_invited = MEMBERS
    for user in (finished, started, invited_only):
        bot.store.mark_invitation_sent(pulse.id, user)
    bot.store.record_answers(pulse.id, finished, dict.fromkeys(pulse.item_ids, 4))
    bot.store.mark_finished(pulse.id, finished)
    bot.store.record_answers(pulse.id, started, {pulse.item_ids[0]: 3})
    bot.clock.advance(hours=23, minutes=59)
    assert bot.pulse.queue_reminders(bot.clock()) == []
    bot.clock.advance(minutes=1)
    assert bot.pulse.queue_reminders(bot.clock()) == [SendQueued()]
    states = {user: bot.store.outbox_state(f"reminder/{pulse.id}/{user}") for user in MEMBERS}
    assert states == {finished: None, started: "pending", invited_only: "pending",
                      never_invited: None}
    bot.restart()
    assert bot.pulse.reminders_due(bot.clock()) == []
    assert bot.pulse.queue_reminders(bot.clock()) == []


def test_a_reminder_offers_to_resume_for_those_who_started(bot: Bot) -> None:
    bot.pulse.command(LEAD_CALLER, bot.team(), ["now"], members=lambda: MEMBERS)
    (pulse,) = bot.pulses()
    bot.store.record_answers(pulse.id, MEMBERS[1], {pulse.item_ids[0]: 3})
    bot.store.save_progress(Progress(round_id=pulse.id, user=MEMBERS[1], position=1))
    fresh = bot.pulse.reminder(pulse, "en", MEMBERS[2])
    resumed = bot.pulse.reminder(pulse, "nl", MEMBERS[1])
    assert "Reminder" in fresh["text"]
    assert "4 statements, under a minute" in _text(fresh)
    assert _button_labels(fresh) == ["Start"]
    assert "Herinnering" in resumed["text"]
    assert _button_labels(resumed) == ["Verder"]


def _text(message: dict[str, Any]) -> str:
    return " ".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def _button_labels(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def test_a_lead_changing_the_schedule_while_the_timer_runs_keeps_the_change(
    bot: Bot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The timer saves where it left off only over the schedule it read: a lead's change
    in that moment (on any instance) is never overwritten by the timer's stale copy."""
    bot.command("weekly")
    bot.clock.now = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)  # Monday 10:00: due
    run_slot = bot.pulse._run_slot

    def lead_changes_it_meanwhile(*args: Any) -> Any:
        opened = run_slot(*args)
        bot.command("biweekly thursday 16:00")
        return opened

    monkeypatch.setattr(bot.pulse, "_run_slot", lead_changes_it_meanwhile)
    bot.tick()
    schedule = bot.team().pulse
    assert schedule is not None
    assert (schedule.frequency, schedule.weekday, schedule.time) == ("biweekly", 3, "16:00")
    assert len(bot.pulses()) == 1
