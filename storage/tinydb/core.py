"""The heart of the TinyDB store: owning the data directory, its files, and the round
directory.

One process owns a data directory (a file lock). Each file has its own lock, so threads
writing to different rounds do not wait for each other; a write touches one small file
(see ``storage.tinydb.layout``), so its cost does not grow with the total amount stored.

Which rounds exist, and which is open for each team, is kept in memory as a directory
(``storage.tinydb.directory``) rebuilt at startup from the teams' ``rounds.json`` files, the
only place a round's metadata is written. That keeps every round operation a single-file
write; it is correct because this process is the directory's only writer.

Start reads only what serving needs: ``index.json`` and every team's ``rounds.json``, once
each, and the live request claims. Every other file is read, migrated and validated when it
is first used (a damaged one then fails that request, naming the file); ``python -m storage
check`` still reads and reports every file. Parsed files stay in memory up to a limit, the
least recently used dropped first, and so do their ``Partition`` objects: one exists while
a file is cached or in use, not for every file ever touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from storage.tinydb.claims import ClaimLogs
from storage.tinydb.directory import LeadIndex, RoundDirectory, TeamKey, TwoOpenRoundsError
from storage.tinydb.jsonfile import DIR_MODE, Partition, make_directories, read_data_file
from storage.tinydb.layout import (
    INDEX_FILE,
    LOCK_FILE,
    OWNER_FILE,
    FileSpec,
    classify,
    index_spec,
    is_temp_file,
    round_spec,
    rounds_spec,
)
from storage.tinydb.secret import load_or_create_secret, read_secret

DEFAULT_CACHE_FILES = 1024
"""How many data files stay parsed in memory; the least recently used are dropped."""

logger = logging.getLogger(f"wi3.{__name__}")

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


START_KINDS = frozenset({"index", "rounds", "commitments", "users_whole", "dedupe"})
"""The kinds of file start needs by name (the others are read when first used)."""
_START_NAMES = frozenset({"index.json", "rounds.json", "commitments.json"})
_START_FOLDERS = frozenset({"users", "dedupe"})
"""Where start's kinds can be (``users/<ws>.json``, ``dedupe/<x>.json``): only these names
are matched against the layout; at 50,000 people that skips some 15,000 of 20,000."""


@dataclass
class Survey:
    """What one walk over the data directory found (see ``survey``)."""

    specs: list[FileSpec] = field(default_factory=list)
    temp_files: list[Path] = field(default_factory=list)
    has_data: bool = False
    """Whether any of wi3's data files is there (of any kind)."""

    def of_kind(self, *kinds: str) -> list[FileSpec]:
        return [spec for spec in self.specs if spec.kind in kinds]


def survey(data_dir: Path) -> Survey:
    """The data directory's files of the kinds start needs (``START_KINDS``), and
    leftovers of interrupted writes, in one walk (names only: nothing is opened)."""
    found = Survey()
    _walk(str(data_dir), "", found)
    return found


def _walk(folder: str, relfolder: str, found: Survey) -> None:
    """One folder of the survey, its subfolders in name order (a directory entry's type
    comes with the listing: no stat per folder, as ``os.walk`` makes)."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    subfolders = []
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            subfolders.append(entry)
        elif is_temp_file(name):
            found.temp_files.append(Path(entry.path))
        elif name.endswith(".json"):
            _note(found, f"{relfolder}/{name}" if relfolder else name, name, relfolder)
    for entry in subfolders:
        _walk(entry.path, f"{relfolder}/{entry.name}" if relfolder else entry.name, found)


def _note(found: Survey, relpath: str, name: str, relfolder: str) -> None:
    if name in _START_NAMES or relfolder in _START_FOLDERS:
        spec = classify(relpath)
        if spec is not None:
            found.has_data = True
            if spec.kind in START_KINDS:
                found.specs.append(spec)
    elif not found.has_data and classify(relpath) is not None:
        found.has_data = True


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
        self._parts: weakref.WeakValueDictionary[str, Partition] = (
            weakref.WeakValueDictionary())
        self._recent: OrderedDict[str, Partition] = OrderedDict()
        self._parts_lock = threading.Lock()
        self._index_part = Partition(data_dir, index_spec(), self._health, read_only)
        self._parts[INDEX_FILE] = self._index_part
        self._rounds = RoundDirectory()
        self._leads = LeadIndex()
        self._claims = ClaimLogs(data_dir, self._health, read_only)

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
        """Take the directory's lock, read the index and the round directory (validated,
        migrated), purge expired answers and claims; other files are read when first used.

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

    def write_failures(self) -> int:
        return self._health.failures

    def _start(self) -> None:
        found = survey(self._dir)
        if not self._read_only:
            for tmp in found.temp_files:
                tmp.unlink()  # an interrupted write: the real file still has the last state
        if self._read_only:
            self._secret = read_secret(self._dir)
        else:
            self._secret = load_or_create_secret(self._dir, may_create=not found.has_data)
        self._load_index(found)
        self._build_directory(found.of_kind("rounds"))
        self._claims.load(self._now().timestamp())
        self._found(found)
        self._adopt_older_layouts(found)
        if not self._read_only:
            self.purge_expired()

    def _load_index(self, found: Survey) -> None:
        """Parse and validate index.json (kept in memory from now on); write it back if a
        migration changed it."""
        if not found.of_kind("index"):
            return
        data, migrated = read_data_file(self._dir / INDEX_FILE, index_spec())
        if data is not None and migrated and not self._read_only:
            self._index_part.replace(data)
        elif data is not None:
            self._index_part.prime(data)

    def _found(self, found: Survey) -> None:
        """What the start-up walk found, for the parts that index files of their own kind
        (they extend this and call it)."""

    def _adopt_older_layouts(self, found: Survey) -> None:
        """Fold files of an older layout into the current one (provided by the caches)."""
        raise NotImplementedError

    def _reload(self) -> None:
        """After files were written behind the directory's back (an import)."""
        found = survey(self._dir)
        self._leads.reset()
        self._build_directory(found.of_kind("rounds"))
        self._found(found)
        self._adopt_older_layouts(found)

    def _build_directory(self, specs: list[FileSpec]) -> None:
        """Every team's rounds into the round directory: each ``rounds.json`` read once."""
        rounds: list[Round] = []
        for spec in specs:
            path = self._dir / spec.relpath
            data, migrated = read_data_file(path, spec)
            if data is None:
                continue
            if migrated and not self._read_only:
                self._part(spec).replace(data)
            rounds.extend(codec.round_from_doc(doc) for doc in data.get("rounds", {}).values())
        try:
            self._rounds.rebuild(rounds)
        except TwoOpenRoundsError as err:
            raise CorruptFileError(self._dir / rounds_spec(*err.team).relpath, str(err)) from err

    def _part(self, spec: FileSpec) -> Partition:
        """The one Partition object for a file while anyone holds it; the most recently
        used stay (parsed) in memory, the others are let go."""
        if self._closed:
            raise StoreClosedError("the store is closed")
        if spec.relpath == INDEX_FILE:
            return self._index_part
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
        """index.json, never let go: nearly every request reads a team's settings."""
        return self._part(index_spec())

    def _rounds_part(self, key: TeamKey) -> Partition:
        return self._part(rounds_spec(*key))

    def _round_part(self, round_id: str) -> tuple[Partition, TeamKey]:
        key = self._team_of(round_id)
        return self._part(round_spec(*key, round_id)), key

    def purge_expired(self, now: datetime | None = None) -> int:
        """Apply the retention setting (provided by the privacy part of the store)."""
        raise NotImplementedError

    def _drop_lead(self, workspace_id: str, user_id: str) -> None:
        """Forget-me for lead roles (provided by the workspaces part of the store)."""
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
        key = self._rounds.team_of(round_id)
        if key is None:
            raise UnknownRoundError(round_id)
        return key

    def _load_round(self, key: TeamKey, round_id: str) -> Round:
        """A round as stored: an open one from the directory, a closed one from its file."""
        current = self._rounds.open_round(key)
        if current is not None and current.id == round_id:
            return current
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
        if not self._rounds.is_open(round_id, key):
            raise RoundClosedError(self._load_round(key, round_id))
