"""`path:line:col: CODE rule-name message`, like ruff."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pinbox.paths import shown
from pinbox.rules.model import Finding


def line(finding: Finding) -> str:
    mark = ""
    if finding.fix is not None:
        mark = " [*]" if finding.fix.safe else " [unsafe fix]"
    return (
        f"{shown(finding.path)}:{finding.line}:{finding.col}: {finding.code} "
        f"{finding.name} {finding.message}{mark}"
    )


def render(findings: Sequence[Finding]) -> str:
    return "".join(line(f) + "\n" for f in findings)


def summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "All checks passed."
    safe = sum(1 for f in findings if f.fix and f.fix.safe)
    unsafe = sum(1 for f in findings if f.fix and not f.fix.safe)
    text = f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}."
    if safe:
        text += f"\n[*] {safe} fixable with `pinbox check --fix`."
    if unsafe:
        text += f"\n{unsafe} more fixable with `--fix --unsafe-fixes`."
    return text


def statistics(findings: Sequence[Finding]) -> str:
    counts = Counter((f.code, f.name) for f in findings)
    fixable = {(f.code, f.name) for f in findings if f.fix}
    return "".join(
        f"{count:5d}  {code:6s} {name}{'  [*]' if (code, name) in fixable else ''}\n"
        for (code, name), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
