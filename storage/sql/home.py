"""App Home's reading in three statements on one connection, instead of one checkout and
statement per round, team and commitment list: the person's open rounds with how far they
are, the teams they lead with their last results, and every commitment App Home shows."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select

from storage.records import Commitment, HomeReading, InvitedRound, LastResult
from storage.sql.commitments import _commitment
from storage.sql.core import SQLCore, moment, round_from_row
from storage.sql.rounds import _open
from storage.sql.schema import (
    answers,
    commitments,
    last_results,
    participation,
    rounds,
    team_leads,
    teams,
)
from storage.sql.teams import _team, _teams


class HomePart(SQLCore):
    """``home_of``."""

    def home_of(self, workspace_id: str, user_id: str) -> HomeReading:
        respondent = self._respondent(workspace_id, user_id)
        answered = (select(func.count()).select_from(answers)
                    .where(answers.c.round_id == rounds.c.id,
                           answers.c.respondent == respondent)
                    .scalar_subquery())
        finished = exists().where(participation.c.round_id == rounds.c.id,
                                  participation.c.respondent == respondent)
        invited = (_open().add_columns(answered.label("home_answered"),
                                       finished.label("home_finished"))
                   .where(rounds.c.workspace_id == workspace_id,
                          rounds.c.invited.contains([user_id])))
        led_channels = (select(team_leads.c.channel_id)
                        .where(team_leads.c.workspace_id == workspace_id,
                               team_leads.c.user_id == user_id))
        led = (_teams()
               .outerjoin(last_results,
                          and_(last_results.c.workspace_id == teams.c.workspace_id,
                               last_results.c.channel_id == teams.c.channel_id))
               .add_columns(last_results.c.round_id.label("last_round_id"),
                            last_results.c.closed_at.label("last_closed_at"),
                            last_results.c.summary.label("last_summary"))
               .where(teams.c.workspace_id == workspace_id,
                      teams.c.channel_id.in_(led_channels)))
        with self._read() as connection:
            rounds_found = tuple(
                InvitedRound(round_from_row(row), int(row.home_answered),
                             bool(row.home_finished))
                for row in connection.execute(invited))
            led_rows = connection.execute(led).all()
            channels = ([invited_round.round.channel_id for invited_round in rounds_found]
                        + [row.channel_id for row in led_rows])
            owned_channels = (select(commitments.c.channel_id)
                              .where(commitments.c.workspace_id == workspace_id,
                                     commitments.c.owner == user_id))
            found = [_commitment(row) for row in connection.execute(
                select(commitments)
                .where(commitments.c.workspace_id == workspace_id,
                       or_(commitments.c.channel_id.in_(channels),
                           commitments.c.channel_id.in_(owned_channels)))
                .order_by(commitments.c.channel_id, commitments.c.number))]
        lasts = {row.channel_id: LastResult(workspace_id, row.channel_id, row.last_round_id,
                                            moment(row.last_closed_at), row.last_summary)
                 for row in led_rows if row.last_round_id is not None}
        owned = tuple(c for c in found if c.owner == user_id)
        return HomeReading(rounds_found, tuple(_team(row) for row in led_rows), lasts, owned,
                           _by_channel(found, channels, owned))


def _by_channel(found: list[Commitment], channels: list[str],
                owned: tuple[Commitment, ...]) -> dict[str, tuple[Commitment, ...]]:
    """Each concerned channel's commitments in their numbers' order (none: empty)."""
    concerned = dict.fromkeys([*channels, *(c.channel_id for c in owned)])
    return {channel: tuple(c for c in found if c.channel_id == channel)
            for channel in concerned}
