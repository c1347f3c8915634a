"""Rules about the check itself: files that do not parse, ignores that suppress nothing.
Summaries and docs are in data/meta_rules.toml."""

from __future__ import annotations

from collections.abc import Iterator

from pinbox.rules.context import Project
from pinbox.rules.documented import documented
from pinbox.rules.model import Finding, Severity


def _parse_errors(project: Project) -> Iterator[Finding]:
    for failure in project.failures:
        error = failure.error
        yield PARSE_ERROR.finding(failure.path, error.line or 1, error.message, col=error.col or 1)


def _nothing(project: Project) -> Iterator[Finding]:
    return iter(())  # reported by the runner, which alone knows what each ignore suppressed


_TABLE = "meta_rules"  # data/meta_rules.toml
PARSE_ERROR = documented(_TABLE, "PB001", "parse-error", _parse_errors, severity=Severity.ERROR)
UNUSED_IGNORE = documented(_TABLE, "PB002", "unused-ignore", _nothing)

RULES = (PARSE_ERROR, UNUSED_IGNORE)
