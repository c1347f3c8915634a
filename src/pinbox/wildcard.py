"""`*` wildcards: the one pattern syntax of pinbox's data tables (image references, program and
package names). Every other character, `?` and `[` included, stands for itself.

fnmatch compiles each pattern to a regular expression the first time it sees it (~0.1 ms each);
the tables hold dozens, and a one-file `pinbox check` would spend ~5 ms of its start-up on them.
Patterns users write (per-file-ignores, COPY sources) keep fnmatch's full syntax.
"""

from __future__ import annotations

from collections.abc import Iterable


def matches(text: str, pattern: str) -> bool:
    """Does `text` match `pattern`, where `*` stands for any run of characters (case-sensitive)?"""
    first, *middle, last = pattern.split("*") if "*" in pattern else (pattern, None)
    if last is None:
        return text == pattern
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    at = len(first)
    for part in middle:  # leftmost placement of each part leaves the most room for the rest
        found = text.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True


def first_match(text: str, patterns: Iterable[str]) -> str | None:
    """The first of `patterns` that `text` matches, or None."""
    return next((p for p in patterns if matches(text, p)), None)
