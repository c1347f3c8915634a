"""`.dockerignore` matching as Docker does it.

Matching follows moby/patternmatcher, which BuildKit uses: patterns are cleaned like paths and
anchored at the context root (`foo` is only ./foo; `**/foo` is foo anywhere), `*` and `?` stop at
`/`, `**` spans folders, a pattern matching a folder matches everything in it, and the last
matching pattern wins, so a `!` pattern re-includes what an earlier one excluded.

Its quirks too: plain text with `**` only at its start (`**.pyc`) or end (`a**`) is a bare suffix or
prefix test; `[^a]` negates (and may match `/`), `[!a]` does not; `^` outside `[]` is a regex `^`.
What moby hands Go's regexp as regex syntax (`\\d`; `*`, `?`, `[:` in a class) matches nothing here,
as does an invalid pattern (`[`, `[]`, `[a-]`, a trailing `\\`), which BuildKit rejects outright.
Go's regexp is linear but Python's `re` backtracks (for minutes on `**/**/…/x`), so a pattern is
tokens run as an NFA (the set of token positions reached), its steps cached (a lazy DFA): at worst
O(len(pattern) x len(path)), once warm one dict lookup per path character.
"""

from __future__ import annotations

import posixpath
from dataclasses import field
from functools import cached_property, lru_cache
from itertools import takewhile

from pinbox.record import Record, dataclass

# Go's TrimSpace trims these: what str.strip does, less \x1c-\x1f
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_LOOPS = frozenset({"star", "any", "all"})  # tokens taking characters over and over
_WILD = {"one": "/", "star": "/", "any": "\n", "all": ""}  # what each wildcard does not take (Go's `.`: \n)


class _Token(Record):
    """lit, set (`[...]`), one (`?`), star (`*`), any (Go's `.*`), all, opt (`(.*/)?`), bol (`^`)."""

    op: str
    chars: str = ""  # lit: the character; set: lo, hi pairs
    negated: bool = False

    def takes(self, ch: str) -> bool:
        """Does this token read `ch`?"""
        if self.op == "lit":
            return ch == self.chars
        if self.op == "set":
            pairs = zip(self.chars[::2], self.chars[1::2], strict=True)
            return self.negated != any(lo <= ch <= hi for lo, hi in pairs)
        return self.op in _WILD and ch != _WILD[self.op]  # opt and bol read nothing

    def skips(self, i: int, at_start: bool) -> tuple[int, ...]:
        """States reached from this token, at i, without reading: past a loop or `^`, over `(.*/)?`."""
        if self.op == "opt":
            return (i + 1, i + 3)
        return (i + 1,) if self.op in _LOOPS or (self.op == "bol" and at_start) else ()


def _close(tokens: tuple[_Token, ...], states: set[int], at_start: bool) -> frozenset[int]:
    """Add the states reached without reading a character."""
    todo = list(states)
    while todo:
        i = todo.pop()
        for j in tokens[i].skips(i, at_start) if i < len(tokens) else ():
            if j not in states:
                states.add(j)
                todo.append(j)
    return frozenset(states)


def _step(tokens: tuple[_Token, ...], states: frozenset[int], ch: str) -> frozenset[int]:
    """One NFA move: the states after reading `ch`."""
    taken = (i for i in states if i < len(tokens) and tokens[i].takes(ch))
    return _close(tokens, {i if tokens[i].op in _LOOPS else i + 1 for i in taken}, at_start=False)


_MOVES: dict[tuple[_Glob, frozenset[int], str], frozenset[int]] = {}  # the lazy DFA, all patterns
_SETS: dict[frozenset[int], frozenset[int]] = {}  # one object per state set: keys match by identity
_HELD, _MAX_HELD = 0, 1 << 20  # state numbers in the caches: a proxy for their memory


def _move(glob: _Glob, states: frozenset[int], ch: str) -> frozenset[int]:
    """`_step`, cached per (pattern, states, ch); the caches start over when full."""
    global _HELD
    after = _MOVES.get((glob, states, ch))
    if after is None:
        after = _step(glob.tokens, states, ch)
        if _HELD > _MAX_HELD:
            _MOVES.clear()
            _SETS.clear()
            _HELD = 0
        _HELD += 1 + (0 if after in _SETS else len(after))
        after = _MOVES[glob, states, ch] = _SETS.setdefault(after, after)
    return after


def _literal(tokens: list[_Token]) -> str:
    """The text of the lit tokens `tokens` starts with."""
    return "".join(t.chars for t in takewhile(lambda t: t.op == "lit", tokens))


@dataclass(frozen=True, eq=False)
class _Glob:
    """A compiled pattern: its tokens, and the literal text every match starts and ends with."""

    tokens: tuple[_Token, ...]
    head: str
    tail: str

    @cached_property
    def start(self) -> frozenset[int]:
        return _close(self.tokens, {0}, at_start=True)

    def run(self, path: str, parents: bool = False) -> bool:
        """Match `path` (with `parents`, also any folder above it: the text before each `/`)."""
        if not path.startswith(self.head) or not (parents or path.endswith(self.tail)):
            return False  # cheap, and it turns most paths away
        end, states = len(self.tokens), self.start
        for ch in path:
            if parents and ch == "/" and end in states:
                return True
            states = _MOVES.get((self, states, ch)) or _move(self, states, ch)
            if not states:
                return False
        return end in states


@dataclass(frozen=True, eq=False)
class Pattern:
    """One cleaned .dockerignore pattern; `negated` for `!pattern` (re-include)."""

    text: str
    negated: bool = False
    glob: _Glob | None = field(default=None, compare=False, repr=False)  # None: invalid, matches nothing

    def matches(self, path: str) -> bool:
        """Does the pattern match `path` itself?"""
        return self.glob is not None and self.glob.run(path)

    def covers(self, path: str) -> bool:
        """Does it match `path` or a folder above it (moby's MatchesOrParentMatches)?"""
        return self.glob is not None and self.glob.run(path, parents=True)


def _lits(text: str) -> list[_Token]:
    return [_Token("lit", ch) for ch in text]


def _dirs(loop: str) -> list[_Token]:
    """`(.*/)?` (its `/` a set, as no match needs it), with `loop` for `.*`."""
    return [_Token("opt"), _Token(loop), _Token("set", "//")]


def _escaped(text: str, i: int) -> str | None:
    """The character a `\\` escapes at text[i]: Go's regexp takes only ASCII punctuation literally."""
    ch = text[i] if i < len(text) else ""
    return ch if ch and ch < "\x80" and not ch.isalnum() else None


def _member(text: str, i: int) -> tuple[str | None, int]:
    """A class member at text[i] and the index after it; None where moby rejects or mangles it."""
    if i >= len(text) or text[i] in "-]*?" or text.startswith("[:", i):
        return None, i
    return (_escaped(text, i + 1), i + 2) if text[i] == "\\" else (text[i], i + 1)


def _token(text: str, i: int) -> tuple[_Token | None, int]:
    """The token at text[i] (`**` aside) and the index after it; None when invalid."""
    if text[i] == "\\":
        escaped = _escaped(text, i + 1)
        return (_Token("lit", escaped) if escaped else None), i + 2
    if text[i] != "[":
        return _Token({"*": "star", "?": "one", "^": "bol"}.get(text[i], "lit"), text[i]), i + 1
    negated = text.startswith("^", i + 1)
    i, pairs = i + 1 + negated, ""
    while not (text.startswith("]", i) and pairs):
        lo, i = _member(text, i)
        hi, i = _member(text, i + 1) if lo and text.startswith("-", i) else (lo, i)
        if lo is None or hi is None or hi < lo:
            return None, i
        pairs += lo + hi
    return _Token("set", pairs, negated), i + 1


def _tokens(text: str) -> tuple[str, list[_Token]]:
    """moby's compile: the kind of test (exact, prefix, suffix, glob, invalid) and the glob's tokens."""
    kind, i = "exact", 0
    tokens: list[_Token] = []
    while i < len(text):
        if text.startswith("**", i):
            first, i = i == 0, i + (3 if text.startswith("**/", i) else 2)
            kind = "suffix" if first else "prefix" if kind == "exact" and i >= len(text) else "glob"
            tokens += [_Token("any")] if i >= len(text) else _dirs("any")
            continue
        token, after = _token(text, i)
        if token is None:
            return "invalid", []
        kind = kind if token.op in ("lit", "bol") and text[i] not in "\\]" else "glob"
        tokens.append(token)
        i = after
    return kind, tokens


def compile_pattern(text: str, negated: bool = False) -> Pattern:
    """Compile one cleaned pattern (without its `!`)."""
    kind, tokens = _tokens(text)
    if kind == "exact":
        tokens = _lits(text)
    elif kind == "prefix":
        tokens = [*_lits(text[:-2]), _Token("all")]
    elif kind == "suffix":  # `**/a` is a anywhere, `**a` any path ending in a
        tail = text[2:]
        head = _dirs("all") if tail.startswith("/") else [_Token("all")]
        tokens = head + _lits(tail.removeprefix("/"))
    if kind == "invalid":
        return Pattern(text, negated)
    return Pattern(text, negated, _Glob(tuple(tokens), _literal(tokens), _literal(tokens[::-1])[::-1]))


@lru_cache(maxsize=4096)
def _compiled(text: str) -> Pattern:
    """`compile_pattern`, once per text: the steps the matcher caches are per compiled pattern."""
    return compile_pattern(text)


def _go_clean(path: str) -> str:
    """Go's filepath.Clean: posixpath.normpath, but a leading `//` is `/`."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


@dataclass(frozen=True, eq=False)
class DockerIgnore:
    """A parsed .dockerignore: its patterns in order (the last that matches a path decides)."""

    patterns: tuple[Pattern, ...] = ()

    def hits(self, path: str, above: tuple[bool, ...] | None = None) -> tuple[bool, ...]:
        """Per pattern: does it match `path` or a folder above it (`above`: that folder's hits)."""
        if above is None:
            return tuple(p.covers(path) for p in self.patterns)
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
                len(parts) > depth and _compiled("/".join(parts[:depth])).matches(folder)
            ):
                return True
        return False


def _read_all(text: str) -> list[str]:
    """BuildKit's ReadAll: lines (at `\\n` only) less a BOM, `#` only at a line's start, trimmed, cleaned."""
    lines = []
    for raw in text.removeprefix("\ufeff").split("\n"):
        line = raw.strip(_SPACE)  # Go's TrimSpace (not str.strip's), which takes a `\r` before `\n`
        if raw.startswith("#") or not line:
            continue
        negated = line.startswith("!")
        line = line[1:].strip(_SPACE) if negated else line
        line = _go_clean(line) if line else line
        lines.append("!" * negated + (line[1:] if len(line) > 1 and line.startswith("/") else line))
    return lines


def parse_dockerignore(text: str) -> DockerIgnore:
    """Patterns of a .dockerignore as BuildKit reads them, then trimmed and cleaned as moby's New does."""
    patterns = []
    for line in _read_all(text):
        cleaned = _go_clean(line.strip(_SPACE))  # `!` and all: `! ../..` is `.`
        if cleaned != "!":  # a lone `!` is an error to BuildKit; skipped here
            negated = cleaned.startswith("!")
            patterns.append(compile_pattern(cleaned[1:] if negated else cleaned, negated))
    return DockerIgnore(tuple(patterns))
