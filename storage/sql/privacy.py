"""Forget-me and retention: raw answers go, closed-round aggregates stay."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, or_, select, update

from storage.pseudonyms import forgotten_placeholder
from storage.sql.commitments import forget_owner
from storage.sql.outbox import OutboxPart
from storage.sql.schema import (
    answers,
    checklists,
    fanout_sent,
    home_views,
    participation,
    progress,
    request_claims,
    rounds,
    team_leads,
    user_cache,
)


class PrivacyPart(OutboxPart):
    """Forget-me and the retention purge."""

    def forget_user(self, workspace_id: str, user_id: str) -> int:
        """Remove every trace of a user from the workspace's data, in one transaction;
        snapshots stay. Returns how many answers were removed."""
        respondent = self._respondent(workspace_id, user_id)
        in_workspace = select(rounds.c.id).where(rounds.c.workspace_id == workspace_id)
        with self._write() as connection:
            self._replace_invitee(connection, workspace_id, user_id)
            removed = connection.execute(
                delete(answers).where(answers.c.round_id.in_(in_workspace),
                                      answers.c.respondent == respondent)).rowcount
            for table in (progress, participation, checklists):
                connection.execute(delete(table).where(table.c.round_id.in_(in_workspace),
                                                       table.c.respondent == respondent))
            connection.execute(delete(fanout_sent).where(
                fanout_sent.c.round_id.in_(in_workspace), fanout_sent.c.user_id == user_id))
            connection.execute(delete(team_leads).where(team_leads.c.workspace_id == workspace_id,
                                                        team_leads.c.user_id == user_id))
            connection.execute(delete(user_cache).where(user_cache.c.workspace_id == workspace_id,
                                                        user_cache.c.user_id == user_id))
            connection.execute(delete(home_views).where(home_views.c.workspace_id == workspace_id,
                                                        home_views.c.user_id == user_id))
            forget_owner(connection, workspace_id, user_id)
            self._forget_outbox(connection, workspace_id, user_id)
        return removed

    @staticmethod
    def _replace_invitee(connection: Connection, workspace_id: str, user_id: str) -> None:
        """A ``forgotten:N`` stand-in in every invitation list, so the counts stay right."""
        invited_in = connection.execute(
            select(rounds.c.id, rounds.c.invited)
            .where(rounds.c.workspace_id == workspace_id, rounds.c.invited.contains([user_id]))
            .with_for_update()).all()
        for row in invited_in:
            stand_in = forgotten_placeholder(tuple(row.invited))
            connection.execute(update(rounds).where(rounds.c.id == row.id).values(
                invited=[stand_in if user == user_id else user for user in row.invited]))

    def purge_answers_older_than(self, days: int, now: datetime | None = None) -> int:
        """Delete raw answers, checklists and progress older than ``days`` in rounds opened
        before then; keeps snapshots and participation. Returns how many answers went."""
        cutoff = self._now(now) - timedelta(days=days)
        old_rounds = select(rounds.c.id).where(rounds.c.opened_at < cutoff)
        with self._write() as connection:
            removed = connection.execute(
                delete(answers).where(answers.c.round_id.in_(old_rounds),
                                      answers.c.answered_at < cutoff)).rowcount
            connection.execute(delete(checklists).where(checklists.c.round_id.in_(old_rounds),
                                                        checklists.c.ticked_at < cutoff))
            connection.execute(delete(progress).where(
                progress.c.round_id.in_(old_rounds),
                or_(progress.c.updated_at.is_(None), progress.c.updated_at < cutoff)))
        return removed

    def purge_expired(self, now: datetime | None = None) -> int:
        """Apply the retention setting, drop expired request claims and long-finished
        outbox messages; at start and daily. Returns how many answers were removed."""
        moment = self._now(now)
        removed = self.purge_answers_older_than(self.retention_days, moment)
        with self._write() as connection:
            connection.execute(delete(request_claims)
                               .where(request_claims.c.expires_at <= moment))
            self._purge_outbox(connection, moment)
        return removed
