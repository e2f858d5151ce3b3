"""Where a file still to be drawn (`conversations.outbound.Drawing`) is made.

A heat map of 5,000 teams or a seven-page PDF takes a second or more of CPU, and in the
bot's own process that second holds the interpreter from the threads answering other
people's clicks. `InAnotherProcess` makes drawings in one worker process (started on
first use, so the bot never imports the drawing library itself; at a lower CPU priority,
so it gives way to the bot on a busy machine); the thread that asked waits without
holding anyone up. A drawing is a pure function of its plain arguments, so the worker's
recent drawings are kept by a digest of what was asked: the same heat map asked again
(`/wi3 status all` while no team's result changed) is sent again without drawing it, and
the worker's CPU is not taken from the clicks a second time. `HereAndNow` draws in the
caller's thread: for tests, the try-out and one-shot tools, where nobody else is clicking.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from bot import metrics
from conversations.outbound import Drawing

DRAWING_TIMEOUT_SECONDS = 120.0
"""A drawing that takes longer than this is given up (the person is told it failed)."""

KEPT_DRAWINGS_BYTES = 32 * 1024 * 1024
"""How many bytes of recent drawings stay in memory (a heat map and CSV of 5,000 teams are
under 2 MB together); the least recently asked go first."""


class Drawer(Protocol):
    def draw(self, drawing: Drawing) -> bytes: ...

    def close(self) -> None: ...


class HereAndNow:
    """Draw in the calling thread."""

    def draw(self, drawing: Drawing) -> bytes:
        with metrics.drawing():
            return drawing.draw()

    def close(self) -> None:
        return None


class InAnotherProcess:
    """Draw in a worker process, one drawing at a time (a fresh interpreter: "spawn", so
    nothing of the bot's threads and locks is copied into it)."""

    def __init__(self, timeout: float = DRAWING_TIMEOUT_SECONDS,
                 keep_bytes: int = KEPT_DRAWINGS_BYTES) -> None:
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._kept = KeptDrawings(keep_bytes)

    def draw(self, drawing: Drawing) -> bytes:
        asked = pickle.dumps(drawing, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(asked).digest()
        kept = self._kept.get(digest)
        if kept is not None:
            return kept
        with metrics.drawing():
            made = self._worker().submit(_draw_pickled, asked).result(timeout=self.timeout)
        self._kept.put(digest, made)
        return made

    def _worker(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_yield_to_the_bot)
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


WORKER_NICENESS = 10
"""How much lower the drawing worker's CPU priority is than the bot's: on a machine with
few cores, a drawing gives way to the threads answering clicks rather than competing."""


def _yield_to_the_bot() -> None:
    os.nice(WORKER_NICENESS)


def _draw_pickled(asked: bytes) -> bytes:
    """In the worker: the drawing as pickled once by the bot (for its digest as well)."""
    drawing = pickle.loads(asked)  # bytes this process's parent pickled
    if not isinstance(drawing, Drawing):
        raise TypeError(f"not a drawing: {type(drawing).__name__}")
    return drawing.draw()


class KeptDrawings:
    """Recent drawings by the digest of what was asked, up to a number of bytes."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self._lock = threading.Lock()
        self._kept: OrderedDict[bytes, bytes] = OrderedDict()
        self._size = 0

    def get(self, digest: bytes) -> bytes | None:
        with self._lock:
            made = self._kept.get(digest)
            if made is not None:
                self._kept.move_to_end(digest)
            return made

    def put(self, digest: bytes, made: bytes) -> None:
        if len(made) > self.limit:
            return
        with self._lock:
            if digest in self._kept:
                return
            self._kept[digest] = made
            self._size += len(made)
            while self._size > self.limit:
                _, oldest = self._kept.popitem(last=False)
                self._size -= len(oldest)


def drawn(content: bytes | Drawing, drawer: Drawer) -> bytes:
    """A file's bytes, drawn first if they are still to be drawn."""
    return content if isinstance(content, bytes) else drawer.draw(content)
