"""Pulse checks: short scheduled checks of four statements, with a reminder and a trend.

A pulse is a round of kind "pulse" that asks one statement per element, chosen by
`model.select_pulse_items(pulse_number)` so that consecutive pulses cover every statement.
It runs in the same DM conversation as the full diagnostic (same buttons, same privacy
promise) and stays open for `PULSE_WINDOW` (two days). Halfway through, members who have
not finished get one reminder (sent by `bot.reminders`); at the end it closes like any
round (`ClosingFlow.close`) and its result goes to the team channel.

Schedules (`/wi3 pulse weekly|biweekly|monthly [day] [HH:MM]`) live in storage on the team
(`Team.pulse`), so they survive restarts; `conversations.schedule` does the date
arithmetic in the team's timezone. `PulseFlow.due(now)` is the scheduler's job:

* a slot whose time has come opens a pulse, once per period: the period's key is
  recorded (`PulseSchedule.last_period_key`), and a pulse round opened at or after the
  slot counts as that period's, so neither a restart between opening the round and
  saving the key nor a duplicate timer ever opens a second one;
* a slot missed while the bot was down goes out when it comes back if its window has
  not passed yet; older ones are skipped with a line in the log;
* a slot that finds a round open (a full diagnostic) is skipped with a line in the log,
  and the next one is scheduled.

How a pulse is scored: carrying forward
---------------------------------------
Alone, a pulse cannot place most elements: a phase needs the element's facilitating
statements (S2), and a pulse asks one statement per element. So a pulse is scored on a
*combined profile*: start from the item medians of the team's most recent closed round
above its privacy threshold (the last full diagnostic, as updated by any later pulses:
each pulse keeps its combined medians in its snapshot), replace the pulse's own
statements by this pulse's medians (a statement nobody could judge this time keeps its
earlier median), and let the model score that profile.

The model scores answers, and a median can be a half (3.5), so the combined profile is
scored as two virtual respondents, one giving every median rounded down and one rounded
up: their medians are exactly the combined ones, and the model's thresholds, phases,
overall phase and bottleneck apply unchanged. The respondent count, answer counts,
spreads and disagreement come from the pulse itself. Without any earlier result a pulse
shows what its own answers can place; elements without enough data say so. The post
says which basis it used (`pulse.basis.*`): "Pulse results combine this pulse's answers
with the last full diagnostic".

The privacy threshold is exactly that of full rounds: below the team's minimum number of
responses nothing is scored and nothing is shown, not even the trend chart.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeGuard

from conversations.charts import trend_chart, trend_title
from conversations.context import Caller
from conversations.i18n import LANGUAGES, t
from conversations.outbound import InviteMembers, Outbound, PostToChannel, Reply
from conversations.schedule import Slot, first_slot, next_slot, stored_slot, zone
from conversations.team import may_manage, refusal, reply
from conversations.trend import TrendPoint
from conversations.views.common import Message, context, message, section, slack_date
from conversations.views.diagnostic import actions_start, notice
from conversations.views.results import RoundOutcome, results_post
from model import Answers, Content, TeamResult, score_team, select_pulse_items
from storage import (
    DEFAULT_PULSE_TIME,
    DEFAULT_PULSE_WEEKDAY,
    PulseSchedule,
    ResultSnapshot,
    Round,
    RoundAlreadyOpenError,
    Store,
    Team,
)
from storage.records import FREQUENCIES, Frequency

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Members = Callable[[], Sequence[str]]
ChannelMembers = Callable[[str, str], Sequence[str]]
TeamRun = tuple[str, list[Outbound]]
"""What one team's scheduled pulse asks to send, with the workspace to send it in."""

PULSE_WINDOW = timedelta(days=2)
DEFAULT_TIMEZONE = "Europe/Amsterdam"
TREND_PULSES = 8
"""How many pulses the trend chart under a pulse result shows."""
BASES = ("diagnostic", "pulses")
COMMANDS = ("off", "now")

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class UnknownWord(ValueError):
    """A word after `/wi3 pulse <frequency>` that is neither a day nor a time."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


# -- reading `/wi3 pulse ...` ---------------------------------------------------------------


@cache
def vocabulary() -> Mapping[str, str]:
    """Every word a lead may type, in either language -> what it means.

    Meanings: a frequency ("weekly"), a command ("off", "now") or a day ("day:0" Monday).
    """
    words: dict[str, str] = {}
    for lang in LANGUAGES:
        for meaning in (*FREQUENCIES, *COMMANDS):
            words.update(dict.fromkeys(t(lang, f"pulse.input.{meaning}").lower().split(),
                                       meaning))
        for day in range(7):
            words.update(dict.fromkeys(t(lang, f"pulse.input.day.{day}").lower().split(),
                                       f"day:{day}"))
    return words


def meaning_of(word: str) -> str | None:
    return vocabulary().get(word.lower())


def parse_schedule(args: Sequence[str]) -> PulseSchedule:
    """`weekly|biweekly|monthly [day] [HH:MM]`, day and time in either order.

    Defaults: Monday 10:00. Raises `UnknownWord` for anything else.
    """
    frequency = meaning_of(args[0]) if args else None
    if not is_frequency(frequency):
        raise UnknownWord(args[0] if args else "")
    weekday, time = DEFAULT_PULSE_WEEKDAY, DEFAULT_PULSE_TIME
    for word in args[1:]:
        meaning = meaning_of(word) or ""
        if meaning.startswith("day:"):
            weekday = int(meaning.removeprefix("day:"))
        elif (clock_time := time_of(word)) is not None:
            time = clock_time
        else:
            raise UnknownWord(word)
    return PulseSchedule(frequency=frequency, weekday=weekday, time=time)


def is_frequency(meaning: str | None) -> TypeGuard[Frequency]:
    return meaning in FREQUENCIES


def time_of(word: str) -> str | None:
    """"9:30", "09:30" or "9.30" as "09:30"; None if it is not a 24-hour time."""
    match = _TIME.match(word)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def describe(lang: str, schedule: PulseSchedule) -> str:
    """"every Monday at 10:00", in the reader's language."""
    return t(lang, f"pulse.every.{schedule.frequency}",
             day=t(lang, f"pulse.day.{schedule.weekday}"), time=schedule.time)


# -- scoring: carrying forward (see the module docstring) -----------------------------------


def score_pulse(
    responses: Iterable[Answers],
    item_ids: Sequence[str],
    base: TeamResult | None,
    *,
    content: Content,
) -> TeamResult:
    """The pulse's result on the combined profile: `base` medians, the pulse's replacing."""
    own = score_team(responses, content=content)
    replaced = [i for i in item_ids if own.item_medians.get(i) is not None]
    medians = carried_medians(base, content)
    medians.update({item_id: own.item_medians[item_id] for item_id in replaced})
    combined = score_team(virtual_respondents(medians), content=content)
    return _with_pulse_counts(combined, own, base, replaced, content)


def carried_medians(base: TeamResult | None, content: Content) -> dict[str, float | None]:
    """Every statement's earlier median (None: none), for the statements the model knows."""
    earlier = base.item_medians if base is not None else {}
    return {item.id: earlier.get(item.id) for item in content.questionnaire.items}


def virtual_respondents(medians: Mapping[str, float | None]) -> list[dict[str, int]]:
    """Two answer sets whose per-item medians are exactly `medians` (whole or half scores)."""
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for item_id, median in medians.items():
        if median is None:
            continue
        if (median * 2) != int(median * 2):
            raise ValueError(f"median {median} of {item_id} is not a whole or half score")
        low[item_id], high[item_id] = math.floor(median), math.ceil(median)
    return [low, high]


def _with_pulse_counts(
    combined: TeamResult, own: TeamResult, base: TeamResult | None,
    replaced: Sequence[str], content: Content,
) -> TeamResult:
    """Counts, spreads and disagreement of the pulse's own statements; earlier ones kept."""
    counts = {item.id: 0 for item in content.questionnaire.items}
    spreads: dict[str, float | None] = {item.id: None for item in content.questionnaire.items}
    if base is not None:
        counts.update({k: v for k, v in base.item_answer_counts.items() if k in counts})
        spreads.update({k: v for k, v in base.item_iqrs.items() if k in spreads})
    for item_id in replaced:
        counts[item_id] = own.item_answer_counts[item_id]
        spreads[item_id] = own.item_iqrs[item_id]
    disagreeing = tuple(i for i in own.disagreement_items if i in replaced)
    elements = tuple(
        replace(result, disagreement=any(
            item.id in disagreeing for item in content.questionnaire.items_for(result.element)))
        for result in combined.elements
    )
    return replace(combined, elements=elements, respondent_count=own.respondent_count,
                   item_answer_counts=counts, item_iqrs=spreads, disagreement_items=disagreeing)


def basis_of(base: ResultSnapshot | None) -> str | None:
    """What a pulse's combined profile rests on: "diagnostic", "pulses" or None (nothing)."""
    if base is None:
        return None
    if base.kind == "diagnostic" or base.result.get("basis") == "diagnostic":
        return "diagnostic"
    return "pulses"


def snapshot_extras(base: ResultSnapshot | None) -> dict[str, Any]:
    """What a pulse's snapshot keeps beside its result: the basis of its combined profile."""
    return {"basis": basis_of(base), "carried_from": base.round_id if base else None}


def pulse_publication(
    lang: str,
    outcome: RoundOutcome,
    *,
    basis: str | None,
    last_diagnostic: TeamResult | None,
    trend: Sequence[TrendPoint],
    content: Content,
) -> tuple[Message, bytes | None]:
    """The channel post for a closed pulse and its trend chart (PNG; None below the minimum)."""
    post = results_post(lang, outcome, content, last_diagnostic=last_diagnostic)
    if outcome.result is None:
        return post, None
    note = t(lang, f"pulse.basis.{basis if basis in BASES else 'alone'}")
    post = {**post, "blocks": [*post["blocks"][:2], context(note).to_dict(), *post["blocks"][2:]]}
    chart = trend_chart(lang, trend, title=trend_title(lang, outcome.subject), content=content)
    return post, chart


# -- the flow -------------------------------------------------------------------------------


class PulseFlow:
    """`/wi3 pulse`, the scheduler's pulse job, and what reminders need to know."""

    def __init__(
        self,
        store: Store,
        content: Content,
        clock: Clock,
        *,
        default_timezone: str = DEFAULT_TIMEZONE,
        window: timedelta = PULSE_WINDOW,
    ) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.default_timezone = default_timezone
        self.window = window
        self._lock = threading.RLock()  # one schedule change at a time in this process

    # -- `/wi3 pulse ...` ---------------------------------------------------------------------

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
        return reply(self._with_weekend_note(caller.lang, schedule, t(
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
        tz_name = self._choose_timezone(caller_timezone, team)
        tz = zone(tz_name, self.default_timezone)
        with self._lock:
            fresh = self._fresh(team)
            last_key = fresh.pulse.last_period_key if fresh.pulse else None
            slot = first_slot(chosen, tz, self.clock())
            while slot.period_key == last_key:  # this period already had its pulse
                slot = next_slot(chosen, tz, slot)
            schedule = replace(chosen, next_run_at=slot.at, last_period_key=last_key)
            self.store.save_team(replace(fresh, pulse=schedule, timezone=tz_name))
        return reply(self._with_weekend_note(caller.lang, schedule, t(
            caller.lang, "pulse.set", channel=team.channel_id,
            schedule=describe(caller.lang, schedule), next=slack_date(slot.at),
            timezone=tz_name)))

    def stop(self, caller: Caller, team: Team) -> list[Outbound]:
        """Stop the schedule; the period key stays, so turning it back on never doubles up."""
        with self._lock:
            fresh = self._fresh(team)
            if fresh.pulse is None or not fresh.pulse.enabled:
                return reply(t(caller.lang, "pulse.already_off", channel=team.channel_id))
            self.store.save_team(replace(fresh, pulse=replace(fresh.pulse, enabled=False)))
        return reply(t(caller.lang, "pulse.stopped", channel=team.channel_id))

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
                    questions=len(round_.item_ids), deadline=slack_date(self._closes(round_)))
        return [self._announcement(team, round_), Reply(notice(started)),
                InviteMembers(round_.id, round_.invited)]

    def _round_open(self, caller: Caller, team: Team, round_: Round) -> list[Outbound]:
        return reply(t(caller.lang, "pulse.round_open", channel=team.channel_id,
                       deadline=slack_date(self._closes(round_))))

    # -- the scheduler's job ------------------------------------------------------------------

    def due(self, now: datetime, members: ChannelMembers) -> list[TeamRun]:
        """Open every pulse whose slot has come (once per period); schedule the next ones.

        A team whose members cannot be read now is left as it is and tried again on the
        next tick, while its slot's window lasts.
        """
        runs: list[TeamRun] = []
        for team in self.store.list_teams():
            if team.pulse is None or not team.pulse.enabled:
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
        with self._lock:
            team = self._fresh(team)
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
            round_ = self.open_pulse(team, invited, now)
        except RoundAlreadyOpenError:  # another timer opened it a moment ago
            logger.info("pulse for <#%s> (%s) already opened elsewhere", team.channel_id,
                        slot.period_key)
            return []
        return [self._announcement(team, round_), InviteMembers(round_.id, round_.invited)]

    def _period_done(self, team: Team, slot: Slot) -> bool:
        """This period has its pulse: recorded, or a pulse opened since the slot's time
        (the key may not have been saved when the bot stopped)."""
        if team.pulse is not None and team.pulse.last_period_key == slot.period_key:
            return True
        return any(r.kind == "pulse" and r.opened_at >= slot.at
                   for r in self.store.list_rounds(team.workspace_id, team.channel_id))

    def _save_progress(self, team: Team, schedule: PulseSchedule) -> None:
        if schedule != team.pulse:
            self.store.save_team(replace(self._fresh(team), pulse=schedule))

    def open_pulse(self, team: Team, invited: Sequence[str], now: datetime) -> Round:
        """Open the team's next pulse round (RoundAlreadyOpenError if a round is open)."""
        number = self.next_pulse_number(team)
        items = select_pulse_items(number, content=self.content)
        return self.store.open_round(
            team.workspace_id, team.channel_id, kind="pulse", subject=team.subject,
            invited=invited, item_ids=[item.id for item in items],
            closes_at=now + self.window, pulse_number=number, at=now,
        )

    def next_pulse_number(self, team: Team) -> int:
        """Pulses count from 1 per team, so the rotation covers every statement in turn."""
        numbers = [r.pulse_number or 0 for r in
                   self.store.list_rounds(team.workspace_id, team.channel_id)
                   if r.kind == "pulse"]
        return max(numbers, default=0) + 1

    def _announcement(self, team: Team, round_: Round) -> PostToChannel:
        text = t(team.language, "pulse.announcement", channel=team.channel_id,
                 questions=len(round_.item_ids), deadline=slack_date(self._closes(round_)))
        return PostToChannel(team.channel_id, notice(text))

    # -- reminders ----------------------------------------------------------------------------

    def reminders_due(self, now: datetime) -> list[Round]:
        """Open pulses past halfway whose reminder round is not done yet."""
        return [r for r in self.store.open_rounds()
                if r.kind == "pulse" and r.reminder_sent_at is None and r.closes_at is not None
                and now >= r.opened_at + (r.closes_at - r.opened_at) / 2]

    def reminder_recipients(self, round_: Round) -> list[str]:
        """Members who were invited, have not finished, and have had no reminder yet."""
        invited = self.store.invitations_sent(round_.id)
        return [user for user in self.store.unfinished_invitees(round_.id)
                if user in invited and not self.reminded(round_.id, user)]

    def should_remind(self, round_id: str, user_id: str) -> bool:
        """Right before sending: the pulse is still open and the member still has to finish."""
        round_ = self.store.get_round(round_id)
        return (round_ is not None and round_.is_open
                and not self.store.has_finished(round_id, user_id))

    def reminder(self, round_: Round, lang: str, user_id: str) -> Message:
        """The reminder DM: when it closes, how short it is, and Start (or Resume)."""
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        started = self.store.get_progress(round_.id, user_id) is not None
        text = t(lang, "pulse.reminder.text", channel=round_.channel_id,
                 questions=len(round_.item_ids), deadline=slack_date(self._closes(round_)))
        blocks = [
            section(text),
            context(t(lang, "common.privacy", min_responses=team.min_responses if team else 3)),
            actions_start(lang, round_.id, resume=started),
        ]
        return message(t(lang, "pulse.reminder.fallback", channel=round_.channel_id), blocks)

    def reminded(self, round_id: str, user_id: str) -> bool:
        """Whether this member's reminder is on record (fan-out progress, kept in storage)."""
        return user_id in self.store.reminders_sent(round_id)

    def mark_reminded(self, round_id: str, user_id: str) -> None:
        """After the reminder went out, so a restart never sends it twice."""
        self.store.mark_reminder_sent_to(round_id, user_id, self.clock())

    def reminders_done(self, round_id: str) -> bool:
        """Mark the pulse's reminder round as done; True the first time."""
        return self.store.mark_reminder_sent(round_id, self.clock())

    # -- helpers ------------------------------------------------------------------------------

    def timezone_of(self, team: Team) -> str:
        return self._choose_timezone(None, team)

    def _choose_timezone(self, caller_timezone: str | None, team: Team) -> str:
        """The lead's Slack timezone, else the team's, else the configured default."""
        for name in (caller_timezone, team.timezone):
            if name and zone(name, "").key == name:
                return name
        return self.default_timezone

    def _fresh(self, team: Team) -> Team:
        return self.store.get_team(team.workspace_id, team.channel_id) or team

    def _closes(self, round_: Round) -> datetime:
        return round_.closes_at or round_.opened_at + self.window

    def _with_weekend_note(self, lang: str, schedule: PulseSchedule, text: str) -> str:
        if schedule.weekday >= 5:
            return f"{text}\n{t(lang, 'pulse.weekend')}"
        return text

