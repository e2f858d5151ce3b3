"""Commitments: what teams took on after their results, with owner, due date and state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MOMENT = postgresql.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("workspace_id", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.Text(), nullable=False),
        sa.Column("round_id", sa.Text(), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text()),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("remind_at", MOMENT, nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("planned_by", sa.Text()),
        sa.Column("planned_at", MOMENT),
        sa.Column("updated_at", MOMENT),
        sa.Column("reminded_at", MOMENT),
    )
    op.create_index("commitments_of_team", "commitments",
                    ["workspace_id", "channel_id", "number"], unique=True)
    op.create_index("commitments_by_owner", "commitments", ["workspace_id", "owner"])
    op.create_index("commitments_due", "commitments", ["remind_at"],
                    postgresql_where=sa.text(
                        "reminded_at IS NULL AND state IN ('open', 'working')"))


def downgrade() -> None:
    op.drop_table("commitments")
