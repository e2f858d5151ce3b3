"""Closing a round: once, by hand, by deadline or when everyone finished; then its results.

Closing is idempotent: `Store.close_round` says yes to exactly one caller, and the results
post is marked as published only after Slack took it, so a restart re-publishes a round
whose post never went out (`Store.rounds_awaiting_results`) and never one that did. The
round is scored once, into its snapshot (`snapshot.snapshot_of`), and a diagnostic summed
up into the team's last result (`summary.keep_summary`) before its post goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Outbound, Reply, SendDM
from conversations.results.history import History
from conversations.results.publication import PublishResults, publication
from conversations.results.snapshot import snapshot_of
from conversations.results.summary import keep_summary
from conversations.team import may_manage, refusal
from conversations.views.diagnostic import notice
from model import Content
from storage import Round, Store, Team

Clock = Callable[[], datetime]


class ClosingFlow:
    def __init__(self, store: Store, content: Content, clock: Clock) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.history = History(store, content)

    def close(self, round_id: str) -> list[Outbound | PublishResults]:
        """Close the round if it is open; only the call that closed it publishes."""
        if not self.store.close_round(round_id, self.clock()):
            return []
        return self.publish(round_id)

    def close_command(self, caller: Caller, team: Team) -> list[Outbound | PublishResults]:
        """`/wi3 close` by a lead."""
        if not may_manage(team, caller):
            return [*refusal(team, caller)]
        round_ = self.store.open_round_for(team.workspace_id, team.channel_id)
        if round_ is None:
            return [Reply(notice(t(caller.lang, "round.none_open", channel=team.channel_id)))]
        out = self.close(round_.id)
        finished = self.store.finished_count(round_.id)
        out.insert(0, Reply(notice(t(caller.lang, "round.closed", finished=finished,
                                     invited=len(round_.invited)))))
        return out

    def all_finished(self, round_id: str) -> list[Outbound | PublishResults]:
        """Close early when the team enabled it and every invited member has finished."""
        round_ = self.store.get_round(round_id)
        if round_ is None or not round_.is_open:
            return []
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        if team is None or not team.auto_close or self.store.unfinished_invitees(round_id):
            return []  # cheap checks first: this runs after every answer
        return self.close(round_id)

    def published(self, round_id: str) -> bool:
        return self.store.mark_results_posted(round_id, self.clock())

    def publish(self, round_id: str) -> list[Outbound | PublishResults]:
        """Score the closed round (once), keep a diagnostic's summary as the team's last
        result (for the overviews), and say what to post."""
        round_ = self.store.get_round(round_id)
        team = self.store.get_team(round_.workspace_id, round_.channel_id) if round_ else None
        if round_ is None or team is None or round_.results_posted_at is not None:
            return []
        snapshot = self.store.get_snapshot(round_id) or snapshot_of(
            self.store, self.history, self.content, round_, team,
            round_.closed_at or self.clock())
        keep_summary(self.store, snapshot, self.content)  # again after a crash: idempotent
        return [*self._closed_notices(round_),
                publication(self.history, self.content, snapshot, team)]

    def _closed_notices(self, round_: Round) -> list[Outbound]:
        """Members still in the middle are told the round closed (their answers count)."""
        out: list[Outbound] = []
        for user_id in self.store.unfinished_invitees(round_.id):
            if self.store.get_progress(round_.id, user_id) is None:
                continue
            info = self.store.get_user(round_.workspace_id, user_id)
            lang = info.locale if info and info.locale else "en"
            out.append(SendDM(user_id, notice(t(lang, "closed.notice",
                                                 channel=round_.channel_id))))
        return out
