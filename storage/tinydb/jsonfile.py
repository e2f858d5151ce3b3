"""One crash-safe JSON file: TinyDB on an atomic-replace storage, guarded by one lock.

TinyDB as shipped rewrites its file in place (a crash can leave half a file) and parses the
whole file on every read. ``AtomicJSONStorage`` writes a temporary file in the same
directory, fsyncs it, renames it over the old one and fsyncs the directory, so a crash
leaves either the old or the new file. It keeps the parsed data in memory: this process
is the only writer (the data directory is locked), so the copy is always what is on disk.
Unlike TinyDB's CachingMiddleware, every write reaches the disk before it returns.

``KeyedTable`` uses string document ids chosen by us (TinyDB's documented "custom id type"
extension point), so a record is found by its key in O(1) and writing it twice replaces it.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, cast

from tinydb import Storage, TinyDB
from tinydb.table import Table

from storage.errors import CorruptFileError, StorageWriteError, StoreClosedError
from storage.health import WriteHealth
from storage.tinydb import journal
from storage.tinydb.journal import JournalState
from storage.tinydb.layout import META_KEY, META_TABLE, Data, FileSpec
from storage.tinydb.validation import checked

FILE_MODE = 0o600
DIR_MODE = 0o700
JOURNAL_READS = 3
"""Reads of a file and its journal before lines that do not follow on count as damage."""


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new entry in ``directory`` itself durable."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_directories(directory: Path) -> None:
    """Create missing directories (0700) and fsync their parents so they survive a crash."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        fsync_directory(path.parent)


def replace_file(path: Path, payload: bytes) -> None:
    """Put ``payload`` in place of ``path`` so that a crash leaves the old or the new file.

    The new directory entry is durable only after ``fsync_directory(path.parent)``.
    """
    make_directories(path.parent)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload``, atomically and durably."""
    replace_file(path, payload)
    fsync_directory(path.parent)


def read_data_file(path: Path, spec: FileSpec) -> tuple[Data | None, bool]:
    """Parse, migrate (in memory) and validate one file, with its journal replayed if it
    has one; (None, False) if it does not exist.

    The flag says whether a migration changed the data (so the caller may write it back).
    """
    data, migrated, _journal = load_data_file(path, spec)
    return data, migrated


def load_data_file(path: Path, spec: FileSpec) -> tuple[Data | None, bool, JournalState | None]:
    """``read_data_file``, and where the journal stands (None: a kind without one).

    A reader next to the running bot may read the file before a rewrite and its journal
    after it; the lines then do not follow on, and both are read again."""
    if not journal.is_journaled(spec.kind):
        data, migrated = _read_file(path, spec)
        return data, migrated, None
    log = journal.journal_path(path)
    gap = journal.Gap()
    for _attempt in range(JOURNAL_READS):
        try:
            return _read_journaled(path, spec, log)
        except journal.Gap as found:
            gap = found
    raise CorruptFileError(log, f"its lines do not follow on from the file ({gap})") from gap


def _read_journaled(path: Path, spec: FileSpec,
                    log: Path) -> tuple[Data | None, bool, JournalState]:
    data, migrated = _read_file(path, spec)
    entries, size = journal.read_entries(log)
    if data is None:
        if entries:
            raise CorruptFileError(log, "a journal without its file")
        return None, False, JournalState(size=size)
    seq, newer = journal.replay(data, entries)
    if newer:
        checked(log, spec, {META_TABLE: data[META_TABLE], **newer})
    return data, migrated, JournalState(seq=seq, size=size, base_size=path.stat().st_size)


def _read_file(path: Path, spec: FileSpec) -> tuple[Data | None, bool]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, False
    except OSError as err:
        raise CorruptFileError(path, err.strerror or str(err)) from err
    if not raw.strip():
        raise CorruptFileError(path, "the file is empty")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CorruptFileError(path, f"not valid JSON ({err})") from err
    return checked(path, spec, data)


def serialize(data: Data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class AtomicJSONStorage(Storage):
    """TinyDB storage: atomic, durable writes and a parsed in-memory copy for reads.

    A file of a journaled kind (``storage.tinydb.journal``) gets the documents a write
    puts appended to its journal instead, when ``KeyedTable`` noted them; a write that
    removes something, or one nobody described, rewrites the file."""

    def __init__(self, path: Path, spec: FileSpec, health: WriteHealth,
                 read_only: bool = False) -> None:
        self.path = path
        self.spec = spec
        self.health = health
        self.read_only = read_only
        self._data: Data | None = None
        self._loaded = False
        self._batching = False
        self._dirty = False
        self._closed = False
        self._journaled = journal.is_journaled(spec.kind)
        self._journal: JournalState | None = None
        self._puts: journal.Puts = {}
        self._whole = False
        """The next flush rewrites the file (something was removed, or not described)."""
        self._noted = False
        """The coming write() was described by ``note_puts`` / ``note_removal``."""

    def read(self) -> Data | None:
        if not self._loaded:
            self._data, _, self._journal = load_data_file(self.path, self.spec)
            self._loaded = True
            self._reset_changes()
        return self._data

    def note_puts(self, table: str, docs: dict[str, dict[str, Any]]) -> None:
        """What the coming write() puts (a journal line can say it)."""
        if self._journaled:
            self._puts.setdefault(table, {}).update(docs)
        self._noted = True

    def note_removal(self) -> None:
        """The coming write() removes documents: the file is rewritten without them."""
        self._whole = True
        self._noted = True

    def write(self, data: Data) -> None:
        if self._closed or self.read_only:
            self.forget()  # TinyDB changed our copy in place before calling write()
            self._refuse()
        if not self._noted:
            self._whole = True
        self._noted = False
        data.setdefault(META_TABLE, {META_KEY: self.spec.meta()})
        self._data = data
        self._loaded = True
        if self._batching:
            self._dirty = True
        else:
            self._flush()

    def close(self) -> None:
        self._closed = True
        self.forget()

    def prime(self, data: Data) -> None:
        """Adopt data just parsed and validated from this file (saves a second parse)."""
        self._data = data
        self._loaded = True

    def forget(self) -> None:
        """Drop the in-memory copy; the next read parses the file again."""
        self._data = None
        self._loaded = False
        self._journal = None
        self._reset_changes()

    def _reset_changes(self) -> None:
        self._puts = {}
        self._whole = False
        self._noted = False

    @property
    def batching(self) -> bool:
        return self._batching

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Several table updates, one write: all of them reach the disk or none."""
        if self._batching:
            raise RuntimeError("batches do not nest")
        self._batching = True
        try:
            yield
        except BaseException:
            self._batching = False
            if self._dirty:
                self._dirty = False
                self.forget()
            raise
        self._batching = False
        if self._dirty:
            self._dirty = False
            self._flush()

    def _flush(self) -> None:
        assert self._data is not None
        state = self._journal
        if (self._journaled and state is not None and state.base_size is not None
                and self._puts and not self._whole and not state.wants_compaction()):
            self._append(state)
        else:
            self._rewrite()
        self._reset_changes()

    def _append(self, state: JournalState) -> None:
        """One line in the journal: the documents this write put."""
        log = journal.journal_path(self.path)
        line = journal.line_of(state.seq + 1, self._puts)
        try:
            if journal.append(log, line, state.size):
                fsync_directory(log.parent)
        except OSError as err:
            self.forget()
            raise self._failed(StorageWriteError(log, err)) from err
        state.seq += 1
        state.size += len(line)
        self.health.succeeded()

    def _rewrite(self) -> None:
        """The whole file, atomically; for a journaled kind, holding the journal's lines
        (which are then emptied out)."""
        assert self._data is not None
        seq = self._journal.seq if self._journal is not None else self._seq_on_disk()
        if self._journaled:
            journal.mark_applied(self._data, seq)
        try:
            payload = serialize(self._data)
            replace_file(self.path, payload)
        except OSError as err:
            self.forget()
            raise self._failed(StorageWriteError(self.path, err)) from err
        except (TypeError, ValueError):
            self.forget()
            raise
        try:
            fsync_directory(self.path.parent)
        except OSError as err:  # the new file is in place; only its durability is unsure
            raise self._failed(StorageWriteError(self.path, err, replaced=True)) from err
        if self._journaled:
            log = journal.journal_path(self.path)
            try:
                journal.empty(log)
            except OSError as err:  # the file holds the journal's lines: they are skipped
                self.forget()
                raise self._failed(StorageWriteError(log, err, replaced=True)) from err
            self._journal = JournalState(seq=seq, base_size=len(payload))
        self.health.succeeded()

    def _seq_on_disk(self) -> int:
        """The journal's last sequence number when the file is replaced without being
        read first (an import, a migration)."""
        if not self._journaled:
            return 0
        entries, _size = journal.read_entries(journal.journal_path(self.path))
        return max((seq for seq, _puts in entries), default=0)

    def _failed(self, error: StorageWriteError) -> StorageWriteError:
        self.health.failed(str(error))
        return error

    def _refuse(self) -> NoReturn:
        state = "closed" if self._closed else "opened read-only"
        raise StoreClosedError(f"cannot write {self.path}: the store is {state}")


class KeyedTable(Table):
    """A TinyDB table whose document ids are our own string keys."""

    # TinyDB's annotation says int, but its docs name str ids as a supported extension.
    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> NoReturn:
        raise TypeError("every document in a wi3 table needs an explicit key")

    def doc(self, key: str) -> Mapping[str, Any] | None:
        """The document stored under ``key``, or None: the stored one, not a copy, so
        read it (decode it) and never change it."""
        found: Mapping[str, Any] | None = self._read_table().get(key)
        return found

    def docs(self) -> Mapping[str, Mapping[str, Any]]:
        """Every document by key: the stored ones, read-only like ``doc``."""
        table: Mapping[str, Mapping[str, Any]] = self._read_table()
        return table

    def keys(self) -> set[str]:
        return set(self._read_table())

    def _update_table(self, updater: Callable[[dict[Any, Mapping[str, Any]]], None]) -> None:
        """TinyDB's table update, with one plain copy of the table instead of two
        rebuilt ones (its ids need converting; ours are strings already): an answer in
        a round of 500 people copied 11,500 documents key by key, twice. Readers keep
        the table they were handed, as with TinyDB's."""
        tables = self._storage.read() or {}
        table: dict[Any, Mapping[str, Any]] = dict(tables.get(self.name, {}))
        updater(table)
        tables[self.name] = table
        self._storage.write(tables)
        self.clear_cache()

    def put(self, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace the document under ``key``."""
        self.put_many({key: doc})

    def put_many(self, docs: Mapping[str, Mapping[str, Any]]) -> None:
        def updater(table: dict[Any, Any]) -> None:
            for key, doc in docs.items():
                table[key] = dict(doc)
            if isinstance(self._storage, AtomicJSONStorage):
                self._storage.note_puts(self.name, {key: table[key] for key in docs})

        self._update_table(updater)

    def drop(self, keys: set[str]) -> int:
        """Remove the documents under ``keys``; writes nothing if none exist."""
        present = keys & self._read_table().keys()

        def updater(table: dict[Any, Any]) -> None:
            for key in present:
                del table[key]
            if isinstance(self._storage, AtomicJSONStorage):
                self._storage.note_removal()

        if present:
            self._update_table(updater)
        return len(present)

    def drop_where(self, predicate: Callable[[str, Mapping[str, Any]], bool]) -> int:
        """Remove the documents for which ``predicate(key, doc)`` holds."""
        doomed = {key for key, doc in self._read_table().items() if predicate(key, doc)}
        return self.drop(doomed)


class KeyedDB(TinyDB):
    table_class = KeyedTable


class Partition:
    """One data file and its lock: every access to the file goes through here.

    Callers hold ``lock`` around a read-modify-write so it is atomic for other threads.
    """

    def __init__(self, data_dir: Path, spec: FileSpec, health: WriteHealth,
                 read_only: bool = False) -> None:
        self.spec = spec
        self.path = data_dir / spec.relpath
        self.lock = threading.RLock()
        self._storage = AtomicJSONStorage(self.path, spec, health, read_only)
        # TinyDB builds its storage by calling ``storage(*args)``; hand it ours.
        self._db = KeyedDB(storage=lambda: self._storage)

    def table(self, name: str) -> KeyedTable:
        return cast(KeyedTable, self._db.table(name))

    def exists(self) -> bool:
        with self.lock:
            return self._storage.read() is not None

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self.lock, self._storage.batch():
            yield

    def prime(self, data: Data) -> None:
        """Adopt data the caller just read from this file and validated."""
        with self.lock:
            self._storage.prime(data)

    def unload(self) -> bool:
        """Free the in-memory copy unless another thread is using the file right now."""
        if not self.lock.acquire(blocking=False):
            return False
        try:
            if self._storage.batching:  # this thread is mid-batch (the lock is reentrant)
                return False
            self._storage.forget()
            return True
        finally:
            self.lock.release()

    def snapshot(self) -> Data | None:
        """A deep copy of the whole file's data (for export)."""
        with self.lock:
            data = self._storage.read()
            return json.loads(serialize(data)) if data is not None else None

    def replace(self, data: Data) -> None:
        """Write the whole file (import, migration)."""
        with self.lock:
            self._storage.write(data)

    def close(self) -> None:
        with self.lock:
            self._storage.close()
