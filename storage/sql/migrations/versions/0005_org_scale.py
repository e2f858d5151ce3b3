"""A whole organisation: each team's last result in short, for overviews.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "last_results",
        sa.Column("workspace_id", sa.Text(), primary_key=True),
        sa.Column("channel_id", sa.Text(), primary_key=True),
        sa.Column("round_id", sa.Text(), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("closed_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("summary", postgresql.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("last_results")
