"""Ctrl-C and SIGTERM held back while C code runs that cannot take an exception mid-call.

pinbox's handlers raise (KeyboardInterrupt, Terminated) wherever Python happens to be; inside
BuildKit's parser, a C extension that builds Python objects from Go, that exception surfaced as a
chain of SystemErrors or, under load, a crash (SIGSEGV). The signals are blocked for the length of
such a call and delivered as soon as it returns, so the exit is the usual 130 or 143.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_HELD = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Block SIGINT and SIGTERM for the block (POSIX, main thread); they arrive when it ends."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
