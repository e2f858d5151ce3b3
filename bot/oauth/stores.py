"""Where installations and OAuth states live: slack_sdk's own stores, in wi3's storage.

With the TinyDB backend they are slack_sdk's file stores under the data directory
(`installations/`, `oauth-states/`, both 0700); with PostgreSQL its SQLAlchemy stores in
the same database, on the tables migration 0002 created (never `create_tables()` here).

`RotatingInstallationStore` wraps either so that an installation whose bot token expires
within `ROTATE_MINUTES_BEFORE_EXPIRY` is refreshed on the way out, under a lock that every
instance respects: Slack revokes a refresh token once used, so two threads, or two
instances on one database, must never refresh the same one (the loser's workspace would
fail until its next token). The lock is per workspace and taken only when its token is
about to expire: with PostgreSQL a transaction-scoped advisory lock, with the data
directory a lock file (`RotationLocks`). The one who waited reads the installation again
and finds it refreshed. Bolt's request authorisation and `bot.clients` (background work)
both read through it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import filelock
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth import OAuthStateStore
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.file import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator, rotator

if TYPE_CHECKING:  # SQLAlchemy is imported only where the database is used
    from sqlalchemy import Engine

ROTATE_MINUTES_BEFORE_EXPIRY = 120
"""Bolt's default: a token expiring within two hours is refreshed before it is used."""
STATE_SECONDS = 600
"""How long an "Add to Slack" link stays valid (Bolt's default)."""
PRIVATE_DIR_MODE = 0o700
LOCK_NAMESPACE = "wi3:token-rotation"

logger = logging.getLogger(f"wi3.{__name__}")


class RotationLocks(Protocol):
    """One lock per workspace, held across every instance sharing the installations."""

    def held(self, workspace: str) -> AbstractContextManager[None]: ...


class AdvisoryLocks:
    """PostgreSQL: `pg_advisory_xact_lock` in a transaction of its own, so the lock goes
    with the transaction, also when the instance dies holding it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def held(self, workspace: str) -> Iterator[None]:
        from sqlalchemy import func, select

        with self.engine.begin() as connection:
            connection.execute(select(func.pg_advisory_xact_lock(_lock_key(workspace))))
            yield


class FileLocks:
    """The data directory: a lock file per workspace beside the installations."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextmanager
    def held(self, workspace: str) -> Iterator[None]:
        name = hashlib.sha256(workspace.encode()).hexdigest()[:16]
        with filelock.FileLock(str(self.directory / f".rotating-{name}.lock"),
                               thread_local=False):
            yield


def _lock_key(workspace: str) -> int:
    """A signed 64-bit advisory lock key for the workspace, the same in every instance."""
    digest = hashlib.blake2b(f"{LOCK_NAMESPACE}:{workspace}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def file_locks(data_dir: Path) -> FileLocks:
    return FileLocks(_private(data_dir / "installations"))


def file_stores(data_dir: Path, client_id: str) -> tuple[InstallationStore, OAuthStateStore]:
    """slack_sdk's file stores in the data directory (tokens: readable by the owner only)."""
    # (historical data stays on: without it slack_sdk finds no installation, only bots)
    installations = FileInstallationStore(
        base_dir=str(_private(data_dir / "installations")), client_id=client_id)
    states = FileOAuthStateStore(expiration_seconds=STATE_SECONDS, client_id=client_id,
                                 base_dir=str(_private(data_dir / "oauth-states")))
    return installations, states


def database_stores(engine: Engine, client_id: str) -> tuple[InstallationStore, OAuthStateStore]:
    """slack_sdk's SQLAlchemy stores on wi3's database (tables from migration 0002)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    return (SQLAlchemyInstallationStore(client_id=client_id, engine=engine),
            SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine))


def _private(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.chmod(directory, PRIVATE_DIR_MODE)
    return directory


class RotatingInstallationStore(InstallationStore):
    """An installation store whose installations come out with a bot token that is not
    about to expire (refreshed and saved when it was)."""

    def __init__(self, inner: InstallationStore, rotator: TokenRotator, locks: RotationLocks,
                 minutes_before_expiry: int = ROTATE_MINUTES_BEFORE_EXPIRY) -> None:
        self.inner = inner
        self.rotator = rotator
        self.locks = locks
        self.minutes_before_expiry = minutes_before_expiry
        self._rotating = threading.Lock()

    @property
    def logger(self) -> logging.Logger:
        return logger

    def save(self, installation: Installation) -> None:
        self.inner.save(installation)

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(bot)

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        return self.inner.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                   is_enterprise_install=is_enterprise_install)

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                          user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        def find() -> Installation | None:
            return self.inner.find_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                is_enterprise_install=is_enterprise_install)

        found = find()
        if found is None or found.bot_refresh_token is None or not self._expiring(found):
            return found
        workspace = f"{enterprise_id or ''}:{team_id or ''}"
        with self._rotating, self.locks.held(workspace):
            found = find()  # another thread or instance may have refreshed it meanwhile
            if found is None:
                return None
            try:
                refreshed = self.rotator.perform_token_rotation(
                    installation=found, minutes_before_expiration=self.minutes_before_expiry)
            except SlackTokenRotationError as error:
                logger.warning("refreshing the token of workspace %s failed (%s)",
                               team_id, _code(error))
                return found
            if refreshed is None:
                return found
            self.inner.save(refreshed)
            logger.info("refreshed the bot token of workspace %s", team_id)
            return refreshed

    def _expiring(self, installation: Installation) -> bool:
        """Whether the bot token is due for a refresh (by the rotator's own clock)."""
        expires = installation.bot_token_expires_at
        now = rotator.time()  # type: ignore[attr-defined]  # the clock the rotator decides by
        return expires is None or expires <= now + self.minutes_before_expiry * 60

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        self.inner.delete_installation(enterprise_id=enterprise_id, team_id=team_id,
                                       user_id=user_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def _code(error: SlackTokenRotationError) -> Any:
    response = getattr(error.api_error, "response", None)
    return response.get("error") if response is not None else type(error).__name__
