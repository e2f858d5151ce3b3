"""Closing a round: once, by hand, by deadline or when everyone finished; then its results.

Closing is idempotent: `Store.close_round` says yes to exactly one caller, and that call
queues the results post (and a notice to each member still in the middle) with the close,
in the outbox (`conversations.queued`), which sends it exactly once. The round is scored
once, into its snapshot (`snapshot.snapshot_of`), when it closes (or by whoever first needs
it after a crash in between), and a diagnostic summed up into the team's last result
(`summary.keep_summary`) for the overviews. The post is rendered from the snapshot when it
goes out (`publication`), so a post rendered again after a crash is the same post. Once the
post went out, each lead's discussion guide (`conversations.actions.guide`) is queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from conversations import queued
from conversations.actions.guide import lead_guide
from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Outbound, Reply, SendQueued
from conversations.results.history import History
from conversations.results.outcome import finished_of
from conversations.results.publication import PublishResults, publication
from conversations.results.snapshot import snapshot_of
from conversations.results.summary import keep_summary
from conversations.team import may_manage, refusal
from conversations.views.common import Message
from conversations.views.diagnostic import notice
from conversations.views.scores import participation
from model import Content
from storage import ResultSnapshot, Round, StorageError, Store, Team
from storage.records import Outgoing

logger = logging.getLogger(f"wi3.{__name__}")
Clock = Callable[[], datetime]


class ClosingFlow:
    def __init__(self, store: Store, content: Content, clock: Clock) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.history = History(store, content)

    def close(self, round_id: str) -> list[Outbound]:
        """Close the round if it is open; only the call that closed it queues the results."""
        round_ = self.store.get_round(round_id)
        if round_ is None or not round_.is_open:
            return []
        notices = self._closed_notices(round_)
        closed = self.store.close_round(
            round_id, self.clock(),
            outbox=lambda closed: [queued.results(closed), *notices(closed)])
        if not closed:
            return []
        try:
            self._scored(round_id)  # status, report and export see the result from now on
        except StorageError as error:  # closed all the same: the post scores it when it goes
            logger.warning("a closed round could not be scored yet (%s); its results post "
                           "scores it, an overview sums it up when first asked", error)
        return [SendQueued()]

    def close_command(self, caller: Caller, team: Team) -> list[Outbound]:
        """`/wi3 close` by a lead."""
        if not may_manage(team, caller):
            return [*refusal(team, caller)]
        round_ = self.store.open_round_for(team.workspace_id, team.channel_id)
        if round_ is None:
            return [Reply(notice(t(caller.lang, "round.none_open", channel=team.channel_id)))]
        out = self.close(round_.id)
        out.insert(0, Reply(notice(t(caller.lang, "round.closed",
                                     participation=self._participation(caller, round_)))))
        return out

    def _participation(self, caller: Caller, round_: Round) -> str:
        """"7 of 12 answered (6 finished)", counted as the post and status count it: from
        the snapshot (or, if it could not be scored yet, from the answers)."""
        snapshot = self.store.get_snapshot(round_.id)
        if snapshot is not None:
            responses, finished = snapshot.responses, finished_of(snapshot)
        else:
            responses = len(self.store.all_answers(round_.id))
            finished = self.store.finished_count(round_.id)
        return participation(caller.lang, responses, len(round_.invited), finished)

    def all_finished(self, round_id: str) -> list[Outbound]:
        """Close early when the team enabled it and every invited member has finished."""
        round_ = self.store.get_round(round_id)
        if round_ is None or not round_.is_open:
            return []
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        if team is None or not team.auto_close or self.store.unfinished_invitees(round_id):
            return []  # cheap checks first: this runs after every answer
        return self.close(round_id)

    def publication(self, round_id: str) -> PublishResults | None:
        """What to post for a closed round; None while it is open, or when its team is gone."""
        scored = self._scored(round_id)
        return None if scored is None else publication(self.history, self.content, *scored)

    def _scored(self, round_id: str) -> tuple[ResultSnapshot, Team] | None:
        """A closed round's snapshot, scored once (at closing, or by whoever first needs it
        after a crash in between), with its team; a new diagnostic snapshot also becomes the
        team's last result."""
        round_ = self.store.get_round(round_id)
        team = self.store.get_team(round_.workspace_id, round_.channel_id) if round_ else None
        if round_ is None or team is None or round_.is_open:
            return None
        snapshot = self.store.get_snapshot(round_id)
        if snapshot is None:
            snapshot = snapshot_of(self.store, self.history, self.content, round_, team,
                                   round_.closed_at or self.clock())
            keep_summary(self.store, snapshot, self.content)
        return snapshot, team

    def leads_to_guide(self, round_id: str) -> tuple[str, ...]:
        """Who gets a discussion guide after a round's results went out: the team's leads,
        after a full round (a pulse asks too little to discuss)."""
        round_ = self.store.get_round(round_id)
        team = self.store.get_team(round_.workspace_id, round_.channel_id) if round_ else None
        if round_ is None or team is None or round_.kind != "diagnostic":
            return ()
        return team.leads

    def guide(self, round_id: str, lead: str) -> Message | None:
        """A lead's discussion guide (`conversations.actions.guide`), rendered when it goes
        out, in the lead's language; None when there is nothing to discuss."""
        round_ = self.store.get_round(round_id)
        team = self.store.get_team(round_.workspace_id, round_.channel_id) if round_ else None
        snapshot = self.store.get_snapshot(round_id)
        if round_ is None or team is None or snapshot is None or lead not in team.leads:
            return None
        return lead_guide(self.store, self.history, self.content, snapshot, team, lead)

    def _closed_notices(self, round_: Round) -> Callable[[Round], list[Outgoing]]:
        """Members still in the middle are told the round closed (their answers count):
        who they are is read before the close, their notices queued with it."""
        notices = []
        for user_id in self.store.unfinished_invitees(round_.id):
            if self.store.get_progress(round_.id, user_id) is None:
                continue
            info = self.store.get_user(round_.workspace_id, user_id)
            lang = info.locale if info and info.locale else "en"
            notices.append((user_id, notice(t(lang, "closed.notice", channel=round_.channel_id))))
        return lambda closed: [queued.dm(closed, "closed", user_id, message)
                               for user_id, message in notices]
