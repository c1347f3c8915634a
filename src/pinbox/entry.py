"""The `pinbox` console script: signals handled from the first moment, before anything heavy loads.

Ctrl-C at any moment exits 130 and SIGTERM 143, with no traceback: both raise inside the running
code, so `with` blocks remove temporary folders and terminate child processes on the way out. This
module imports nothing but the standard library's smallest parts, so the window before the
handlers are in place is as short as it can be.
"""

import gc
import os
import signal
import sys

from pinbox.terminated import Terminated  # held before the handler exists (no imports of its own)


def _terminate(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough; cleanup must not be cut short
    raise Terminated


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    # Start-up makes tens of thousands of objects that live until exit (modules, classes, tables):
    # collecting cycles among them is wasted time, so the collector waits until the command's code
    # is loaded (pinbox.cli.Commands turns it back on) ...
    gc.disable()
    try:
        from pinbox.cli import main as run

        code = run()
    except BaseException as exc:  # Ctrl-C or SIGTERM while pinbox.cli was still loading
        from pinbox import errors  # only now: it costs more than the rest of this module's start

        if isinstance(exc, KeyboardInterrupt):
            code = errors.EXIT_INTERRUPTED
        elif isinstance(exc, Terminated):
            code = errors.EXIT_TERMINATED
        else:
            raise
    gc.freeze()  # ... and the collection at exit skips them (~10 ms of a one-file `pinbox check`)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:  # a closed pipe: nothing more can be said there
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":
    sys.exit(main())
