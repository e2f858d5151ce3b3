"""Installations in many workspaces: slack_sdk's installation and OAuth state stores, and
the workspaces that removed wi3 (kept until their data is purged).

The three ``slack_*`` tables have exactly the shape slack_sdk's
``SQLAlchemyInstallationStore`` and ``SQLAlchemyOAuthStateStore`` build (a test compares
them), so those stores work on them without ``create_tables()`` at run time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MOMENT = postgresql.TIMESTAMP(timezone=True)


def _short() -> sa.String:
    return sa.String(32)


def _long() -> sa.String:
    return sa.String(200)


def _installed_at() -> sa.Column[object]:
    return sa.Column("installed_at", sa.DateTime(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "workspace_uninstalls",
        sa.Column("workspace_id", sa.Text(), primary_key=True),
        sa.Column("uninstalled_at", MOMENT, nullable=False),
    )
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", _short(), nullable=False),
        sa.Column("app_id", _short(), nullable=False),
        sa.Column("enterprise_id", _short()),
        sa.Column("enterprise_name", _long()),
        sa.Column("enterprise_url", _long()),
        sa.Column("team_id", _short()),
        sa.Column("team_name", _long()),
        sa.Column("bot_token", _long()),
        sa.Column("bot_id", _short()),
        sa.Column("bot_user_id", _short()),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", _long()),
        sa.Column("bot_token_expires_at", sa.DateTime()),
        sa.Column("user_id", _short(), nullable=False),
        sa.Column("user_token", _long()),
        sa.Column("user_scopes", sa.String(1000)),
        sa.Column("user_refresh_token", _long()),
        sa.Column("user_token_expires_at", sa.DateTime()),
        sa.Column("incoming_webhook_url", _long()),
        sa.Column("incoming_webhook_channel", _long()),
        sa.Column("incoming_webhook_channel_id", _long()),
        sa.Column("incoming_webhook_configuration_url", _long()),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", _short()),
        _installed_at(),
    )
    op.create_index("slack_installations_idx", "slack_installations",
                    ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"])
    op.create_table(
        "slack_bots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", _short(), nullable=False),
        sa.Column("app_id", _short(), nullable=False),
        sa.Column("enterprise_id", _short()),
        sa.Column("enterprise_name", _long()),
        sa.Column("team_id", _short()),
        sa.Column("team_name", _long()),
        sa.Column("bot_token", _long()),
        sa.Column("bot_id", _short()),
        sa.Column("bot_user_id", _short()),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", _long()),
        sa.Column("bot_token_expires_at", sa.DateTime()),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        _installed_at(),
    )
    op.create_index("slack_bots_idx", "slack_bots",
                    ["client_id", "enterprise_id", "team_id", "installed_at"])
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("state", _long(), nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("slack_oauth_states", "slack_bots", "slack_installations",
                  "workspace_uninstalls"):
        op.drop_table(table)
