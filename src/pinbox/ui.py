"""Output: results on stdout, messages and progress on stderr; colour and spinners on terminals only.

rich is loaded only when stderr or stdout is a terminal: piped and CI output is plain text, and
start-up stays fast for the single-file runs pre-commit makes.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any


def _plain(stream: IO[str], text: str) -> None:
    stream.write(text + "\n")
    stream.flush()


@dataclass
class UI:
    """How chatty to be. Created once by the CLI; commands receive it."""

    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    _consoles: dict[str, Any] = field(default_factory=dict, repr=False)

    def _console(self, stream: IO[str]) -> Any | None:
        """A rich Console for a terminal stream (None when the stream is not a terminal)."""
        if not stream.isatty():
            return None
        key = "err" if stream is sys.stderr else "out"
        if key not in self._consoles:
            from rich.console import Console

            self._consoles[key] = Console(
                file=stream, highlight=False, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=True
            )
        return self._consoles[key]

    def _say(self, stream: IO[str], text: str, style: str | None = None) -> None:
        console = self._console(stream)
        if console is None:
            _plain(stream, text)
        else:
            console.print(text, markup=False, style=style)

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
        self._say(sys.stderr, f"error: {message}", "red")

    def result(self, text: str) -> None:
        """Primary output (stdout), printed even when quiet."""
        self._say(sys.stdout, text)

    @contextlib.contextmanager
    def spinner(self, message: str) -> Iterator[None]:
        """A spinner on a terminal; a plain line when verbose elsewhere; nothing otherwise."""
        console = self._console(sys.stderr) if self.verbosity >= 0 else None
        if console is not None:
            with console.status(message):
                yield
        else:
            self.detail(message)
            yield
