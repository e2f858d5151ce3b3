"""Workspaces that removed wi3: the mark that stops their work, and the purge of their data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert

from storage.sql.core import SQLCore, moment
from storage.sql.schema import (
    answers,
    checklists,
    commitments,
    fanout_sent,
    home_views,
    last_results,
    outbox,
    participation,
    progress,
    rate_budgets,
    rounds,
    snapshots,
    teams,
    user_cache,
    workspace_uninstalls,
    workspaces,
)

_ROUND_PARTS = (answers, progress, participation, checklists, fanout_sent, snapshots)
"""Tables keyed by round: emptied before the rounds they point at."""


class LifecyclePart(SQLCore):
    """Uninstall marks and the purge of an uninstalled workspace's data."""

    def mark_uninstalled(self, workspace_id: str, at: datetime | None = None) -> bool:
        """Record that the workspace removed wi3; True the first time."""
        statement = (insert(workspace_uninstalls)
                     .values(workspace_id=workspace_id, uninstalled_at=self._now(at))
                     .on_conflict_do_nothing()
                     .returning(workspace_uninstalls.c.workspace_id))
        with self._write() as connection:
            return connection.execute(statement).first() is not None

    def mark_installed(self, workspace_id: str) -> bool:
        """wi3 is installed there again; True if it had been marked uninstalled."""
        with self._write() as connection:
            return connection.execute(delete(workspace_uninstalls).where(
                workspace_uninstalls.c.workspace_id == workspace_id)
                .returning(workspace_uninstalls.c.workspace_id)).first() is not None

    def uninstalled_workspaces(self) -> Mapping[str, datetime]:
        with self._read() as connection:
            rows = connection.execute(select(workspace_uninstalls)).all()
        return {row.workspace_id: moment(row.uninstalled_at) for row in rows}

    def purge_uninstalled(self, before: datetime) -> tuple[str, ...]:
        """Delete the data of workspaces uninstalled at or before ``before``, in one
        transaction; a mark locked by another instance's purge is left to it."""
        with self._write() as connection:
            doomed = tuple(connection.execute(
                select(workspace_uninstalls.c.workspace_id)
                .where(workspace_uninstalls.c.uninstalled_at <= self._now(before))
                .order_by(workspace_uninstalls.c.workspace_id)
                .with_for_update(skip_locked=True)).scalars())
            for workspace_id in doomed:
                _purge(connection, workspace_id)
        return doomed


def _purge(connection: Connection, workspace_id: str) -> None:
    """Everything of one workspace, children before parents (leads and pulse schedules go
    with their team)."""
    for table in (commitments, last_results, outbox, rate_budgets, home_views):
        connection.execute(delete(table).where(table.c.workspace_id == workspace_id))
    of_workspace = select(rounds.c.id).where(rounds.c.workspace_id == workspace_id)
    for table in _ROUND_PARTS:
        connection.execute(delete(table).where(table.c.round_id.in_(of_workspace)))
    connection.execute(delete(rounds).where(rounds.c.workspace_id == workspace_id))
    connection.execute(delete(teams).where(teams.c.workspace_id == workspace_id))
    connection.execute(delete(user_cache).where(user_cache.c.workspace_id == workspace_id))
    connection.execute(delete(workspaces).where(workspaces.c.id == workspace_id))
    connection.execute(delete(workspace_uninstalls)
                       .where(workspace_uninstalls.c.workspace_id == workspace_id))
