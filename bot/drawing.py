"""Where a file still to be drawn (`conversations.outbound.Drawing`) is made.

A heat map of 5,000 teams or a seven-page PDF takes a second or more of CPU, and in the
bot's own process that second holds the interpreter from the threads answering other
people's clicks. `InAnotherProcess` makes drawings in one worker process (started on
first use, so the bot never imports the drawing library itself; at a lower CPU priority,
so it gives way to the bot on a busy machine); the thread that asked waits without
holding anyone up. `HereAndNow` draws in the caller's thread: for tests,
the try-out and one-shot tools, where nobody else is clicking.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from bot import metrics
from conversations.outbound import Drawing

DRAWING_TIMEOUT_SECONDS = 120.0
"""A drawing that takes longer than this is given up (the person is told it failed)."""


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

    def __init__(self, timeout: float = DRAWING_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def draw(self, drawing: Drawing) -> bytes:
        with metrics.drawing():
            return self._worker().submit(_draw, drawing).result(timeout=self.timeout)

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


def _draw(drawing: Drawing) -> bytes:
    return drawing.draw()


def drawn(content: bytes | Drawing, drawer: Drawer) -> bytes:
    """A file's bytes, drawn first if they are still to be drawn."""
    return content if isinstance(content, bytes) else drawer.draw(content)
