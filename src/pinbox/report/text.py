"""`path:line:col: CODE rule-name message`, like ruff; on a terminal with the source line and a
caret under the column, in colour when colour is on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from pinbox.paths import shown
from pinbox.rules.model import Finding
from pinbox.textpos import line_text
from pinbox.ui import paint

TAB = 4


def line(finding: Finding, color: bool = False) -> str:
    mark = ""
    if finding.fix is not None:
        mark = " [*]" if finding.fix.safe else " [unsafe fix]"
    where = paint(f"{shown(finding.path)}:{finding.line}:{finding.col}:", "bold", color)
    code = paint(finding.code, "bold red", color)
    return f"{where} {code} {paint(finding.name, 'dim', color)} {finding.message}{paint(mark, 'cyan', color)}"


def render(findings: Sequence[Finding], color: bool = False) -> str:
    return "".join(line(f, color) + "\n" for f in findings)


def frame(finding: Finding, text: str, color: bool) -> str:
    """The finding's source line with a caret under its column."""
    source = line_text(text, finding.line)
    if not source.strip():
        return ""
    number = str(finding.line)
    gutter = paint(" " * len(number) + " |", "blue", color)
    shown_line = source.expandtabs(TAB)
    caret = " " * len(source[: finding.col - 1].expandtabs(TAB)) + paint("^", "bold red", color)
    numbered = paint(f"{number} |", "blue", color)
    return f"{gutter}\n{numbered} {shown_line}\n{gutter} {caret}\n"


def render_full(findings: Sequence[Finding], texts: Mapping[Path, str], color: bool) -> str:
    """Each finding's line, then its source line and a caret (the terminal form)."""
    out = []
    for finding in findings:
        text = texts.get(finding.path)
        out.append(line(finding, color) + "\n" + (frame(finding, text, color) if text else "") + "\n")
    return "".join(out)


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
