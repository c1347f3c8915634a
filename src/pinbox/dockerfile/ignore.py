"""`.dockerignore` matching as Docker does it.

Matching follows moby/patternmatcher, which BuildKit uses: patterns are cleaned like paths and
anchored at the context root (`foo` is only ./foo; `**/foo` is foo anywhere), `*` and `?` stop at
`/`, `**` spans folders, a pattern matching a folder matches everything in it, and the last
matching pattern wins, so a `!` pattern re-includes what an earlier one excluded.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

_ESCAPED = frozenset(".+()|{}$")


@dataclass(frozen=True)
class Pattern:
    """One cleaned .dockerignore pattern; `negated` for `!pattern` (re-include)."""

    text: str
    negated: bool = False
    regex: re.Pattern[str] | None = None  # None: invalid, matches nothing

    def matches(self, path: str) -> bool:
        return self.regex is not None and self.regex.fullmatch(path) is not None


def _translate(pattern: str) -> str:
    """moby's translation: exact, prefix (`a/**`), suffix (`**/a`) or a regex, as one regex."""
    regex, kind, i, step = "", "exact", 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 3 if pattern.startswith("**/", i) else 2
            if i >= len(pattern):
                kind, regex = ("prefix", regex) if kind == "exact" else ("regex", regex + ".*")
            else:
                kind, regex = "regex", regex + "(.*/)?"
            kind = "suffix" if step == 0 else kind
            step += 1
            continue
        if ch in "*?[]":
            kind, regex = "regex", regex + {"*": "[^/]*", "?": "[^/]"}.get(ch, ch)
        elif ch == "\\" and i + 1 < len(pattern):
            kind, regex, i = "regex", regex + "\\" + pattern[i + 1], i + 1
        else:
            regex += "\\" + ch if ch in _ESCAPED or ch == "\\" else ch
        i, step = i + 1, step + 1
    if kind == "exact":
        return re.escape(pattern)
    if kind == "prefix":
        return re.escape(pattern[:-2]) + "(?s:.*)"
    if kind == "suffix":
        tail = pattern[2:]
        return "(?s:.*/)?" + re.escape(tail[1:]) if tail.startswith("/") else "(?s:.*)" + re.escape(tail)
    return regex


def compile_pattern(text: str, negated: bool = False) -> Pattern:
    try:
        return Pattern(text, negated, re.compile(_translate(text)))
    except re.error:
        return Pattern(text, negated)


def _clean(pattern: str) -> str:
    """Go's filepath.Clean, then a leading `/` dropped: `/data/` and `./data` are `data`."""
    cleaned = posixpath.normpath(pattern)
    cleaned = "/" + cleaned.lstrip("/") if cleaned.startswith("/") else cleaned
    return cleaned[1:] if len(cleaned) > 1 and cleaned.startswith("/") else cleaned


@dataclass(frozen=True)
class DockerIgnore:
    patterns: tuple[Pattern, ...] = ()

    def hits(self, path: str, above: tuple[bool, ...] | None = None) -> tuple[bool, ...]:
        """Per pattern: does it match `path` or a folder above it (`above`: that folder's hits)."""
        if above is None:
            head = posixpath.dirname(path)
            above = self.hits(head) if head and head != path else tuple(False for _ in self.patterns)
        return tuple(hit or p.matches(path) for p, hit in zip(self.patterns, above, strict=True))

    def decide(self, hits: tuple[bool, ...]) -> bool:
        """Excluded? The last pattern that matches wins (moby's MatchesOrParentMatches)."""
        excluded = False
        for pattern, hit in zip(self.patterns, hits, strict=True):
            if hit and pattern.negated == excluded:
                excluded = not pattern.negated
        return excluded

    def excludes(self, path: str) -> bool:
        """Is `path` (relative to the context, `/`-separated) left out of the build context?"""
        path = posixpath.normpath(path).lstrip("/")  # context paths are relative; `/x` is `x`
        return path not in (".", "") and self.decide(self.hits(path))

    def may_reinclude(self, folder: str) -> bool:
        """Could a `!` pattern re-include something below an excluded `folder`?"""
        depth = folder.count("/") + 1
        for pattern in (p for p in self.patterns if p.negated):
            parts = pattern.text.split("/")
            if "**" in pattern.text or (
                len(parts) > depth and compile_pattern("/".join(parts[:depth])).matches(folder)
            ):
                return True
        return False


def parse_dockerignore(text: str) -> DockerIgnore:
    """Patterns of a .dockerignore: `#` comments only at the start of a line, blank lines skipped."""
    patterns: list[Pattern] = []
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        line = raw.strip()
        negated = line.startswith("!")
        line = line[1:].strip() if negated else line
        if line:
            patterns.append(compile_pattern(_clean(line), negated))
    return DockerIgnore(tuple(patterns))
