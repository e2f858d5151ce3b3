"""Several instances together: the outbox, scheduler leases, shared rate budgets.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MOMENT = postgresql.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("workspace_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("round_id", sa.Text()),
        sa.Column("user_id", sa.Text()),
        sa.Column("channel_id", sa.Text()),
        sa.Column("message", postgresql.JSON()),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("ready_at", MOMENT),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("in_doubt", sa.Boolean(), nullable=False),
        sa.Column("claim", sa.Text()),
        sa.Column("first_claimed_at", MOMENT),
        sa.Column("queued_at", MOMENT, nullable=False),
        sa.Column("finished_at", MOMENT),
        sa.Column("receipt", sa.Text()),
        sa.Column("problem", sa.Text()),
    )
    op.create_index("outbox_ready", "outbox", ["ready_at", "seq"],
                    postgresql_where=sa.text("state IN ('pending', 'sending')"))
    op.create_index("outbox_finished", "outbox", ["finished_at"],
                    postgresql_where=sa.text("state IN ('sent', 'failed')"))
    op.create_index("outbox_of_user", "outbox", ["workspace_id", "user_id"])
    op.create_table(
        "leases",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
    )
    op.create_table(
        "rate_budgets",
        sa.Column("workspace_id", sa.Text(), primary_key=True),
        sa.Column("next_free", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("recovered_at", sa.Float(), nullable=False),
        sa.Column("pauses", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_budgets")
    op.drop_table("leases")
    op.drop_table("outbox")
