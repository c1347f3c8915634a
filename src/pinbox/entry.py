"""The `pinbox` console script: signals handled from the first moment, before anything heavy loads.

Ctrl-C at any moment exits 130 and SIGTERM 143, with no traceback: both raise inside the running
code, so `with` blocks remove temporary folders and terminate child processes on the way out. This
module imports nothing but the standard library's smallest parts, so the window before the
handlers are in place is as short as it can be.
"""

import os
import signal
import sys

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def _terminate(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough; cleanup must not be cut short
    from pinbox.errors import Terminated

    raise Terminated


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from pinbox.cli import main as run

        code = run()
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BaseException as exc:  # Terminated, while pinbox.cli was still loading
        if type(exc).__name__ != "Terminated":
            raise
        code = EXIT_TERMINATED
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:  # a closed pipe: nothing more can be said there
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":
    sys.exit(main())
