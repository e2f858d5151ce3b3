"""The heart of the TinyDB store: owning the data directory, its files, and the round
directory.

One process owns a data directory (a file lock). Each file has its own lock, so threads
writing to different rounds do not wait for each other; a write touches one small file
(see ``storage.tinydb.layout``), so its cost does not grow with the total amount stored.

Which rounds exist, and which is open for each team, is kept in memory as a directory
rebuilt at startup from the teams' ``rounds.json`` files, the only place a round's metadata
is written. That keeps every round operation a single-file write; it is correct because
this process is the directory's only writer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import filelock

from storage.clock import Clock, utc_now
from storage.errors import (
    CorruptFileError,
    RoundClosedError,
    StorageError,
    StoreClosedError,
    StoreLockedError,
    UnknownRoundError,
)
from storage.health import WriteHealth
from storage.protocols import Answers
from storage.pseudonyms import respondent_key
from storage.records import DEFAULT_RETENTION_DAYS, Round, require_aware
from storage.tinydb import codec
from storage.tinydb.jsonfile import DIR_MODE, Partition, make_directories, read_data_file
from storage.tinydb.layout import (
    LOCK_FILE,
    OWNER_FILE,
    FileSpec,
    classify,
    data_files,
    index_spec,
    round_spec,
    rounds_spec,
    temp_files,
)
from storage.tinydb.secret import load_or_create_secret, read_secret

TeamKey = tuple[str, str]

DEFAULT_CACHE_FILES = 1024
"""How many data files stay parsed in memory; the least recently used are dropped."""

logger = logging.getLogger("wi3.storage")

__all__ = ["Answers", "Clock", "StoreCore", "TeamKey", "utc_now"]


def _acquire_lock(data_dir: Path) -> filelock.BaseFileLock:
    lock = filelock.FileLock(str(data_dir / LOCK_FILE), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        owner = None
        with contextlib.suppress(OSError):
            owner = (data_dir / OWNER_FILE).read_text(encoding="ascii").strip() or None
        raise StoreLockedError(data_dir, owner) from None
    (data_dir / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
    return lock


@contextlib.contextmanager
def holding(data_dir: Path) -> Iterator[None]:
    """Own a data directory without opening it (copying it elsewhere): a bot that starts
    meanwhile refuses with one line instead of writing under the copy's feet."""
    lock = _acquire_lock(data_dir)
    try:
        yield
    finally:
        (data_dir / OWNER_FILE).unlink(missing_ok=True)
        lock.release()


def _make_private(data_dir: Path) -> None:
    """A data directory others may look into is closed to them (answers, secret.key)."""
    mode = stat.S_IMODE(data_dir.stat().st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        os.chmod(data_dir, DIR_MODE)
        logger.warning("data directory %s was open to other users (mode %04o); "
                       "it is now %04o", data_dir, mode, DIR_MODE)


class StoreCore:
    """State and plumbing shared by the store's parts; use ``TinyDBStore``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Clock,
        read_only: bool,
        retention_days: int,
        cache_files: int,
        lock: filelock.BaseFileLock | None,
    ) -> None:
        self._dir = data_dir
        self._clock = clock
        self._read_only = read_only
        self.retention_days = retention_days
        self._cache_files = max(cache_files, 8)
        self._lock = lock
        self._closed = False
        self._health = WriteHealth()
        self._secret: bytes | None = None
        self._parts: dict[str, Partition] = {}
        self._recent: OrderedDict[str, Partition] = OrderedDict()
        self._parts_lock = threading.Lock()
        self._dir_lock = threading.RLock()
        self._round_team: dict[str, TeamKey] = {}
        self._open_by_team: dict[TeamKey, str] = {}
        self._unposted: set[str] = set()

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        read_only: bool = False,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        cache_files: int = DEFAULT_CACHE_FILES,
    ) -> Self:
        """Take the directory's lock, validate every file, migrate, purge expired answers.

        Raises StoreLockedError, CorruptFileError, SchemaVersionError (all StorageError,
        with a one-line message). ``read_only`` skips the lock and never writes (for
        ``check`` and ``export`` next to a running bot).
        """
        path = Path(data_dir).absolute()
        if read_only and not path.is_dir():
            raise StorageError(f"no data directory at {path}")
        try:
            if not read_only:
                make_directories(path)
                _make_private(path)
            lock = None if read_only else _acquire_lock(path)
        except OSError as err:
            raise StorageError(f"cannot use {path} as data directory: {err.strerror}") from err
        store = cls(path, clock=clock or utc_now, read_only=read_only,
                    retention_days=retention_days, cache_files=cache_files, lock=lock)
        try:
            store._start()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Release the directory; later calls raise StoreClosedError."""
        if self._closed:
            return
        self._closed = True
        with self._parts_lock:
            parts = list(self._parts.values())
        for part in parts:
            part.close()
        if self._lock is not None:
            (self._dir / OWNER_FILE).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def data_dir(self) -> Path:
        return self._dir

    @property
    def pseudonym_key(self) -> bytes | None:
        """The directory's ``secret.key`` (for copying to a database under the same key)."""
        return self._secret

    def write_problem(self) -> str | None:
        """None while writes succeed; else why the most recent write failed."""
        return self._health.problem()

    def _start(self) -> None:
        if not self._read_only:
            for tmp in temp_files(self._dir):
                tmp.unlink()  # an interrupted write: the real file still has the last state
        holds_data = self._load_all_files()
        if self._read_only:
            self._secret = read_secret(self._dir)
        else:
            self._secret = load_or_create_secret(self._dir, may_create=not holds_data)
        self._build_directory()
        if not self._read_only:
            self.purge_expired()

    def _load_all_files(self) -> bool:
        """Parse and validate every data file, write back migrated ones; True if any exist."""
        found = False
        for path, spec in data_files(self._dir):
            if spec is None:
                continue
            found = True
            data, migrated = read_data_file(path, spec)
            if data is None:
                continue  # removed since the directory was listed
            part = self._part(spec)
            if migrated and not self._read_only:
                part.replace(data)
            else:
                part.prime(data)
        return found

    def _build_directory(self) -> None:
        round_team: dict[str, TeamKey] = {}
        open_by_team: dict[TeamKey, str] = {}
        unposted: set[str] = set()
        for relpath in self._relpaths_of_kind("rounds"):
            spec = classify(relpath)
            assert spec is not None and spec.workspace_id and spec.channel_id
            key = (spec.workspace_id, spec.channel_id)
            for round_ in self._rounds_of_team(key):
                round_team[round_.id] = key
                if round_.is_open:
                    if key in open_by_team:
                        raise CorruptFileError(
                            self._dir / relpath,
                            f"two open rounds ({open_by_team[key]}, {round_.id})")
                    open_by_team[key] = round_.id
                elif round_.results_posted_at is None:
                    unposted.add(round_.id)
        with self._dir_lock:
            self._round_team, self._open_by_team, self._unposted = (
                round_team, open_by_team, unposted)

    def _relpaths_of_kind(self, kind: str) -> list[str]:
        with self._parts_lock:
            return [rel for rel, part in self._parts.items() if part.spec.kind == kind]

    def _part(self, spec: FileSpec) -> Partition:
        """The one Partition object for a file; drops the least recently used copies."""
        if self._closed:
            raise StoreClosedError("the store is closed")
        with self._parts_lock:
            part = self._parts.get(spec.relpath)
            if part is None:
                part = Partition(self._dir, spec, self._health, self._read_only)
                self._parts[spec.relpath] = part
            self._recent[spec.relpath] = part
            self._recent.move_to_end(spec.relpath)
            while len(self._recent) > self._cache_files:
                relpath, oldest = self._recent.popitem(last=False)
                if not oldest.unload():
                    self._recent[relpath] = oldest  # in use right now; try again later
                    break
        return part

    def _index(self) -> Partition:
        return self._part(index_spec())

    def _rounds_part(self, key: TeamKey) -> Partition:
        return self._part(rounds_spec(*key))

    def _round_part(self, round_id: str) -> tuple[Partition, TeamKey]:
        key = self._team_of(round_id)
        return self._part(round_spec(*key, round_id)), key

    def purge_expired(self, now: datetime | None = None) -> int:
        """Apply the retention setting (provided by the privacy part of the store)."""
        raise NotImplementedError

    def _purge_claims(self, now: datetime) -> None:
        """Drop expired request keys (provided by the caches part of the store)."""
        raise NotImplementedError

    def _forget_owner(self, workspace_id: str, user_id: str) -> None:
        """Take a user's name off commitments (provided by the commitments part)."""
        raise NotImplementedError

    def _now(self, at: datetime | None = None) -> datetime:
        value = at if at is not None else self._clock()
        require_aware(value, "time")
        return value

    def _respondent(self, workspace_id: str, user_id: str) -> str:
        if self._secret is None:
            raise StoreClosedError(
                "this store has no secret.key to match answers to people (read-only, or "
                "restored from an export without the key)")
        return respondent_key(self._secret, workspace_id, user_id)

    def _team_of(self, round_id: str) -> TeamKey:
        with self._dir_lock:
            key = self._round_team.get(round_id)
        if key is None:
            raise UnknownRoundError(round_id)
        return key

    def _load_round(self, key: TeamKey, round_id: str) -> Round:
        part = self._rounds_part(key)
        with part.lock:
            doc = part.table("rounds").doc(round_id)
        if doc is None:
            raise UnknownRoundError(round_id)
        return codec.round_from_doc(doc)

    def _rounds_of_team(self, key: TeamKey) -> list[Round]:
        part = self._rounds_part(key)
        with part.lock:
            docs = part.table("rounds").docs()
        return sorted((codec.round_from_doc(d) for d in docs.values()),
                      key=lambda r: (r.opened_at, r.id))

    def _require_open(self, round_id: str, key: TeamKey) -> None:
        """Refuse respondent writes to a closed round (a stale button, a late click)."""
        with self._dir_lock:
            is_open = self._open_by_team.get(key) == round_id
        if not is_open:
            raise RoundClosedError(self._load_round(key, round_id))
