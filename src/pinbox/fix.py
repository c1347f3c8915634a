"""Applying fixes without ever damaging a file.

Edits are offsets into the exact text the rules read (CRLF, BOM-less, tabs and all), applied
right to left, whole fixes at a time, never overlapping. Fixes run in passes, re-checking in
between, until nothing changes, so fixing twice equals fixing once. Like black's safe mode,
every pass is verified before anything is written: the edited words must be exactly the words
the fixes remove and insert (a fix that merges or splits a neighbouring word is refused), every
edited file must still parse, and the finding each fix was for must be gone. A failed check is
an error naming the rule and line, and nothing is written.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.record import Record
from pinbox.rules.model import Edit, Finding
from pinbox.textpos import lines_with_endings

MAX_PASSES = 8
# what separates words for the word check: blanks, quotes, JSON punctuation, `=` and shell operators
_WORD = r"""[^\s"'`,\[\]=\\;&|()<>]+"""


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


def fixable(findings: Iterable[Finding], *, unsafe: bool) -> dict[Path, list[Finding]]:
    """Findings with an allowed fix, by the file the fix edits."""
    out: dict[Path, list[Finding]] = {}
    for finding in findings:
        fix = finding.fix
        if fix is not None and fix.edits and (fix.safe or unsafe):
            out.setdefault(fix.path or finding.path, []).append(finding)
    return out


def choose(findings: list[Finding]) -> list[Finding]:
    """Findings whose fixes can be applied together: whole fixes, right to left, none overlapping."""
    chosen: list[Finding] = []
    taken: list[tuple[int, int]] = []  # sorted
    longest = 0  # the longest taken span: no taken span starting further left can reach an edit
    ordered = sorted(findings, key=lambda f: min(e.start for e in f.fix.edits), reverse=True)  # type: ignore[union-attr]
    for finding in ordered:
        spans = [(e.start, e.end) for e in finding.fix.edits]  # type: ignore[union-attr]
        if any(_collides(s, e, taken, longest) for s, e in spans):
            continue
        chosen.append(finding)
        for span in spans:
            insort(taken, span)
            longest = max(longest, span[1] - span[0])
    return chosen


def _collides(s: int, e: int, taken: list[tuple[int, int]], longest: int) -> bool:
    """Does the span s..e overlap a taken span, or insert where one starts?"""
    near = taken[bisect_left(taken, (s - longest,)) : bisect_left(taken, (max(e, s + 1),))]
    return any((s < te and ts < e) or (s == e == ts) for ts, te in near)


def edits_of(findings: list[Finding]) -> list[Edit]:
    return [e for f in findings for e in (f.fix.edits if f.fix else ())]


def apply_fixes(text: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    """Apply the fixes that fit together; return the text and the findings whose fix was applied."""
    chosen = choose(findings)
    return apply_edits(text, edits_of(chosen))[0], chosen


def words(text: str) -> Counter[str]:
    return Counter(re.findall(_WORD, text))


def changes_only_its_words(before: str, after: str, edits: list[Edit]) -> bool:
    """True when the words of `after` are those of `before`, less the words of the replaced spans,
    plus the words of the inserted texts: no word beside an edit was merged, split or cut."""
    removed = sum((words(before[e.start : e.end]) for e in edits), Counter[str]())
    inserted = sum((words(e.text) for e in edits), Counter[str]())
    expected = words(before)
    expected.subtract(removed)
    expected.update(inserted)
    return +expected == words(after) and not any(v < 0 for v in expected.values())


def _refuse(finding: Finding, why: str) -> PinboxError:
    return PinboxError(
        f"the fix of {finding.code} {finding.name} at line {finding.line} {why}; nothing was written",
        path=finding.path,
        line=finding.line,
        hint=f"please report it; meanwhile check without --fix, or skip it with --ignore {finding.name}",
    )


class Fixed(Record):
    """The outcome of fixing: the last findings, and each changed file's original and fixed text."""

    findings: list[Finding]
    changes: dict[Path, tuple[str, str]]
    broken: set[Path]


Check = Callable[[dict[Path, str]], tuple[list[Finding], set[Path]]]


def fix(findings: list[Finding], texts: dict[Path, str], check: Check, *, unsafe: bool) -> Fixed:
    """Fix in verified passes. `texts` holds each file's text as the rules read it; `check(overlay)`
    re-checks the project with edited texts and returns (findings, files that no longer parse)."""
    edited: dict[Path, str] = {}
    broken: set[Path] = set()
    for _ in range(MAX_PASSES):
        applied: dict[Path, list[Finding]] = {}
        for path, candidates in fixable(findings, unsafe=unsafe).items():
            before = edited.get(path, texts.get(path))
            if before is None:
                continue  # not a file the check read (or it does not parse): never modified
            after, chosen = apply_fixes(before, candidates)
            if after == before:
                continue
            if not changes_only_its_words(before, after, edits_of(chosen)):
                raise _refuse(_culprit(before, chosen), "would change words it was not meant to change")
            edited[path], applied[path] = after, chosen
        if not applied:
            break
        after_findings, broken = check(edited)
        _verify(findings, after_findings, applied, broken)
        findings = after_findings
    changes = {p: (texts[p], t) for p, t in edited.items() if t != texts[p]}
    return Fixed(findings, changes, broken)


def _culprit(before: str, chosen: list[Finding]) -> Finding:
    """The fix that damages words on its own (else the first)."""
    for finding in chosen:
        if not changes_only_its_words(before, apply_fixes(before, [finding])[0], edits_of([finding])):
            return finding
    return chosen[0]


def _verify(
    before: list[Finding], after: list[Finding], applied: dict[Path, list[Finding]], broken: set[Path]
) -> None:
    """Every edited file still parses, and each fixed finding is gone: per file and rule, no more
    findings are left than there were less those fixed."""
    same, left = Counter(map(_rule_in_file, before)), Counter(map(_rule_in_file, after))
    done = Counter(_rule_in_file(f) for fixed in applied.values() for f in fixed)
    for path, fixed in applied.items():
        if path in broken:
            raise _refuse(fixed[0], "would leave a file that does not parse")
        for finding in fixed:
            key = _rule_in_file(finding)
            if left[key] > same[key] - done[key]:
                raise _refuse(finding, "does not remove the finding it is for")


def _rule_in_file(finding: Finding) -> tuple[Path, str]:
    return finding.path, finding.code


def unified_diff(path: Path, before: str, after: str) -> str:
    import difflib  # only when an error suggests a name or a diff is shown

    return "".join(
        difflib.unified_diff(
            lines_with_endings(before),
            lines_with_endings(after),
            f"a/{path.as_posix().lstrip('/')}",
            f"b/{path.as_posix().lstrip('/')}",
        )
    )
