"""Team settings from `/wi3`: setup, leads, language, minimum responses.

A team is the group behind one channel. Leads and workspace admins manage it; everyone else
gets a polite refusal naming who can. Each command changes its one setting in storage
(`update_team`, `add_lead`, `remove_lead`), never by saving back a team read earlier: two
leads changing settings at once (on two instances) both keep their change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from conversations.commands import mentioned_user
from conversations.context import Caller
from conversations.i18n import LANGUAGES, t
from conversations.outbound import Outbound, Reply
from conversations.views.diagnostic import notice
from storage import MIN_RESPONSES_FLOOR, Store, Team

Clock = Callable[[], datetime]


def may_manage(team: Team | None, caller: Caller) -> bool:
    """Leads of the team and Slack workspace admins/owners may run lead commands."""
    return caller.is_admin or (team is not None and caller.user_id in team.leads)


def leads_text(team: Team) -> str:
    return ", ".join(f"<@{lead}>" for lead in team.leads) or "—"


def reply(text: str) -> list[Outbound]:
    return [Reply(notice(text))]


def refusal(team: Team, caller: Caller) -> list[Outbound]:
    return reply(t(caller.lang, "roles.not_allowed", leads=leads_text(team)))


class TeamFlow:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def team_of(self, caller: Caller) -> Team | None:
        if caller.channel_id is None:
            return None
        return self.store.get_team(caller.workspace_id, caller.channel_id)

    def setup(self, caller: Caller, *, bot_in_channel: Callable[[], bool]) -> list[Outbound]:
        """Make the channel a team with the caller as lead; harmless to repeat."""
        assert caller.channel_id is not None
        existing = self.team_of(caller)
        if existing is not None:
            return reply(t(caller.lang, "setup.exists", channel=caller.channel_id,
                           leads=leads_text(existing)))
        if not bot_in_channel():
            return reply(t(caller.lang, "setup.not_in_channel", channel=caller.channel_id))
        team = Team(
            workspace_id=caller.workspace_id,
            channel_id=caller.channel_id,
            leads=(caller.user_id,),
            language=caller.lang,
        )
        self.store.save_team(team)
        return reply(t(caller.lang, "setup.created", channel=caller.channel_id,
                       user=caller.user_id))

    def lead(
        self,
        caller: Caller,
        team: Team,
        args: tuple[str, ...],
        *,
        is_person: Callable[[str], bool],
        is_member: Callable[[str], bool],
    ) -> list[Outbound]:
        """`/wi3 lead add|remove @user`; only people (no bots, no deactivated accounts) in
        the team's channel lead (a Slack Connect guest elsewhere does not)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        action = args[0].lower() if args else ""
        user = mentioned_user(args[1:])
        if action not in ("add", "remove"):
            return reply(t(caller.lang, "roles.lead_usage"))
        if user is None:
            return reply(t(caller.lang, "roles.lead_unknown_user"))
        fields = {"user": user, "channel": team.channel_id}
        if action == "add":
            if not is_person(user):
                return reply(t(caller.lang, "roles.lead_not_person", **fields))
            if not is_member(user):
                return reply(t(caller.lang, "roles.lead_not_member", **fields))
            if not self.store.add_lead(team.workspace_id, team.channel_id, user):
                return reply(t(caller.lang, "roles.lead_already", **fields))
            return reply(t(caller.lang, "roles.lead_added", **fields))
        if user not in team.leads:
            return reply(t(caller.lang, "roles.lead_not_lead", **fields))
        if not self.store.remove_lead(team.workspace_id, team.channel_id, user):
            return reply(t(caller.lang, "roles.lead_last", **fields))
        return reply(t(caller.lang, "roles.lead_removed", **fields))

    def language(self, caller: Caller, team: Team, args: tuple[str, ...]) -> list[Outbound]:
        """`/wi3 language en|nl`: the language of the team's channel posts."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        choice = args[0].lower() if args else ""
        lang = next((each for each in LANGUAGES if each == choice), None)
        if lang is None:
            return reply(t(caller.lang, "language.usage"))
        self.store.update_team(team.workspace_id, team.channel_id, language=lang)
        return reply(t(lang, "language.set"))

    def minimum(self, caller: Caller, team: Team, args: tuple[str, ...]) -> list[Outbound]:
        """`/wi3 minimum N`: responses needed before any aggregate is shown (never below 3)."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        try:
            value = int(args[0]) if args else 0
        except ValueError:
            value = 0
        if value < MIN_RESPONSES_FLOOR or value > 1000:
            return reply(t(caller.lang, "minimum.usage"))
        self.store.update_team(team.workspace_id, team.channel_id, min_responses=value)
        return reply(t(caller.lang, "minimum.set", channel=team.channel_id, n=value))

    def autoclose(self, caller: Caller, team: Team, args: tuple[str, ...]) -> list[Outbound]:
        """`/wi3 autoclose on|off`: close a round as soon as every member has finished."""
        if not may_manage(team, caller):
            return refusal(team, caller)
        choice = args[0].lower() if args else ""
        if choice not in ("on", "off"):
            return reply(t(caller.lang, "autoclose.usage"))
        self.store.update_team(team.workspace_id, team.channel_id, auto_close=choice == "on")
        return reply(t(caller.lang, f"autoclose.{choice}", channel=team.channel_id))
