"""Output: results on stdout, messages and progress on stderr, every line redacted.

Colour: `--color always|never|auto` decides; without it, `NO_COLOR` (any value) turns colour off
and `FORCE_COLOR` (any value) on, else colour is on for terminals only. Colour is plain ANSI (no
import at start-up); rich is loaded only for spinners on a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import IO

from pinbox.errors import PinboxError
from pinbox.record import dataclass
from pinbox.redact import redact

COLORS = ("auto", "always", "never")
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


def wants_color(stream: IO[str] | None, choice: str = "auto") -> bool:
    """Whether to colour output on `stream` for `--color choice` and the environment."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return UI.terminal(stream)


def paint(text: str, style: str, on: bool = True) -> str:
    """`text` in ANSI style (`"bold red"`), or as it is when colour is off or the text empty."""
    codes = ";".join(_CODES[word] for word in style.split() if word in _CODES)
    return f"\x1b[{codes}m{text}\x1b[0m" if on and codes and text else text


@dataclass(eq=False)
class UI:
    """How chatty and colourful to be. Created once by the CLI; commands receive it."""

    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    color: str = "auto"  # auto | always | never

    @staticmethod
    def terminal(stream: IO[str] | None) -> bool:
        """Is `stream` an open terminal?"""
        try:
            return stream is not None and stream.isatty()
        except (AttributeError, ValueError):
            return False

    def colored(self, stream: IO[str] | None = None) -> bool:
        return wants_color(stream or sys.stdout, self.color)

    def _say(self, stream: IO[str] | None, text: str, style: str | None = None) -> None:
        name = "standard output" if stream is sys.stdout else "standard error"
        if stream is None:  # the process was started with that descriptor closed
            raise PinboxError(f"cannot write to {name}: it is closed")
        text = redact(text)
        if style and wants_color(stream, self.color):
            first, sep, rest = text.partition("\n")  # colour stays on the first line, never on hints
            text = paint(first, style) + sep + rest
        try:
            stream.write(text + "\n")
            stream.flush()
        except OSError as exc:  # a closed pipe, /dev/full: one line and exit 2, not a traceback
            raise PinboxError(f"cannot write to {name}: {exc.strerror or exc}") from None

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._say(sys.stderr, message)

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            self._say(sys.stderr, message, "dim")

    def warn(self, message: str) -> None:
        if self.verbosity >= 0:
            self._say(sys.stderr, f"warning: {message}", "yellow")

    def error(self, message: str) -> None:
        self._say(sys.stderr, f"error: {message}", "bold red")

    def result(self, text: str) -> None:
        """Primary output (stdout), printed even when quiet; `text` may hold ANSI colour already."""
        self._say(sys.stdout, text)

    @contextlib.contextmanager
    def spinner(self, message: str) -> Iterator[None]:
        """A spinner on a terminal; a plain line when verbose elsewhere; nothing otherwise."""
        if self.verbosity < 0 or not self.terminal(sys.stderr):
            self.detail(message)
            yield
            return
        from rich.console import Console

        console = Console(file=sys.stderr, highlight=False, no_color=not self.colored(sys.stderr))
        with console.status(redact(message)):
            yield
