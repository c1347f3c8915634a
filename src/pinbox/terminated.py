"""The exception SIGTERM raises. Its own module, with no imports, so that the console script can
hold it before its handler is installed: a handler that imported it could land in the middle of
the very import it needs (seen at 30 ms after start)."""


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like KeyboardInterrupt, so cleanup code still runs)."""
