"""An executor that runs Bolt listeners on the calling thread.

With it, `App.dispatch` returns only after the listener (and its Web API calls) finished,
so a test can assert on the emulator right after the driver's request: no sleeps, no
polling. Production keeps Bolt's thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


class InlineExecutor(Executor):
    """`submit` runs the function now and returns its completed future."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future
