"""The one error type pinbox shows to users, and its exit codes."""

from __future__ import annotations

from pathlib import Path

from pinbox.terminated import Terminated

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "PinboxError",
    "Terminated",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class PinboxError(Exception):
    """A failure the user can act on: a message, an exit code and, when known, where.

    `line` and `col` are 1-based. When `source` (the text of the offending line) is given,
    the rendered message shows it with a caret under column `col`.
    """

    def __init__(
        self,
        message: str,
        *,
        exit_code: int = EXIT_USAGE,
        path: Path | str | None = None,
        line: int | None = None,
        col: int | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.path = Path(path) if path is not None else None
        self.line = line
        self.col = col
        self.source = source
        self.hint = hint

    def location(self) -> str:
        """`path:line:col` for what is known, or an empty string."""
        if self.path is None:
            return ""
        from pinbox.paths import shown

        parts = [shown(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def render(self) -> str:
        """The message as shown on stderr (without the `error:` prefix)."""
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.source is not None:
            shown = self.source.rstrip("\n").expandtabs(1)
            text += f"\n  | {shown}"
            if self.col is not None:
                text += "\n  | " + " " * (max(self.col, 1) - 1) + "^"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()
