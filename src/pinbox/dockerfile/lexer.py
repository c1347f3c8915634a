"""A POSIX shell tokenizer that keeps where every word stands in the file.

Words come out as the shell sees them (quotes removed, backslashes applied, `$(...)`, `${...}` and
backquotes kept whole), each with the file offsets of its raw text and of each of its characters.
Operators (`&&`, `||`, `;`, `|`, `&`, `(`, `)`, newline) and redirections (`>`, `2>>`, `<<EOF`,
...) are tokens of their own, so `pip install x > /dev/null` has no package `/dev/null`.
"""

from __future__ import annotations

from pinbox.dockerfile.source import Source
from pinbox.record import Record

OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "(", ")")
REDIRECTS = ("<<<", "<<-", "&>>", "<<", ">>", "<>", ">&", "<&", ">|", "&>", "<", ">")
_META = " \t\r\n;&|()<>"  # \r: CRLF heredoc bodies; the shell would keep it, the author meant a line end


class Word(Record):
    """A shell word: its text, the file span of its raw form, and the file offset of each character."""

    text: str
    start: int
    end: int
    offsets: tuple[int, ...]
    exact: bool = True
    quote: str = ""  # the quote around the whole raw word (' or "), "json" in exec form, else ""
    quoted: bool = False  # any part of it was quoted or escaped

    def source(self) -> Source:
        """The word's text as a source of its own (the body of `sh -c '...'`)."""
        return Source(self.text, self.offsets, self.end, self.exact)


class Op(Record):
    text: str
    start: int


class Redirect(Record):
    text: str
    start: int


Token = Word | Op | Redirect


def _starts(text: str, i: int, choices: tuple[str, ...]) -> str | None:
    return next((c for c in choices if text.startswith(c, i)), None)


def _closing(text: str, i: int, open_: str, close: str) -> int:
    """Index after the `close` that balances the `open_` at `i` (quotes inside skipped)."""
    depth, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "'\"" and open_ != ch:
            end = text.find(ch, i + 1)
            i = n if end == -1 else end + 1
            continue
        depth += (ch == open_) - (ch == close)
        i += 1
        if depth == 0:
            return i
    return n


class _Reader:
    """Reads one word from `source` at index `i`, collecting its characters and their offsets."""

    def __init__(self, source: Source, i: int) -> None:
        self.source, self.text, self.i = source, source.text, i
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.quoted = False

    def take(self, index: int) -> None:
        self.chars.append(self.text[index])
        self.offsets.append(self.source.at(index))

    def take_span(self, start: int, end: int) -> None:
        for index in range(start, end):
            self.take(index)

    def single(self) -> None:
        end = self.text.find("'", self.i + 1)
        end = len(self.text) if end == -1 else end
        self.take_span(self.i + 1, end)
        self.i, self.quoted = end + 1, True

    def double(self) -> None:
        i, text = self.i + 1, self.text
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and text[i + 1 : i + 2] in ("$", "`", '"', "\\", "\n"):
                if text[i + 1] != "\n":
                    self.take(i + 1)
                i += 2
            elif text.startswith("$(", i) or text.startswith("${", i) or text[i] == "`":
                end = self._expansion(i)
                self.take_span(i, end)
                i = end
            else:
                self.take(i)
                i += 1
        self.i, self.quoted = i + 1, True

    def _expansion(self, i: int) -> int:
        text = self.text
        if text.startswith("$(", i):
            return _closing(text, i + 1, "(", ")")
        if text.startswith("${", i):
            return _closing(text, i + 1, "{", "}")
        end = text.find("`", i + 1)
        return len(text) if end == -1 else end + 1

    def read(self) -> int:
        text, start = self.text, self.i
        while self.i < len(text) and text[self.i] not in _META:
            ch = text[self.i]
            if ch == "\\":
                if text.startswith("\n", self.i + 1):
                    self.i += 2
                    continue
                self.take(self.i + 1 if self.i + 1 < len(text) else self.i)
                self.i, self.quoted = self.i + 2, True
            elif ch == "'":
                self.single()
            elif ch == '"':
                self.double()
            elif text.startswith("$(", self.i) or text.startswith("${", self.i) or ch == "`":
                end = self._expansion(self.i)
                self.take_span(self.i, end)
                self.i = end
            else:
                self.take(self.i)
                self.i += 1
        return start


def _word(source: Source, i: int) -> tuple[Word, int]:
    reader = _Reader(source, i)
    start = reader.read()
    end = min(reader.i, len(source.text))
    raw = source.text[start:end]
    quote = raw[0] if len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] else ""
    if quote and raw.count(quote) != 2:
        quote = ""
    word = Word(
        "".join(reader.chars),
        source.at(start),
        source.at(end - 1) + 1 if end > start else source.at(start),
        tuple(reader.offsets),
        source.exact,
        quote,
        reader.quoted,
    )
    return word, end


def tokenize(source: Source) -> list[Token]:
    """The words, operators and redirections of a shell script (comments dropped)."""
    text, i, out = source.text, 0, list[Token]()
    while i < len(text):
        ch = text[i]
        if ch in " \t\r" or (ch == "\\" and text.startswith("\n", i + 1)):
            i += 1 if ch != "\\" else 2
        elif ch == "\n":
            out.append(Op("\n", source.at(i)))
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = len(text) if end == -1 else end
        elif redirect := _starts(text, i, REDIRECTS):
            out.append(Redirect(redirect, source.at(i)))
            i += len(redirect)
        elif op := _starts(text, i, OPERATORS):
            out.append(Op(op, source.at(i)))
            i += len(op)
        else:
            word, i = _word(source, i)
            redirect = _starts(text, i, REDIRECTS)
            if redirect and word.text.isdigit() and not word.quoted and redirect[0] in "<>":
                out.append(Redirect(word.text + redirect, word.start))  # 2>, 2>>: an io number
                i += len(redirect)
            else:
                out.append(word)
    return out


def json_words(strings: list[tuple[str, tuple[int, ...], int, int]], exact: bool) -> list[Word]:
    """Exec-form words (see source.json_strings)."""
    return [Word(text, start, end, offs, exact, "json", True) for text, offs, start, end in strings]
