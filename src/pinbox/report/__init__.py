"""Formatters: one module per output format, each `render(findings) -> str`. Paths are shown as
`pinbox.paths.shown` prints them: relative to the current directory."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pinbox.report import github, json_format, sarif, text
from pinbox.rules.model import Finding

Formatter = Callable[[Sequence[Finding]], str]
FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}
