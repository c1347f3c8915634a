"""Positions in text: 1-based lines and columns <-> offsets, for findings and fix edits."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=64)
def line_starts(text: str) -> tuple[int, ...]:
    """Offset of the first character of each line (index 0 is line 1)."""
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n":
            starts.append(i + 1)
    return tuple(starts)


def offset(text: str, line: int, col: int = 1) -> int:
    """Offset of 1-based (line, col); past-the-end lines map to len(text)."""
    starts = line_starts(text)
    if line > len(starts):
        return len(text)
    return min(starts[line - 1] + col - 1, len(text))


def line_span(text: str, first: int, last: int) -> tuple[int, int]:
    """(start, end) offsets covering lines first..last inclusive, including the final newline."""
    starts = line_starts(text)
    start = starts[first - 1] if first <= len(starts) else len(text)
    end = starts[last] if last < len(starts) else len(text)
    return start, end


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, col) of an offset."""
    starts = line_starts(text)
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= index:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, index - starts[lo] + 1
