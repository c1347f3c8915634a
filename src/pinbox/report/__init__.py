"""Formatters: one module per output format, each `render(findings) -> str`, imported only for the
format asked for. Paths are shown as `pinbox.paths.shown` prints them: relative to the current
directory."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads FORMATS at start-up: nothing heavy loads for it
    from pinbox.rules.model import Finding

Formatter = Callable[[Sequence["Finding"]], str]
_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github"}
FORMATS = tuple(_MODULES)  # the names `--format` takes


def formatter(name: str) -> Formatter:
    """The `render` function of an output format."""
    render: Formatter = importlib.import_module(f"pinbox.report.{_MODULES[name]}").render
    return render
