"""Ctrl-C and SIGTERM held back while C code runs that cannot take an exception mid-call.

pinbox's handlers raise (KeyboardInterrupt, Terminated) wherever Python happens to be; inside
BuildKit's parser, a C extension that builds Python objects from Go, that exception surfaced as a
chain of SystemErrors or, under load, a crash (SIGSEGV). For the length of such a call the
handlers only note the signal; when it returns, the noted signal is handled as it would have been.
(Blocking the signal in the OS is not enough: another thread of the process may take it.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Note SIGINT and SIGTERM during the block (main thread only); handle them after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[signal.Signals] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        noted.append(signal.Signals(signum))

    previous = {s: signal.signal(s, note) for s in _HELD}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if noted:
            _deliver(noted[0], previous[noted[0]])


def _deliver(signum: signal.Signals, handler: object) -> None:
    """Handle a noted signal as the handler in place before would have."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signum)
