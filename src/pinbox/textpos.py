"""Positions in text: 1-based lines and columns <-> offsets, for findings and fix edits.

One definition of a line for every file pinbox reads: a line ends at `\\n`, and a `\\r` before it
belongs to the line ending. That is how BuildKit, pip's files on disk and editors count lines;
`str.splitlines()` also breaks at `\\r`, `\\f`, `\\x85`, `\\u2028` and others, so it must never be
used to turn text into positions.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)
def line_starts(text: str) -> tuple[int, ...]:
    """Offset of the first character of each line (index 0 is line 1)."""
    starts = [0]
    find = text.find
    at = find("\n")
    while at != -1:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return tuple(starts)


def lines(text: str) -> list[str]:
    """The lines of `text` without their endings (`\\n` or `\\r\\n`); no empty last line for a final
    newline."""
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    return [line[:-1] if line.endswith("\r") else line for line in out]


def lines_with_endings(text: str) -> list[str]:
    """The lines of `text`, each with its own ending (for diffs that keep `\r\n` as it was)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def line_text(text: str, line: int) -> str:
    """Line `line` (1-based) without its ending; empty past the end."""
    starts = line_starts(text)
    if not 1 <= line <= len(starts):
        return ""
    end = starts[line] - 1 if line < len(starts) else len(text)
    return text[starts[line - 1] : end].removesuffix("\r")


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


def newline_of(text: str) -> str:
    """The line ending the text mostly uses (`\\r\\n` or `\\n`), for lines a fix inserts."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
