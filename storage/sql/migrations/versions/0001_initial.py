"""The first schema: teams, rounds, responses, snapshots, caches.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MOMENT = postgresql.TIMESTAMP(timezone=True)
TEXTS = postgresql.ARRAY(sa.Text())


def _round_id() -> sa.Column[str]:
    return sa.Column("round_id", sa.Text(), sa.ForeignKey("rounds.id"), primary_key=True)


def _team_key() -> list[sa.Column[str]]:
    return [sa.Column("workspace_id", sa.Text(), primary_key=True),
            sa.Column("channel_id", sa.Text(), primary_key=True)]


def _of_team() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["workspace_id", "channel_id"],
                                   ["teams.workspace_id", "teams.channel_id"],
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("enterprise_id", sa.Text()),
        sa.Column("name", sa.Text()),
        sa.Column("bot_user_id", sa.Text()),
        sa.Column("installed_at", MOMENT),
    )
    op.create_table(
        "teams",
        *_team_key(),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("min_responses", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text()),
        sa.Column("round_days", sa.Integer(), nullable=False),
        sa.Column("auto_close", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.Text()),
        sa.Column("created_at", MOMENT),
    )
    op.create_table(
        "team_leads",
        *_team_key(),
        sa.Column("user_id", sa.Text(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        _of_team(),
    )
    op.create_index("team_leads_by_user", "team_leads", ["workspace_id", "user_id"])
    op.create_table(
        "pulse_schedules",
        *_team_key(),
        sa.Column("frequency", sa.Text(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("time", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", MOMENT),
        sa.Column("last_period_key", sa.Text()),
        _of_team(),
    )
    op.create_index("pulse_schedules_due", "pulse_schedules", ["next_run_at"],
                    postgresql_where=sa.text("enabled"))
    op.create_table(
        "rounds",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("workspace_id", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("opened_at", MOMENT, nullable=False),
        sa.Column("closes_at", MOMENT),
        sa.Column("closed_at", MOMENT),
        sa.Column("invited", TEXTS, nullable=False),
        sa.Column("item_ids", TEXTS, nullable=False),
        sa.Column("pulse_number", sa.Integer()),
        sa.Column("results_posted_at", MOMENT),
        sa.Column("reminder_sent_at", MOMENT),
    )
    op.create_index("rounds_one_open_per_team", "rounds", ["workspace_id", "channel_id"],
                    unique=True, postgresql_where=sa.text("status = 'open'"))
    op.create_index("rounds_of_team", "rounds", ["workspace_id", "channel_id", "opened_at"])
    op.create_index("rounds_due", "rounds", ["closes_at"],
                    postgresql_where=sa.text("status = 'open'"))
    op.create_index("rounds_awaiting_results", "rounds", ["closed_at"],
                    postgresql_where=sa.text("status = 'closed' AND results_posted_at IS NULL"))
    op.create_index("rounds_open_invited", "rounds", ["invited"], postgresql_using="gin",
                    postgresql_where=sa.text("status = 'open'"))
    op.create_table(
        "answers",
        _round_id(),
        sa.Column("respondent", sa.Text(), primary_key=True),
        sa.Column("item_id", sa.Text(), primary_key=True),
        sa.Column("score", sa.SmallInteger()),
        sa.Column("answered_at", MOMENT, nullable=False),
    )
    op.create_table(
        "progress",
        _round_id(),
        sa.Column("respondent", sa.Text(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("checklist_done", sa.Boolean(), nullable=False),
        sa.Column("updated_at", MOMENT),
    )
    op.create_table(
        "participation",
        _round_id(),
        sa.Column("respondent", sa.Text(), primary_key=True),
        sa.Column("finished_at", MOMENT, nullable=False),
    )
    op.create_table(
        "checklists",
        _round_id(),
        sa.Column("respondent", sa.Text(), primary_key=True),
        sa.Column("barriers", TEXTS, nullable=False),
        sa.Column("reasons", TEXTS, nullable=False),
        sa.Column("ticked_at", MOMENT, nullable=False),
    )
    op.create_table(
        "fanout_sent",
        _round_id(),
        sa.Column("fanout", sa.Text(), primary_key=True),
        sa.Column("user_id", sa.Text(), primary_key=True),
        sa.Column("sent_at", MOMENT, nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("round_id", sa.Text(), sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("workspace_id", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text()),
        sa.Column("closed_at", MOMENT, nullable=False),
        sa.Column("invited_count", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("result", postgresql.JSON(), nullable=False),
        sa.Column("pulse_number", sa.Integer()),
    )
    op.create_index("snapshots_of_team", "snapshots", ["workspace_id", "channel_id", "closed_at"])
    op.create_table(
        "user_cache",
        sa.Column("workspace_id", sa.Text(), primary_key=True),
        sa.Column("user_id", sa.Text(), primary_key=True),
        sa.Column("dm_channel", sa.Text()),
        sa.Column("locale", sa.Text()),
        sa.Column("timezone", sa.Text()),
        sa.Column("fetched_at", MOMENT),
    )
    op.create_table(
        "request_claims",
        sa.Column("digest", sa.Text(), primary_key=True),
        sa.Column("expires_at", MOMENT, nullable=False),
    )
    op.create_index("request_claims_expiry", "request_claims", ["expires_at"])
    op.create_table(
        "store_meta",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("store_meta", "request_claims", "user_cache", "snapshots", "fanout_sent",
                  "checklists", "participation", "progress", "answers", "rounds",
                  "pulse_schedules", "team_leads", "teams", "workspaces"):
        op.drop_table(table)
