"""The PostgreSQL tables, as SQLAlchemy Core sees them (the migrations create them).

One row per record, so a write touches what it changes and every query the flows make is
an indexed lookup:

    workspaces, teams            settings; a team's leads and pulse schedule in their own
    team_leads, pulse_schedules  tables (a setting can change without rewriting a team)
    rounds                       one open round per team: a partial unique index
    answers, progress,           what respondents give, under pseudonyms (never a user id)
    participation, checklists
    fanout_sent                  which members an invitation or reminder DM reached
    snapshots                    closed-round aggregates (``result`` kept as written: json)
    commitments                  what teams took on after their results (team content)
    last_results                 each team's last closed diagnostic in short (overviews)
    user_cache, request_claims   what Slack told us; requests already handled
    workspace_uninstalls         workspaces that removed wi3, until their data is purged
    store_meta                   facts about the store itself (the pseudonym key's check)

Running several instances together (coordination, not data: never exported or copied):

    outbox                       messages to send once, their claims and receipts
    leases                       who runs each scheduler job for now
    rate_budgets                 each workspace's shared sending pace

Settings are columns, so they are updated one by one. A test checks that these
definitions and the migrations agree.

The migrations also create the tables of slack_sdk's SQLAlchemy installation and OAuth state
stores (``SLACK_SDK_TABLES``, used by ``bot.installations``); their shape is slack_sdk's
(a test compares them with its definitions), so they are not described here.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON, TIMESTAMP

metadata = MetaData()

Moment = TIMESTAMP(timezone=True)


def _round_id() -> Column[str]:
    return Column("round_id", Text, ForeignKey("rounds.id"), primary_key=True)


workspaces = Table(
    "workspaces", metadata,
    Column("id", Text, primary_key=True),
    Column("enterprise_id", Text),
    Column("name", Text),
    Column("bot_user_id", Text),
    Column("installed_at", Moment),
)

teams = Table(
    "teams", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("channel_id", Text, primary_key=True),
    Column("language", Text, nullable=False),
    Column("min_responses", Integer, nullable=False),
    Column("subject", Text),
    Column("round_days", Integer, nullable=False),
    Column("auto_close", Boolean, nullable=False),
    Column("timezone", Text),
    Column("created_at", Moment),
)

team_leads = Table(
    "team_leads", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("channel_id", Text, primary_key=True),
    Column("user_id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    ForeignKeyConstraint(["workspace_id", "channel_id"],
                         ["teams.workspace_id", "teams.channel_id"], ondelete="CASCADE"),
    Index("team_leads_by_user", "workspace_id", "user_id"),
)

pulse_schedules = Table(
    "pulse_schedules", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("channel_id", Text, primary_key=True),
    Column("frequency", Text, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("time", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("next_run_at", Moment),
    Column("last_period_key", Text),
    ForeignKeyConstraint(["workspace_id", "channel_id"],
                         ["teams.workspace_id", "teams.channel_id"], ondelete="CASCADE"),
    Index("pulse_schedules_due", "next_run_at", postgresql_where=text("enabled")),
)

rounds = Table(
    "rounds", metadata,
    Column("id", Text, primary_key=True),
    Column("workspace_id", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject", Text),
    Column("status", Text, nullable=False),
    Column("opened_at", Moment, nullable=False),
    Column("closes_at", Moment),
    Column("closed_at", Moment),
    Column("invited", ARRAY(Text), nullable=False),
    Column("item_ids", ARRAY(Text), nullable=False),
    Column("pulse_number", Integer),
    Column("results_posted_at", Moment),
    Column("reminder_sent_at", Moment),
    Index("rounds_one_open_per_team", "workspace_id", "channel_id", unique=True,
          postgresql_where=text("status = 'open'")),
    Index("rounds_of_team", "workspace_id", "channel_id", "opened_at"),
    Index("rounds_due", "closes_at", postgresql_where=text("status = 'open'")),
    Index("rounds_awaiting_results", "closed_at",
          postgresql_where=text("status = 'closed' AND results_posted_at IS NULL")),
    Index("rounds_open_invited", "invited", postgresql_using="gin",
          postgresql_where=text("status = 'open'")),
)

answers = Table(
    "answers", metadata,
    _round_id(),
    Column("respondent", Text, primary_key=True),
    Column("item_id", Text, primary_key=True),
    Column("score", SmallInteger),
    Column("answered_at", Moment, nullable=False),
)

progress = Table(
    "progress", metadata,
    _round_id(),
    Column("respondent", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("checklist_done", Boolean, nullable=False),
    Column("updated_at", Moment),
)

participation = Table(
    "participation", metadata,
    _round_id(),
    Column("respondent", Text, primary_key=True),
    Column("finished_at", Moment, nullable=False),
)

checklists = Table(
    "checklists", metadata,
    _round_id(),
    Column("respondent", Text, primary_key=True),
    Column("barriers", ARRAY(Text), nullable=False),
    Column("reasons", ARRAY(Text), nullable=False),
    Column("ticked_at", Moment, nullable=False),
)

fanout_sent = Table(
    "fanout_sent", metadata,
    _round_id(),
    Column("fanout", Text, primary_key=True),
    Column("user_id", Text, primary_key=True),
    Column("sent_at", Moment, nullable=False),
)

snapshots = Table(
    "snapshots", metadata,
    Column("round_id", Text, ForeignKey("rounds.id"), primary_key=True),
    Column("workspace_id", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject", Text),
    Column("closed_at", Moment, nullable=False),
    Column("invited_count", Integer, nullable=False),
    Column("responses", Integer, nullable=False),
    Column("result", JSON, nullable=False),
    Column("pulse_number", Integer),
    Index("snapshots_of_team", "workspace_id", "channel_id", "closed_at"),
)

commitments = Table(
    "commitments", metadata,
    Column("id", Text, primary_key=True),
    Column("workspace_id", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("round_id", Text, ForeignKey("rounds.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", Text),
    Column("due", Date, nullable=False),
    Column("remind_at", Moment, nullable=False),
    Column("state", Text, nullable=False),
    Column("planned_by", Text),
    Column("planned_at", Moment),
    Column("updated_at", Moment),
    Column("reminded_at", Moment),
    Index("commitments_of_team", "workspace_id", "channel_id", "number", unique=True),
    Index("commitments_by_owner", "workspace_id", "owner"),
    Index("commitments_due", "remind_at",
          postgresql_where=text("reminded_at IS NULL AND state IN ('open', 'working')")),
)

last_results = Table(
    "last_results", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("channel_id", Text, primary_key=True),
    Column("round_id", Text, ForeignKey("rounds.id"), nullable=False),
    Column("closed_at", Moment, nullable=False),
    Column("summary", JSON, nullable=False),
)

user_cache = Table(
    "user_cache", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("user_id", Text, primary_key=True),
    Column("dm_channel", Text),
    Column("locale", Text),
    Column("timezone", Text),
    Column("fetched_at", Moment),
)

request_claims = Table(
    "request_claims", metadata,
    Column("digest", Text, primary_key=True),
    Column("expires_at", Moment, nullable=False),
    Index("request_claims_expiry", "expires_at"),
)

workspace_uninstalls = Table(
    "workspace_uninstalls", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("uninstalled_at", Moment, nullable=False),
)

store_meta = Table(
    "store_meta", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

SLACK_SDK_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")
"""Created by migration 0002 for slack_sdk's stores; shaped by slack_sdk, not by this module."""
outbox = Table(
    "outbox", metadata,
    Column("key", Text, primary_key=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("workspace_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("round_id", Text),
    Column("user_id", Text),
    Column("channel_id", Text),
    Column("message", JSON),
    Column("state", Text, nullable=False),
    Column("ready_at", Moment),
    Column("attempts", Integer, nullable=False),
    Column("in_doubt", Boolean, nullable=False),
    Column("claim", Text),
    Column("first_claimed_at", Moment),
    Column("queued_at", Moment, nullable=False),
    Column("finished_at", Moment),
    Column("receipt", Text),
    Column("problem", Text),
    Index("outbox_ready", "ready_at", "seq",
          postgresql_where=text("state IN ('pending', 'sending')")),
    Index("outbox_finished", "finished_at",
          postgresql_where=text("state IN ('sent', 'failed')")),
    Index("outbox_of_user", "workspace_id", "user_id"),
)

leases = Table(
    "leases", metadata,
    Column("name", Text, primary_key=True),
    Column("owner", Text, nullable=False),
    Column("expires_at", Moment, nullable=False),
)

rate_budgets = Table(
    "rate_budgets", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("next_free", Float, nullable=False),
    Column("paused_until", Float, nullable=False),
    Column("rate", Float, nullable=False),
    Column("recovered_at", Float, nullable=False),
    Column("pauses", Integer, nullable=False),
)

home_views = Table(
    "home_views", metadata,
    Column("workspace_id", Text, primary_key=True),
    Column("user_id", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
)

COORDINATION_TABLES: tuple[Table, ...] = (outbox, leases, rate_budgets, home_views)
"""What instances share to work together: transient, so never exported or copied."""

DATA_TABLES: tuple[Table, ...] = (
    workspaces, teams, team_leads, pulse_schedules, rounds, answers, progress,
    participation, checklists, fanout_sent, snapshots, commitments, last_results, user_cache,
    request_claims, workspace_uninstalls,
)
"""Every table holding wi3's data, parents before children (the order to fill them in)."""
