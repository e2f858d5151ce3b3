"""Opening rounds, inviting members, and a respondent's own data (`me`, `forget me`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from conversations import queued
from conversations.context import Caller
from conversations.diagnostic import DiagnosticFlow, subject_text
from conversations.i18n import t
from conversations.outbound import Outbound, Reply, SendQueued
from conversations.refs import ActionIds
from conversations.team import may_manage, refusal, reply
from conversations.views import diagnostic as views
from conversations.views.common import (
    Message,
    actions,
    button,
    message,
    mrkdwn_escape,
    section,
    slack_date,
)
from model import MIN_RESPONSES_FLOOR, Content, Lang
from storage import Round, RoundAlreadyOpenError, Store, Team
from storage.records import Outgoing

Clock = Callable[[], datetime]


class RoundsFlow:
    def __init__(
        self, store: Store, content: Content, diagnostic: DiagnosticFlow, clock: Clock
    ) -> None:
        self.store = store
        self.content = content
        self.diagnostic = diagnostic
        self.clock = clock

    def start(
        self,
        caller: Caller,
        team: Team,
        subject: str,
        members: Callable[[], Sequence[str]],
    ) -> list[Outbound]:
        """`/wi3 start [subject]`: open a round and invite every member; or resume mine."""
        open_round = self.store.open_round_for(team.workspace_id, team.channel_id)
        if open_round is not None:
            return self._resume_instead(caller, team, open_round)
        if not may_manage(team, caller):
            return refusal(team, caller)
        invited = [user for user in dict.fromkeys(members())]
        if not invited:
            return reply(t(caller.lang, "round.no_members", channel=team.channel_id))
        now = self.clock()

        def announced_and_invited(round_: Round) -> list[Outgoing]:
            announcement = t(
                team.language,
                "round.started",
                lead=caller.user_id,
                subject=mrkdwn_escape(subject_text(team.language, round_.subject)),
                channel=team.channel_id,
                deadline=slack_date(round_.closes_at or now),
            )
            return [queued.post(round_, "started", views.notice(announcement)),
                    *queued.invitations(round_)]

        try:
            self.store.open_round(
                team.workspace_id,
                team.channel_id,
                kind="diagnostic",
                subject=subject.strip() or team.subject,
                invited=invited,
                item_ids=[item.id for item in self.content.questionnaire.items],
                closes_at=now + timedelta(days=team.round_days),
                at=now,
                outbox=announced_and_invited,
            )
        except RoundAlreadyOpenError as exc:  # a double-clicked command, handled in turn
            return self._resume_instead(caller, team, exc.round)
        return [
            Reply(views.notice(t(caller.lang, "round.started_ephemeral", count=len(invited)))),
            SendQueued(),
        ]

    def _resume_instead(self, caller: Caller, team: Team, round_: Round) -> list[Outbound]:
        """A round is open: never a second one; the caller carries on with their own answers."""
        out: list[Outbound] = []
        if may_manage(team, caller):
            out += reply(t(caller.lang, "round.already_open", channel=team.channel_id,
                           deadline=slack_date(round_.closes_at or round_.opened_at)))
        if caller.user_id in round_.invited:
            out += self.diagnostic.begin(caller, round_.id)
            if not may_manage(team, caller):
                out += reply(t(caller.lang, "round.resume_sent"))
        elif not out:
            out += reply(t(caller.lang, "round.no_round_for_you"))
        return out

    def invitation(self, round_: Round, lang: Lang, lead_id: str | None = None) -> Message:
        """The invitation DM for one member, in their language."""
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        return views.invitation(
            lang,
            round_id=round_.id,
            channel_id=round_.channel_id,
            lead_id=lead_id or (team.leads[0] if team and team.leads else "USLACKBOT"),
            subject=subject_text(lang, round_.subject),
            question_count=len(round_.item_ids),
            deadline=round_.closes_at or round_.opened_at,
            min_responses=team.min_responses if team else MIN_RESPONSES_FLOOR,
            pulse=round_.kind == "pulse",
        )

    def member_joined(self, workspace_id: str, channel_id: str, user_id: str) -> list[Outbound]:
        """Someone joined a team channel during an open round: invite them too."""
        round_ = self.store.open_round_for(workspace_id, channel_id)
        if round_ is None or user_id in round_.invited:
            return []
        self.store.add_invited(round_.id, [user_id],
                               outbox=lambda changed: [queued.invitation(changed, user_id)])
        return [SendQueued()]

    def my_answers(self, caller: Caller) -> list[Outbound]:
        """`/wi3 me`: my own answers in my open rounds; nobody else ever sees these."""
        rounds = self.store.rounds_for_user(caller.workspace_id, caller.user_id)
        if caller.channel_id:
            rounds.sort(key=lambda r: r.channel_id != caller.channel_id)
        out: list[Outbound] = []
        for round_ in rounds:
            answers = self.store.answers_of(round_.id, caller.user_id)
            if not answers:
                continue
            lines = {
                self.content.questionnaire.item(item_id).text.get(caller.lang): views.answer_label(
                    caller.lang, answers[item_id])
                for item_id in round_.item_ids
                if item_id in answers
            }
            out.append(Reply(views.my_answers(caller.lang, channel_id=round_.channel_id,
                                              lines=lines)))
        return out or reply(t(caller.lang, "me.none"))

    def forget_prompt(self, caller: Caller) -> list[Outbound]:
        """`/wi3 forget me`: ask first; deleting is final."""
        text = t(caller.lang, "forget.confirm")
        blocks = [
            section(text),
            actions(
                "wi3_forget",
                button(t(caller.lang, "forget.yes"), ActionIds.FORGET_CONFIRM, "forget",
                       style="danger"),
                button(t(caller.lang, "forget.no"), ActionIds.FORGET_CANCEL, "cancel"),
            ),
        ]
        return [Reply(message(text, blocks))]

    def forget(self, caller: Caller) -> list[Outbound]:
        removed = self.store.forget_user(caller.workspace_id, caller.user_id)
        text = t(caller.lang, "forget.done", count=removed)
        return [Reply(views.notice(text), replace_original=True)]

    def forget_cancelled(self, caller: Caller) -> list[Outbound]:
        return [Reply(views.notice(t(caller.lang, "forget.cancelled")), replace_original=True)]
