"""GitHub Actions workflow commands: one `::warning file=…,line=…::` annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence

from pinbox.paths import shown
from pinbox.rules.model import Finding, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def render(findings: Sequence[Finding]) -> str:
    return "".join(
        f"::{_LEVEL[f.severity]} title={_escape(f'{f.code} {f.name}', prop=True)},"
        f"file={_escape(shown(f.path), prop=True)},line={f.line},col={f.col}::"
        f"{_escape(f.message)}\n"
        for f in findings
    )
