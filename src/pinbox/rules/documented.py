"""Rules whose summary and doc are data: a `[rule-name]` row of `pinbox/data/<family>_rules.toml`.

Each row has `summary` (one sentence) and `doc` (What it does / Why is this bad? / Example /
Use instead / Fix safety, in Markdown), printed by `pinbox rule NAME`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pinbox.rules.model import Finding, Rule, Severity

if TYPE_CHECKING:
    from pinbox.rules.context import Project


def documented(
    table: str,
    code: str,
    name: str,
    check: Callable[[Project], Iterable[Finding]],
    *,
    fix: str | None = None,
    severity: Severity = Severity.WARNING,
) -> Rule:
    """A rule whose summary and doc are the `name` row of data/<table>.toml."""
    return Rule(code=code, name=name, table=table, check=check, fix=fix, severity=severity)
