"""Work on many wheels side by side, on daemon threads.

Daemon threads, not a ThreadPoolExecutor: on Ctrl-C or SIGTERM, a request still waiting on the
network never holds up pinbox's exit (an executor's threads are joined at interpreter exit, each
up to its request timeout). Each thread runs under the path policy of the thread that started
the work (`pinbox.paths.in_scope`). An exception in a worker is raised by
`wait()` in the caller, never a hang.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from pinbox.paths import in_scope

T = TypeVar("T")
R = TypeVar("R")


class Pending(Generic[T, R]):
    """`fn` over `items`, started now on at most `workers` threads; `wait()` gives the results in
    the order of `items`."""

    def __init__(self, fn: Callable[[T], R], items: Iterable[T], workers: int) -> None:
        self._fn = fn
        self._items = list(items)
        self._next = 0
        self._results: dict[int, R] = {}
        self._crash: BaseException | None = None
        self._done = threading.Condition()
        work = in_scope(self._work)
        for _ in range(min(workers, len(self._items))):
            threading.Thread(target=work, daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._done:
                if self._crash is not None or self._next >= len(self._items):
                    return
                index, self._next = self._next, self._next + 1
            try:
                result = self._fn(self._items[index])
            except BaseException as exc:  # a bug: raised in the caller by wait()
                with self._done:
                    self._crash = self._crash or exc
                    self._done.notify_all()
                return
            with self._done:
                self._results[index] = result
                self._done.notify_all()

    def wait(self) -> list[R]:
        with self._done:
            while len(self._results) < len(self._items) and self._crash is None:
                self._done.wait()
            if self._crash is not None:
                raise self._crash
            return [self._results[i] for i in range(len(self._items))]
