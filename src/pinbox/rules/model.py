"""Findings, fixes and rules: immutable values shared by every rule family and formatter."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox.record import Record

if TYPE_CHECKING:
    from pinbox.rules.context import Project


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Edit(Record):
    """Replace text[start:end] of one file with `text` (offsets into the file as read)."""

    start: int
    end: int
    text: str


class Fix(Record):
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True
    path: Path | None = None  # the file the edits apply to, when not the finding's own


class Finding(Record):
    path: Path
    line: int  # 1-based
    col: int  # 1-based
    code: str
    name: str
    message: str
    severity: Severity = Severity.WARNING
    fix: Fix | None = None
    end_line: int | None = None
    first_line: int | None = None  # the instruction's first line, when the finding is inside it

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.path), self.line, self.col, self.code)


class Rule(Record):
    """A check with its documentation. `doc` has the sections What it does / Why is this bad? /
    Example / Use instead / Fix safety, in Markdown; both are the rule's row of
    `pinbox/data/<table>.toml`, read only when asked for (checking needs neither)."""

    code: str
    name: str
    table: str
    check: Callable[[Project], Iterable[Finding]]
    fix: str | None = None  # "safe" | "unsafe" | "safe and unsafe" | None
    severity: Severity = Severity.WARNING

    @property
    def summary(self) -> str:
        from pinbox.datafiles import data_table

        return str(data_table(self.table)[self.name]["summary"])

    @property
    def doc(self) -> str:
        from pinbox.datafiles import data_table

        return str(data_table(self.table)[self.name]["doc"])

    def finding(
        self,
        path: Path,
        line: int,
        message: str,
        *,
        col: int = 1,
        fix: Fix | None = None,
        severity: Severity | None = None,
        end_line: int | None = None,
        first_line: int | None = None,
    ) -> Finding:
        """A finding of this rule (code, name and default severity filled in)."""
        severity = severity or self.severity
        return Finding(path, line, col, self.code, self.name, message, severity, fix, end_line, first_line)
