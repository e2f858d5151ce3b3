"""Workspaces and teams: a team's settings row, its leads and its pulse schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Connection, Row, Select, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert

from storage.ids import require_slack_id
from storage.records import PulseSchedule, Team, TeamSettings, Workspace, with_settings
from storage.sql.core import SQLCore, utc
from storage.sql.schema import pulse_schedules, team_leads, teams, workspaces

_LEADS = (
    select(func.array_agg(aggregate_order_by(team_leads.c.user_id, team_leads.c.position)))
    .where(team_leads.c.workspace_id == teams.c.workspace_id,
           team_leads.c.channel_id == teams.c.channel_id)
    .scalar_subquery()
    .label("leads")
)
_PULSE = [column.label(f"pulse_{column.name}") for column in pulse_schedules.c
          if column.name not in ("workspace_id", "channel_id")]


def _teams() -> Select[Any]:
    """Teams with their leads and pulse schedule, in one query."""
    return (
        select(teams, _LEADS, *_PULSE)
        .outerjoin(pulse_schedules, (pulse_schedules.c.workspace_id == teams.c.workspace_id)
                   & (pulse_schedules.c.channel_id == teams.c.channel_id))
        .order_by(teams.c.workspace_id, teams.c.channel_id)
    )


def _team(row: Row[Any]) -> Team:
    pulse = None
    if row.pulse_frequency is not None:
        pulse = PulseSchedule(
            frequency=row.pulse_frequency, weekday=row.pulse_weekday, time=row.pulse_time,
            enabled=row.pulse_enabled, next_run_at=utc(row.pulse_next_run_at),
            last_period_key=row.pulse_last_period_key,
        )
    return Team(
        workspace_id=row.workspace_id, channel_id=row.channel_id, leads=tuple(row.leads or ()),
        language=row.language, min_responses=row.min_responses, subject=row.subject,
        round_days=row.round_days, auto_close=row.auto_close, timezone=row.timezone,
        pulse=pulse, created_at=utc(row.created_at),
    )


def _schedule(row: Row[Any] | None) -> PulseSchedule | None:
    if row is None:
        return None
    return PulseSchedule(frequency=row.frequency, weekday=row.weekday, time=row.time,
                         enabled=row.enabled, next_run_at=utc(row.next_run_at),
                         last_period_key=row.last_period_key)


def _workspace(row: Row[Any]) -> Workspace:
    return Workspace(id=row.id, enterprise_id=row.enterprise_id, name=row.name,
                     bot_user_id=row.bot_user_id, installed_at=utc(row.installed_at))


class TeamsPart(SQLCore):
    """Workspaces and team settings."""

    def save_workspace(self, workspace: Workspace) -> Workspace:
        """Insert or replace a workspace; installed_at defaults to now."""
        require_slack_id(workspace.id, "workspace id")
        if workspace.installed_at is None:
            workspace = replace(workspace, installed_at=self._now())
        values = {"id": workspace.id, "enterprise_id": workspace.enterprise_id,
                  "name": workspace.name, "bot_user_id": workspace.bot_user_id,
                  "installed_at": workspace.installed_at}
        statement = insert(workspaces).values(values)
        with self._write() as connection:
            connection.execute(statement.on_conflict_do_update(
                index_elements=[workspaces.c.id],
                set_={name: statement.excluded[name] for name in values if name != "id"}))
        return workspace

    def get_workspace(self, workspace_id: str) -> Workspace | None:
        with self._read() as connection:
            row = connection.execute(select(workspaces)
                                     .where(workspaces.c.id == workspace_id)).first()
        return _workspace(row) if row else None

    def list_workspaces(self) -> list[Workspace]:
        with self._read() as connection:
            rows = connection.execute(select(workspaces).order_by(workspaces.c.id)).all()
        return [_workspace(row) for row in rows]

    def save_team(self, team: Team) -> Team:
        """Insert or replace a team's settings, leads and pulse schedule in one transaction;
        keeps the first created_at."""
        require_slack_id(team.workspace_id, "workspace id")
        require_slack_id(team.channel_id, "channel id")
        key = {"workspace_id": team.workspace_id, "channel_id": team.channel_id}
        settings = {"language": team.language, "min_responses": team.min_responses,
                    "subject": team.subject, "round_days": team.round_days,
                    "auto_close": team.auto_close, "timezone": team.timezone}
        statement = insert(teams).values(**key, **settings,
                                         created_at=team.created_at or self._now())
        with self._write() as connection:
            created = connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[teams.c.workspace_id, teams.c.channel_id],
                    set_={name: statement.excluded[name] for name in settings})
                .returning(teams.c.created_at)).scalar_one()
            self._replace_leads(connection, team)
            self._replace_pulse(connection, team)
        return replace(team, created_at=utc(created))

    def update_team(self, workspace_id: str, channel_id: str,
                    **settings: Unpack[TeamSettings]) -> Team | None:
        """``UPDATE teams SET`` the named columns only: a setting another lead changed
        meanwhile stays as they left it."""
        current = self.get_team(workspace_id, channel_id)
        if current is None:
            return None
        with_settings(current, settings)  # refuses what a team cannot have
        if settings:
            with self._write() as connection:
                connection.execute(update(teams).where(
                    teams.c.workspace_id == workspace_id, teams.c.channel_id == channel_id,
                ).values(**settings))
        return self.get_team(workspace_id, channel_id)

    def add_lead(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        """Insert the lead after the others (no row if they lead already)."""
        position = (select(func.coalesce(func.max(team_leads.c.position) + 1, 0))
                    .where(team_leads.c.workspace_id == workspace_id,
                           team_leads.c.channel_id == channel_id).scalar_subquery())
        with self._write() as connection:
            self._lock_team(connection, workspace_id, channel_id)
            added = connection.execute(insert(team_leads).values(
                workspace_id=workspace_id, channel_id=channel_id, user_id=user_id,
                position=position).on_conflict_do_nothing()
                .returning(team_leads.c.user_id)).first()
        return added is not None

    def remove_lead(self, workspace_id: str, channel_id: str, user_id: str) -> bool:
        """Delete the lead unless they are the last: under the team row's lock, so two
        removals at once cannot leave the team without one."""
        with self._write() as connection:
            self._lock_team(connection, workspace_id, channel_id)
            others = connection.execute(select(func.count()).select_from(team_leads).where(
                team_leads.c.workspace_id == workspace_id,
                team_leads.c.channel_id == channel_id,
                team_leads.c.user_id != user_id)).scalar_one()
            if not others:
                return False
            removed = connection.execute(delete(team_leads).where(
                team_leads.c.workspace_id == workspace_id, team_leads.c.channel_id == channel_id,
                team_leads.c.user_id == user_id).returning(team_leads.c.user_id)).first()
        return removed is not None

    def update_pulse(self, workspace_id: str, channel_id: str,
                     schedule: PulseSchedule | None, *, expected: PulseSchedule | None) -> bool:
        """Compare and set, under the team row's lock."""
        with self._write() as connection:
            if not self._lock_team(connection, workspace_id, channel_id):
                return False
            row = connection.execute(select(pulse_schedules).where(
                pulse_schedules.c.workspace_id == workspace_id,
                pulse_schedules.c.channel_id == channel_id)).first()
            if _schedule(row) != expected:
                return False
            self._replace_pulse(connection, Team(workspace_id, channel_id, pulse=schedule))
        return True

    @staticmethod
    def _lock_team(connection: Connection, workspace_id: str, channel_id: str) -> bool:
        """Lock the team's row for this transaction; False if there is no such team."""
        return connection.execute(select(teams.c.workspace_id).where(
            teams.c.workspace_id == workspace_id, teams.c.channel_id == channel_id,
        ).with_for_update()).first() is not None

    @staticmethod
    def _replace_leads(connection: Connection, team: Team) -> None:
        connection.execute(delete(team_leads).where(
            team_leads.c.workspace_id == team.workspace_id,
            team_leads.c.channel_id == team.channel_id))
        if team.leads:
            connection.execute(insert(team_leads), [
                {"workspace_id": team.workspace_id, "channel_id": team.channel_id,
                 "user_id": lead, "position": position}
                for position, lead in enumerate(team.leads)])

    @staticmethod
    def _replace_pulse(connection: Connection, team: Team) -> None:
        key = {"workspace_id": team.workspace_id, "channel_id": team.channel_id}
        if team.pulse is None:
            connection.execute(delete(pulse_schedules).where(
                pulse_schedules.c.workspace_id == team.workspace_id,
                pulse_schedules.c.channel_id == team.channel_id))
            return
        pulse = team.pulse
        schedule = {"frequency": pulse.frequency, "weekday": pulse.weekday, "time": pulse.time,
                    "enabled": pulse.enabled, "next_run_at": pulse.next_run_at,
                    "last_period_key": pulse.last_period_key}
        statement = insert(pulse_schedules).values(**key, **schedule)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[pulse_schedules.c.workspace_id, pulse_schedules.c.channel_id],
            set_={name: statement.excluded[name] for name in schedule}))

    def get_team(self, workspace_id: str, channel_id: str) -> Team | None:
        query = _teams().where(teams.c.workspace_id == workspace_id,
                               teams.c.channel_id == channel_id)
        with self._read() as connection:
            row = connection.execute(query).first()
        return _team(row) if row else None

    def list_teams(self, workspace_id: str | None = None, *,
                   limit: int | None = None) -> list[Team]:
        query = _teams().limit(limit)
        if workspace_id is not None:
            query = query.where(teams.c.workspace_id == workspace_id)
        with self._read() as connection:
            return [_team(row) for row in connection.execute(query)]

    def count_teams(self, workspace_id: str) -> int:
        query = select(func.count()).select_from(teams).where(
            teams.c.workspace_id == workspace_id)
        with self._read() as connection:
            return int(connection.execute(query).scalar_one())

    def teams_with_pulse_due(self, now: datetime | None = None) -> list[Team]:
        """Teams whose pulse is on and due (the partial index on enabled schedules)."""
        moment = self._now(now)
        query = _teams().where(pulse_schedules.c.enabled,
                               or_(pulse_schedules.c.next_run_at.is_(None),
                                   pulse_schedules.c.next_run_at <= moment))
        with self._read() as connection:
            return [_team(row) for row in connection.execute(query)]

    def teams_led_by(self, workspace_id: str, user_id: str) -> list[Team]:
        led = (select(team_leads.c.channel_id)
               .where(team_leads.c.workspace_id == workspace_id,
                      team_leads.c.user_id == user_id))
        query = _teams().where(teams.c.workspace_id == workspace_id,
                               teams.c.channel_id.in_(led))
        with self._read() as connection:
            return [_team(row) for row in connection.execute(query)]
