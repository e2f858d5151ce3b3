"""`/wi3 pulse`: show, set or stop a team's pulse schedule, or run one pulse now.

Schedules (`/wi3 pulse weekly|biweekly|monthly [day] [HH:MM]`) live in storage on the team
(`Team.pulse`), so they survive restarts; `conversations.schedule` does the date
arithmetic in the team's timezone, and `timer.PulseTimer` opens the pulses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Outbound, Reply, SendQueued
from conversations.pulse.opening import PulseOpening
from conversations.pulse.words import UnknownWord, describe, meaning_of, parse_schedule
from conversations.schedule import first_slot, next_slot, stored_slot, zone
from conversations.team import may_manage, refusal, reply
from conversations.views.common import slack_date
from conversations.views.diagnostic import notice
from storage import Round, RoundAlreadyOpenError, Team
from storage.records import FREQUENCIES

Members = Callable[[], Sequence[str]]
SCHEDULE_ATTEMPTS = 5
"""Reads and compare-and-sets of a schedule that keeps changing (or is gone) before the
command gives up (the person is told something went wrong, and tries again)."""
CHANGING = "the pulse schedule kept changing underneath the command"


class PulseCommands(PulseOpening):
    """`/wi3 pulse ...` for leads."""

    def command(
        self,
        caller: Caller,
        team: Team,
        args: Sequence[str],
        *,
        members: Members,
        caller_timezone: str | None = None,
    ) -> list[Outbound]:
        """Route `/wi3 pulse [weekly|biweekly|monthly [day] [HH:MM] | now | off]` (leads only)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        meaning = meaning_of(args[0]) if args else "show"
        if meaning == "show":
            return self.show(caller, team)
        if meaning == "off":
            return self.stop(caller, team)
        if meaning == "now":
            return self.now(caller, team, members)
        if meaning in FREQUENCIES:
            return self.set_schedule(caller, team, args, caller_timezone)
        return reply(t(caller.lang, "pulse.usage"))

    def show(self, caller: Caller, team: Team) -> list[Outbound]:
        schedule = team.pulse
        if schedule is None or not schedule.enabled:
            return reply(t(caller.lang, "pulse.none", channel=team.channel_id))
        tz_name = self.timezone_of(team)
        slot = stored_slot(schedule, zone(tz_name, self.default_timezone), self.clock())
        return reply(self.with_weekend_note(caller.lang, schedule, t(
            caller.lang, "pulse.shown", channel=team.channel_id,
            schedule=describe(caller.lang, schedule), next=slack_date(slot.at),
            timezone=tz_name)))

    def set_schedule(
        self, caller: Caller, team: Team, args: Sequence[str], caller_timezone: str | None
    ) -> list[Outbound]:
        """Save the schedule in the lead's timezone; the first pulse is the next slot."""
        try:
            chosen = parse_schedule(args)
        except UnknownWord as unknown:
            return reply(t(caller.lang, "pulse.bad_word", word=unknown.word))
        tz_name = self.choose_timezone(caller_timezone, team)
        tz = zone(tz_name, self.default_timezone)
        for _ in range(SCHEDULE_ATTEMPTS):  # over the schedule as stored (the timer's too)
            fresh = self.fresh(team)
            last_key = fresh.pulse.last_period_key if fresh.pulse else None
            slot = first_slot(chosen, tz, self.clock())
            while slot.period_key == last_key:  # this period already had its pulse
                slot = next_slot(chosen, tz, slot)
            schedule = replace(chosen, next_run_at=slot.at, last_period_key=last_key)
            if self.store.update_pulse(team.workspace_id, team.channel_id, schedule,
                                       expected=fresh.pulse):
                break
        else:
            raise RuntimeError(CHANGING)
        self.store.update_team(team.workspace_id, team.channel_id, timezone=tz_name)
        return reply(self.with_weekend_note(caller.lang, schedule, t(
            caller.lang, "pulse.set", channel=team.channel_id,
            schedule=describe(caller.lang, schedule), next=slack_date(slot.at),
            timezone=tz_name)))

    def stop(self, caller: Caller, team: Team) -> list[Outbound]:
        """Stop the schedule; the period key stays, so turning it back on never doubles up."""
        for _ in range(SCHEDULE_ATTEMPTS):
            fresh = self.fresh(team)
            if fresh.pulse is None or not fresh.pulse.enabled:
                return reply(t(caller.lang, "pulse.already_off", channel=team.channel_id))
            if self.store.update_pulse(team.workspace_id, team.channel_id,
                                       replace(fresh.pulse, enabled=False),
                                       expected=fresh.pulse):
                return reply(t(caller.lang, "pulse.stopped", channel=team.channel_id))
        raise RuntimeError(CHANGING)

    def now(self, caller: Caller, team: Team, members: Members) -> list[Outbound]:
        """`/wi3 pulse now`: one pulse right away, unless a round is open."""
        open_round = self.store.open_round_for(team.workspace_id, team.channel_id)
        if open_round is not None:
            return self._round_open(caller, team, open_round)
        invited = list(dict.fromkeys(members()))
        if not invited:
            return reply(t(caller.lang, "pulse.no_members", channel=team.channel_id))
        try:
            round_ = self.open_pulse(team, invited, self.clock())
        except RoundAlreadyOpenError as exc:  # opened meanwhile (a double-clicked command)
            return self._round_open(caller, team, exc.round)
        started = t(caller.lang, "pulse.now_started", count=len(invited),
                    questions=len(round_.item_ids), deadline=slack_date(self.closes(round_)))
        return [Reply(notice(started)), SendQueued()]

    def _round_open(self, caller: Caller, team: Team, round_: Round) -> list[Outbound]:
        return reply(t(caller.lang, "pulse.round_open", channel=team.channel_id,
                       deadline=slack_date(self.closes(round_))))
