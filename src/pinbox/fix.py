"""Applying fixes: text edits applied right to left on the original text, never overlapping.

Comments and layout survive because only the edited spans change. Fixes are applied in passes
(re-checking in between) until nothing changes, so fixing twice equals fixing once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from pinbox.rules.model import Edit, Finding


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, int]:
    """Apply the edits that do not overlap an already-applied one; return (text, applied count)."""
    applied = 0
    floor = len(text) + 1
    for edit in sorted(set(edits), key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > floor or edit.start > edit.end:
            continue  # overlaps an edit further right; the next pass will see it again
        text = text[: edit.start] + edit.text + text[edit.end :]
        floor = edit.start
        applied += 1
    return text, applied


def fixable(findings: Iterable[Finding], *, unsafe: bool) -> dict[Path, list[list[Edit]]]:
    """Edits per file from findings whose fix is allowed (one list per fix, applied together)."""
    out: dict[Path, list[list[Edit]]] = {}
    for finding in findings:
        fix = finding.fix
        if fix is None or (not fix.safe and not unsafe):
            continue
        out.setdefault(fix.path or finding.path, []).append(list(fix.edits))
    return out


def apply_fixes(text: str, fixes: list[list[Edit]]) -> str:
    """Apply whole fixes (all of a fix's edits or none), right to left."""
    chosen: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for edits in sorted(fixes, key=lambda es: min((e.start for e in es), default=0), reverse=True):
        spans = [(e.start, e.end) for e in edits]
        if any((s < te and ts < e) or (s == e == ts) for s, e in spans for ts, te in taken):
            continue
        chosen += edits
        taken += spans
    return apply_edits(text, chosen)[0]


def unified_diff(path: Path, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{path.as_posix()}",
            f"b/{path.as_posix()}",
        )
    )
