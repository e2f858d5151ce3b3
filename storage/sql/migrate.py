"""Schema migrations (Alembic, in ``migrations/``): applied at start or with
``python -m storage migrate``, one instance at a time.

Several instances may start together: each takes a PostgreSQL advisory lock for the
migration's transaction, so the first applies what is pending and the others find nothing
left to do. A database whose schema is newer than this code is refused, never downgraded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from storage.errors import SchemaVersionError, StorageError, StoreUnavailableError

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x77693301
"""The advisory lock's key ("wi3" and 1): held while a migration runs."""

logger = logging.getLogger(f"wi3.{__name__}")


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this code's migrations."""

    current: str | None
    head: str
    pending: tuple[str, ...]

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def is_newer(self) -> bool:
        """Written by a newer wi3: a revision this code does not know."""
        return self.current is not None and not self.pending and not self.is_current


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "the migrations directory has no head revision"
    return head


def _state(connection: Connection) -> SchemaState:
    current = MigrationContext.configure(connection).get_current_revision()
    scripts = _scripts()
    head = head_revision()
    known = {script.revision for script in scripts.walk_revisions()}
    if current is not None and current not in known:
        return SchemaState(current, head, ())
    pending = tuple(reversed([script.revision for script in
                              scripts.iterate_revisions(head, current)]))
    return SchemaState(current, head, pending)


def schema_state(engine: Engine) -> SchemaState:
    try:
        with engine.connect() as connection:
            return _state(connection)
    except DBAPIError as err:
        raise StoreUnavailableError(err) from err


def upgrade(engine: Engine) -> tuple[str, ...]:
    """Apply pending migrations under the migration lock; returns the revisions applied."""
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK})
            state = _state(connection)
            if state.is_newer:
                raise _newer(state)
            if state.pending:
                command.upgrade(_config(connection), "head")
    except DBAPIError as err:
        raise StoreUnavailableError(err) from err
    if state.pending:
        logger.info("database schema migrated to %s (applied %s)", state.head,
                    ", ".join(state.pending))
    return state.pending


def require_current(engine: Engine) -> None:
    """Refuse a schema this code cannot use, with the command that fixes it."""
    state = schema_state(engine)
    if state.is_newer:
        raise _newer(state)
    if not state.is_current:
        raise StorageError(
            f"the database schema is at {state.current or 'nothing yet'}, this wi3 needs "
            f"{state.head}: run `python -m storage migrate` (or start `python -m bot`, which "
            "migrates at start)")


def _newer(state: SchemaState) -> SchemaVersionError:
    return SchemaVersionError("the database", state.current or "?", state.head)
