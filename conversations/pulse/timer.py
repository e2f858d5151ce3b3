"""The scheduler's pulse job: open every pulse whose slot has come, once per period.

* a slot whose time has come opens a pulse, once per period: the period's key is
  recorded (`PulseSchedule.last_period_key`), and a pulse round opened at or after the
  slot counts as that period's, so neither a restart between opening the round and
  saving the key nor a duplicate timer ever opens a second one;
* a slot missed while the bot was down goes out when it comes back if its window has
  not passed yet; older ones are skipped with a line in the log;
* a slot that finds a round open (a full diagnostic) is skipped with a line in the log,
  and the next one is scheduled;
* where the scheduler left off is saved over the schedule it read (`update_pulse`), so a
  lead changing the schedule at that moment, on any instance, keeps their change.

A pulse closes like any round (`ClosingFlow.close`, by the scheduler's close job).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from datetime import datetime

from conversations.outbound import Outbound, SendQueued
from conversations.pulse.opening import PulseOpening
from conversations.schedule import Slot, next_slot, stored_slot, zone
from storage import PulseSchedule, RoundAlreadyOpenError, Team

logger = logging.getLogger(f"wi3.{__name__}")

ChannelMembers = Callable[[str, str], Sequence[str]]
TeamRun = tuple[str, list[Outbound]]
"""What one team's scheduled pulse asks to send, with the workspace to send it in."""


class PulseTimer(PulseOpening):
    """Opening scheduled pulses."""

    def due(self, now: datetime, members: ChannelMembers, *,
            paused: Container[str] = ()) -> list[TeamRun]:
        """Open every pulse whose slot has come (once per period); schedule the next ones.

        A team whose members cannot be read now is left as it is and tried again on the
        next tick, while its slot's window lasts. Only teams whose next run has come are
        read (`teams_with_pulse_due`): the others have nothing to do until then. Teams of
        `paused` workspaces (they removed wi3) are left alone: no pulse opens there.
        """
        runs: list[TeamRun] = []
        for team in self.store.teams_with_pulse_due(now):  # not every team, every tick
            if team.workspace_id in paused:
                continue
            try:
                outbounds = self._due_for(team, now, members)
            except Exception:
                logger.exception("pulse schedule of <#%s> failed; trying again next tick",
                                 team.channel_id)
                continue
            if outbounds:
                runs.append((team.workspace_id, outbounds))
        return runs

    def _due_for(self, team: Team, now: datetime, members: ChannelMembers) -> list[Outbound]:
        team = self.fresh(team)
        schedule = team.pulse
        if schedule is None or not schedule.enabled:
            return []
        tz = zone(team.timezone, self.default_timezone)
        slot = stored_slot(schedule, tz, now)
        last_key = schedule.last_period_key
        outbounds: list[Outbound] = []
        while slot.at <= now:
            if self._period_done(team, slot):
                last_key = slot.period_key
            elif now - slot.at >= self.window:
                logger.info("pulse for <#%s> (%s) skipped: missed by more than its window",
                            team.channel_id, slot.period_key)
            else:
                outbounds = self._run_slot(team, slot, now, members)
                last_key = slot.period_key if outbounds else last_key
            slot = next_slot(schedule, tz, slot)
        self._save_progress(team, replace(schedule, next_run_at=slot.at,
                                          last_period_key=last_key))
        return outbounds

    def _run_slot(
        self, team: Team, slot: Slot, now: datetime, members: ChannelMembers
    ) -> list[Outbound]:
        """Open this slot's pulse, or say in the log why not; [] when none was opened."""
        open_round = self.store.open_round_for(team.workspace_id, team.channel_id)
        if open_round is not None:
            logger.info("pulse for <#%s> (%s) skipped: a %s round is open; next one scheduled",
                        team.channel_id, slot.period_key, open_round.kind)
            return []
        invited = list(dict.fromkeys(members(team.workspace_id, team.channel_id)))
        if not invited:
            logger.info("pulse for <#%s> (%s) skipped: nobody to ask", team.channel_id,
                        slot.period_key)
            return []
        try:
            self.open_pulse(team, invited, now)
        except RoundAlreadyOpenError:  # another timer opened it a moment ago
            logger.info("pulse for <#%s> (%s) already opened elsewhere", team.channel_id,
                        slot.period_key)
            return []
        return [SendQueued()]

    def _period_done(self, team: Team, slot: Slot) -> bool:
        """This period has its pulse: recorded, or a pulse opened since the slot's time
        (the key may not have been saved when the bot stopped)."""
        if team.pulse is not None and team.pulse.last_period_key == slot.period_key:
            return True
        return any(r.kind == "pulse" and r.opened_at >= slot.at
                   for r in self.store.list_rounds(team.workspace_id, team.channel_id))

    def _save_progress(self, team: Team, schedule: PulseSchedule) -> None:
        """Over the schedule this run read: a lead who changed it meanwhile keeps their
        change, and the next tick works from it (a period's pulse is still found by
        `_period_done`)."""
        if schedule != team.pulse and not self.store.update_pulse(
                team.workspace_id, team.channel_id, schedule, expected=team.pulse):
            logger.info("pulse schedule of <#%s> changed meanwhile; next tick goes on from it",
                        team.channel_id)
