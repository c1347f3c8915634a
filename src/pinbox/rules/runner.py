"""Run the selected rules over a project, then apply per-file and inline ignores.

Inline ignores (`# pinbox: ignore[rule-name]` on the line or the line above) are applied after
the rules run, and an ignore that suppressed nothing is itself reported (`unused-ignore`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.record import dataclass
from pinbox.rules import registry
from pinbox.rules.context import Project
from pinbox.rules.meta import UNUSED_IGNORE
from pinbox.rules.model import Finding, Rule
from pinbox.textpos import lines

_IGNORE = re.compile(r"#\s*pinbox:\s*ignore\[([^\]]*)\]")


@dataclass(eq=False)
class _Ignore:
    """An inline `# pinbox: ignore[...]` comment, and whether a finding used it."""

    path: Path
    line: int
    col: int
    tokens: tuple[str, ...]
    used: bool = False


def _inline_ignores(path: Path, text: str) -> list[_Ignore]:
    found = []
    for number, line in enumerate(lines(text), 1):
        for match in _IGNORE.finditer(line):
            tokens = tuple(t.strip() for t in match.group(1).split(",") if t.strip())
            found.append(_Ignore(path, number, match.start() + 1, tokens))
    return found


def _texts(project: Project) -> dict[Path, str]:
    texts = project.texts()
    for path in project.dockerignores:  # a comment line there is harmless to Docker
        try:
            texts[path] = read_text(path, what=".dockerignore")
        except PinboxError:
            continue  # a folder, a dangling link, a FIFO: context-bloat says what it can
    return texts


def _ignored_rules(path: Path, project: Project) -> list[str]:
    """The selectors per-file-ignores applies to one file."""
    try:
        rel = path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    return [
        token
        for pattern, tokens in project.config.check.per_file_ignores
        if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(path.name, pattern)
        for token in tokens
    ]


def run(project: Project, rules: Iterable[Rule]) -> list[Finding]:
    """Findings of `rules` on `project`, ignores applied, sorted by file and position."""
    chosen = list(rules)
    findings = [f for rule in chosen for f in rule.check(project)]
    if project.config.check.per_file_ignores:
        ignored = {path: _ignored_rules(path, project) for path in {f.path for f in findings}}
        findings = [
            f
            for f in findings
            if not any(registry.matches(registry.BY_CODE[f.code], t) for t in ignored[f.path])
        ]
    ignores = {path: _inline_ignores(path, text) for path, text in _texts(project).items()}
    kept: list[Finding] = []
    for finding in findings:
        rule = registry.BY_CODE[finding.code]
        matched = [
            ig
            for ig in ignores.get(finding.path, ())
            if ig.line in (finding.line, finding.line - 1, (finding.first_line or finding.line) - 1)
            and any(registry.matches(rule, t) for t in ig.tokens)
        ]
        for ig in matched:
            ig.used = True
        if not matched:
            kept.append(finding)
    if UNUSED_IGNORE in chosen:
        for ig in (ig for group in ignores.values() for ig in group if not ig.used):
            names = ", ".join(ig.tokens) or "nothing"
            kept.append(
                UNUSED_IGNORE.finding(
                    ig.path, ig.line, f"`ignore[{names}]` suppresses nothing here", col=ig.col
                )
            )
    return sorted(kept, key=Finding.sort_key)
