"""The `pinbox` console script: signals handled from the first moment, before anything heavy loads.

Ctrl-C at any moment exits 130 and SIGTERM 143, with no traceback: both raise inside the running
code, so `with` blocks remove temporary folders and terminate child processes on the way out.
"""

from __future__ import annotations

import os
import signal
import sys

from pinbox.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated


def _terminate(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough; cleanup must not be cut short
    raise Terminated


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from pinbox.cli import main as run

        code = run()
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Terminated:
        code = EXIT_TERMINATED
    try:
        sys.stdout.flush()
    except OSError:  # a closed pipe: nothing more can be said there
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":
    sys.exit(main())
