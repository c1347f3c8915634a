"""Output: results on stdout, messages and progress on stderr; colour and spinners on terminals only."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from rich.console import Console


@dataclass
class UI:
    """How chatty to be. Created once by the CLI; commands receive it."""

    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    out: Console = None  # type: ignore[assignment]
    err: Console = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        no_color = bool(os.environ.get("NO_COLOR"))
        if self.out is None:
            self.out = Console(highlight=False, no_color=no_color, soft_wrap=True)
        if self.err is None:
            self.err = Console(stderr=True, highlight=False, no_color=no_color, soft_wrap=True)

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(message, markup=False)

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            self.err.print(message, markup=False, style="dim")

    def warn(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(f"warning: {message}", markup=False, style="yellow")

    def result(self, text: str) -> None:
        """Primary output (stdout), printed even when quiet."""
        self.out.print(text, markup=False)

    @contextlib.contextmanager
    def spinner(self, message: str) -> Iterator[None]:
        """A spinner on a terminal; a plain line when verbose elsewhere; nothing otherwise."""
        if self.verbosity >= 0 and self.err.is_terminal:
            with self.err.status(message):
                yield
        else:
            self.detail(message)
            yield
