"""Formatters: one module per output format, each `render(findings, root) -> str`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pinbox.report import github, json_format, sarif, text
from pinbox.rules.model import Finding

Formatter = Callable[[Sequence[Finding], Path], str]
FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}


def relpath(path: Path, root: Path) -> str:
    """A path as shown to users: relative to the project root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
