"""A round file's journal: what a click changes, appended as one line.

Rewriting a round's whole file on every click costs two fsyncs (the new file, then its
directory) and grows with the round: at 500 people a click rewrote some 1.3 MB. So the
documents a write puts are appended to ``round-<id>.log`` beside the file, one line per
write, and ``fdatasync``'d before the write counts: one small durable write per click,
whatever the round's size::

    {"seq": 42, "put": {"answers": {"<respondent>:W3": {...}}, "progress": {...}}}

The file itself is rewritten (compacted) when the journal has grown past the file's size
(at least ``COMPACT_BYTES``), and by every write that removes something (forget-me, the
retention purge, expired claims), so nothing removed lingers in a journal. A compaction
records the last sequence number it holds (``_meta.journal.applied``) and then empties
the journal; lines at or below that number are skipped when read, so a crash between the
two loses nothing and applies nothing twice. A crash mid-append leaves a partial last
line: it is ignored when read, and cut off before the journal is appended to again.

Reading a file (``read_data_file``, so the store, ``python -m storage check`` and exports
alike) replays its journal; the journal's documents pass the same validation as the
file's.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.errors import CorruptFileError
from storage.tinydb.layout import META_TABLE, Data

JOURNALED_KINDS = frozenset({"round"})
"""Kinds of file written through a journal: a round's responses, written per click."""
COMPACT_BYTES = 64 * 1024
"""A journal is folded into its file once it is larger than this and than the file."""
APPLIED = "journal"
"""The _meta document saying which journal lines the file already holds."""
FILE_MODE = 0o600
"""As every data file: answers are for this process's owner only."""

Puts = dict[str, dict[str, dict[str, Any]]]
"""Documents by table and key."""


@dataclass
class JournalState:
    """Where a loaded file's journal stands."""

    seq: int = 0
    """The last sequence number the loaded data holds (from the file or its journal)."""
    size: int = 0
    """Bytes of complete lines in the journal: the next line goes after them."""
    base_size: int | None = None
    """The size of the file itself; None while there is no file (the first write of a
    file writes it whole)."""

    def wants_compaction(self) -> bool:
        return self.size >= max(COMPACT_BYTES, self.base_size or 0)


def journal_path(path: Path) -> Path:
    return path.with_suffix(".log")


def is_journaled(kind: str) -> bool:
    return kind in JOURNALED_KINDS


def applied(data: Data) -> int:
    """The last journal line the file's own data holds."""
    doc = data.get(META_TABLE, {}).get(APPLIED)
    seq = doc.get("applied") if isinstance(doc, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else 0


def mark_applied(data: Data, seq: int) -> None:
    data.setdefault(META_TABLE, {})[APPLIED] = {"applied": seq}


def read_entries(path: Path) -> tuple[list[tuple[int, Puts]], int]:
    """The journal's complete lines as (seq, puts), and the bytes they take."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    except OSError as err:
        raise CorruptFileError(path, err.strerror or str(err)) from err
    complete = raw.rfind(b"\n") + 1
    entries = []
    for number, line in enumerate(raw[:complete].splitlines(), 1):
        try:
            entry = json.loads(line)
            seq, puts = entry["seq"], entry["put"]
            if not isinstance(seq, int) or isinstance(seq, bool) or not _is_puts(puts):
                raise ValueError("not a journal line")
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
            raise CorruptFileError(path, f"line {number} is not a journal line ({err})") from err
        entries.append((seq, puts))
    return entries, complete


def _is_puts(puts: Any) -> bool:
    return isinstance(puts, dict) and all(
        isinstance(docs, dict) and all(isinstance(doc, dict) for doc in docs.values())
        for docs in puts.values())


class Gap(Exception):
    """The journal's lines do not follow on from the file's: read while the file was
    being rewritten (a reader next to the running bot), or damaged."""


def replay(data: Data, entries: list[tuple[int, Puts]]) -> tuple[int, Data]:
    """Apply the lines the file does not hold yet; (the last seq, what they put)."""
    last = applied(data)
    newer: Data = {}
    for seq, puts in entries:
        if seq <= last:
            continue
        if seq != last + 1:
            raise Gap(f"line {seq} follows {last}")
        for table, docs in puts.items():
            data.setdefault(table, {}).update(docs)
            newer.setdefault(table, {}).update(docs)
        last = seq
    return last, newer


def line_of(seq: int, puts: Puts) -> bytes:
    return json.dumps({"seq": seq, "put": puts}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8") + b"\n"


def append(path: Path, line: bytes, keep: int) -> bool:
    """Write ``line`` after the first ``keep`` bytes (cutting off a partial line left by a
    crash) and fdatasync it. True if the journal was created (its directory entry is
    then made durable by the caller)."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        if os.fstat(fd).st_size != keep:
            os.ftruncate(fd, keep)
        try:
            os.lseek(fd, keep, os.SEEK_SET)
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            os.fdatasync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, keep)  # no partial line for the next append
            raise
    finally:
        os.close(fd)
    return created


def empty(path: Path) -> None:
    """Empty a journal whose lines the file now holds (missing is fine), durably: after
    a forget-me its lines must not come back, even skipped."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if os.fstat(fd).st_size:
            os.ftruncate(fd, 0)
            os.fdatasync(fd)
    finally:
        os.close(fd)
