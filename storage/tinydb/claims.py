"""Request claims as append-only logs: a claim costs one short line, however many are live.

Every signed request is claimed once (``Store.claim``), so at ten requests a second some
six thousand claims are live at any moment. Rewriting a file that holds them on every
claim (as the first layout did) made a click cost more the busier the bot was. Here a
claim is one line appended to the log of the minute it expires in, on one of sixteen
stripes (by the key's digest, each with its own lock)::

    DIR/claims/<minute>-<stripe>.log     "<digest> <expires>\\n" per claim

The live claims are also kept in memory (this process is the directory's only writer), so
checking a key reads nothing; at start the logs of minutes that have not passed are read
back. A log whose minute has passed holds only expired claims and is deleted whole, by
the first claim of each minute (and the daily purge), so memory and disk hold only what
is live.

A line is appended with one ``write`` and ``fdatasync``'d before the claim counts, so a
claim that returned survives a crash. A crash mid-append can leave a partial last line: it
is ignored when read, and cut off before the log is appended to again, as is a failed
append (a full disk).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.errors import StorageWriteError, StoreClosedError
from storage.health import WriteHealth
from storage.tinydb.jsonfile import FILE_MODE, fsync_directory, make_directories

CLAIMS_DIR = "claims"
BUCKET_SECONDS = 60
STRIPES = 16
_LOG_NAME = re.compile(r"(?P<bucket>[0-9]{1,12})-(?P<stripe>[0-9a-f])\.log")
_LINE = re.compile(r"(?P<digest>[0-9a-f]{32}) (?P<expires>[0-9]+(?:\.[0-9]+)?)")


@dataclass(frozen=True)
class LogFile:
    path: Path
    bucket: int
    stripe: int


def claim_logs(data_dir: Path) -> list[LogFile]:
    """Every claim log in the data directory (oldest minute first)."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(data_dir / CLAIMS_DIR):
            match = _LOG_NAME.fullmatch(entry.name)
            if match and entry.is_file():
                found.append(LogFile(Path(entry.path), int(match["bucket"]),
                                     int(match["stripe"], 16)))
    return sorted(found, key=lambda log: (log.bucket, log.stripe))


def read_log(path: Path) -> tuple[dict[str, float], int, list[int]]:
    """(claims by digest, bytes up to the last complete line, numbers of bad lines)."""
    raw = path.read_bytes()
    complete = raw.rfind(b"\n") + 1
    claims: dict[str, float] = {}
    bad: list[int] = []
    for number, line in enumerate(raw[:complete].decode("ascii", "replace").splitlines(), 1):
        match = _LINE.fullmatch(line)
        if match is None:
            bad.append(number)
            continue
        claims[match["digest"]] = max(float(match["expires"]),
                                      claims.get(match["digest"], 0.0))
    return claims, complete, bad


class ClaimLogs:
    """The live claims of one data directory, in memory and in their logs."""

    def __init__(self, data_dir: Path, health: WriteHealth, read_only: bool) -> None:
        self._dir = data_dir / CLAIMS_DIR
        self._health = health
        self._read_only = read_only
        self._locks = [threading.Lock() for _ in range(STRIPES)]
        self._live: dict[str, float] = {}
        self._buckets: defaultdict[int, set[str]] = defaultdict(set)
        self._files: set[tuple[int, int]] = set()
        """Logs known to exist and to end with a complete line."""
        self._next_purge = 0.0
        self._purging = threading.Lock()

    def load(self, now: float) -> None:
        """Read back the claims that have not expired; delete logs that hold none.

        Opened read-only (an export next to a running
        bot, whose clock may differ), every claim in the logs is shown, as it is."""
        for log in claim_logs(self._dir.parent):
            if self._read_only:
                claims, _complete, _bad = read_log(log.path)
                self._live.update(claims)
                continue
            if self._expired(log.bucket, now):
                log.path.unlink(missing_ok=True)
                continue
            claims, complete, _bad = read_log(log.path)
            if complete < log.path.stat().st_size:
                os.truncate(log.path, complete)  # a crash cut the last line short
            for digest, expires in claims.items():
                self.adopt(digest, expires, now)
            self._files.add((log.bucket, log.stripe))

    def adopt(self, digest: str, expires: float, now: float) -> None:
        """Know a claim read from storage (a log, or an older layout's files)."""
        if expires > now and expires > self._live.get(digest, 0.0):
            self._live[digest] = expires
            self._buckets[_bucket(expires)].add(digest)

    def carry_over(self, claims: dict[str, float], now: float) -> None:
        """Live claims from an older layout's files: into memory and into the logs, one
        write per log, before the caller removes the old files."""
        lines: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
        for digest, expires in claims.items():
            if expires > now and expires > self._live.get(digest, 0.0):
                lines[(_bucket(expires), int(digest[0], 16))].append(f"{digest} {expires:.3f}\n")
                self.adopt(digest, expires, now)
        if not self._read_only:
            for (bucket, stripe), chunk in lines.items():
                with self._locks[stripe]:
                    self._append(bucket, stripe, "".join(chunk))

    def claim(self, digest: str, now: float, ttl_seconds: float) -> bool:
        """True the first time ``digest`` is claimed while no earlier claim is live. Once
        a minute, a claim also lets go of the minutes that have passed."""
        stripe = int(digest[0], 16)
        with self._locks[stripe]:
            if self._live.get(digest, 0.0) > now:
                return False
            expires = now + ttl_seconds
            self._append(_bucket(expires), stripe, f"{digest} {expires:.3f}\n")
            self._live[digest] = expires
            self._buckets[_bucket(expires)].add(digest)
        if now >= self._next_purge:
            self._next_purge = now + BUCKET_SECONDS
            self.purge(now)
        return True

    def purge(self, now: float) -> None:
        """Forget and delete the claims of every minute that has passed."""
        with self._purging:
            for bucket in [b for b in list(self._buckets) if self._expired(b, now)]:
                digests = self._buckets.pop(bucket, set())
                for stripe, lock in enumerate(self._locks):
                    with lock:
                        for digest in [d for d in digests if int(d[0], 16) == stripe]:
                            if self._live.get(digest, now + 1) <= now:
                                del self._live[digest]
                        if (bucket, stripe) in self._files:
                            self._files.discard((bucket, stripe))
                            if not self._read_only:
                                (self._dir / _name(bucket, stripe)).unlink(missing_ok=True)

    def live_claims(self) -> Iterator[tuple[str, float]]:
        return iter(list(self._live.items()))

    @staticmethod
    def _expired(bucket: int, now: float) -> bool:
        return (bucket + 1) * BUCKET_SECONDS <= now

    def _append(self, bucket: int, stripe: int, line: str) -> None:
        path = self._dir / _name(bucket, stripe)
        if self._read_only:
            raise StoreClosedError(f"cannot write {path}: the store is opened read-only")
        new = (bucket, stripe) not in self._files
        try:
            if new:
                make_directories(self._dir)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
            try:
                size = os.fstat(fd).st_size
                try:
                    os.write(fd, line.encode("ascii"))
                    os.fdatasync(fd)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, size)  # no partial line for the next append
                    raise
            finally:
                os.close(fd)
            if new:
                fsync_directory(self._dir)
                self._files.add((bucket, stripe))
        except OSError as err:
            error = StorageWriteError(path, err)
            self._health.failed(str(error))
            raise error from err
        self._health.succeeded()


def _bucket(expires: float) -> int:
    return int(expires // BUCKET_SECONDS)


def _name(bucket: int, stripe: int) -> str:
    return f"{bucket}-{stripe:x}.log"
