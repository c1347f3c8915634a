"""The text a shell runs for a RUN instruction, with the file offset of every character.

BuildKit joins an instruction's lines before the shell sees them: the escape character at the end
of a line continues it (`\\`, or the backtick under `# escape=```), comment lines and blank lines
inside a continued instruction are dropped, `\\r\\n` counts as `\\n`. This module rebuilds that
text from the file while remembering where each character came from, so findings point at the
right line and column and fixes edit the file's exact bytes. The result is checked against what
BuildKit's own parser produced; where they differ, positions are marked inexact and no fix is
offered.
"""

from __future__ import annotations

import re

from pinbox.dockerfile.model import Instruction
from pinbox.record import Record
from pinbox.textpos import line_starts, line_text

_WS = " \t\v\f\r"


class Source(Record):
    """Text with the file offset of each character; `exact` False when positions are a guess."""

    text: str
    offsets: tuple[int, ...]
    end: int  # file offset just past the last character
    exact: bool = True

    def at(self, index: int) -> int:
        """File offset of character `index` (`len(text)` maps to `end`)."""
        return self.offsets[index] if index < len(self.offsets) else self.end

    @classmethod
    def inexact(cls, text: str, where: int) -> Source:
        """Text whose characters all stand at `where` (the instruction's start)."""
        return cls(text, (where,) * len(text), where, exact=False)


def _continuation(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    return re.compile(rf"(?:(?<=[^{e}])|^){e}[ \t]*$")


def logical_line(text: str, ins: Instruction, escape: str) -> tuple[Source, int]:
    """The instruction's joined line (keyword included) and the last physical line it used."""
    pattern = _continuation(escape)
    chars: list[str] = []
    offsets: list[int] = []
    starts = line_starts(text)
    number, total = ins.line, len(starts)
    first = True
    while number <= total:
        start = starts[number - 1]
        body = line_text(text, number).rstrip("\r")  # every `\r` before the line's end goes
        end = start + len(body)
        number += 1
        stripped = body.lstrip()
        if not first and (not stripped or stripped.startswith("#")):
            continue  # BuildKit drops blank and comment lines inside a continued instruction
        if first:
            start, body = start + len(body) - len(stripped), stripped
        found = pattern.search(body)
        stop = start + found.start() if found else end
        chars.append(text[start:stop])
        offsets.extend(range(start, stop))
        first = False
        if not found:
            break
    joined = "".join(chars)
    return Source(joined, tuple(offsets), offsets[-1] + 1 if offsets else 0), number - 1


def _skip_word(text: str, i: int) -> int:
    """Index after the flag word starting at `i` (quotes and backslashes as BuildKit reads them)."""
    quote = ""
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch.isspace():
            return i
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            i += 1
        i += 1
    return i


def _skip_blank(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def command_source(text: str, ins: Instruction, escape: str) -> tuple[Source, int]:
    """The shell command of a RUN (or ONBUILD RUN): after the keyword and `--flags`, as BuildKit
    passes it on; and the last physical line of the instruction's command part."""
    line, last = logical_line(text, ins, escape)
    body = line.text
    i = 0
    for _keyword in range(2 if ins.cmd == "ONBUILD" else 1):
        i = _skip_blank(body, i)
        while i < len(body) and body[i] not in _WS:
            i += 1
    i = _skip_blank(body, i)
    while body.startswith("--", i):
        end = _skip_word(body, i)
        word, i = body[i:end], _skip_blank(body, end)
        if word == "--":
            break
    end = len(body.rstrip())
    source = Source(body[i:end], line.offsets[i:end], line.at(end))
    expected = ins.value[0] if ins.value and not ins.json else None
    if expected is not None and source.text != expected:
        where = line.offsets[0] if line.offsets else 0
        return Source.inexact(" ".join(ins.value), where), last
    return source, last


def heredoc_sources(text: str, ins: Instruction, last: int) -> list[Source]:
    """The bodies of the instruction's heredocs, in order, located after line `last`."""
    out: list[Source] = []
    starts = line_starts(text)
    number = last + 1
    for body in ins.heredocs:
        count = body.count("\n")
        if number > len(starts):
            out.append(Source.inexact(body, starts[ins.line - 1]))
            continue
        start = starts[number - 1]
        found = text[start : start + len(body)]
        if found == body:
            out.append(Source(body, tuple(range(start, start + len(body))), start + len(body)))
        else:
            out.append(Source.inexact(body, starts[ins.line - 1]))
        number += count + 1  # the body's lines, then the terminator line
    return out


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def json_strings(source: Source) -> list[tuple[str, tuple[int, ...], int, int]] | None:
    """(value, file offset of each character, raw start, raw end) of each string of a JSON array
    (exec form), or None when the text is not one."""
    text, i, out = source.text, _skip_blank(source.text, 0), []
    if not text.startswith("[", i):
        return None
    i = _skip_blank(text, i + 1)
    while i < len(text) and text[i] == '"':
        start, chars, offsets = i, [], []
        i += 1
        while i < len(text) and text[i] != '"':
            offsets.append(source.at(i))
            if text[i] == "\\":
                code = text[i + 1 : i + 2]
                if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                    chars.append(chr(int(text[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                if code not in _JSON_ESCAPES:
                    return None
                chars.append(_JSON_ESCAPES[code])
                i += 2
                continue
            chars.append(text[i])
            i += 1
        if i >= len(text):
            return None
        out.append(("".join(chars), tuple(offsets), source.at(start), source.at(i) + 1))
        i = _skip_blank(text, i + 1)
        if text.startswith(",", i):
            i = _skip_blank(text, i + 1)
    return out if text.startswith("]", i) else None
