"""The linear-time matcher agrees with moby's algorithm run the slow way, on small inputs."""

from __future__ import annotations

import re
import warnings

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pinbox.dockerfile.ignore import DockerIgnore, compile_pattern

# What moby accepts and pinbox supports: Go's filepath.Match syntax (a `[` always opens a class of
# `c` or `c-d` items, `^` first negates; `\` escapes one character), less what Go's regexp would
# read as regex syntax.
_ESC = r"\\[^0-9A-Za-z\x80-\U0010ffff]"
_ITEM = rf"(?:[^\\\-\]*?\[]|\[(?!:)|{_ESC})"
_SUPPORTED = re.compile(rf"(?:[^\\\[]|{_ESC}|\[(?!\^\])\^?(?:{_ITEM}(?:-{_ITEM})?)+\])*", re.DOTALL)


def _moby_regex(pattern: str) -> tuple[str, str]:
    """moby's Pattern.compile, step for step: (kind, regex), the regex in Go's syntax."""
    regex, kind, i, first = "", "exact", 0, True
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 3 if pattern.startswith("**/", i) else 2
            if i >= len(pattern):
                kind, regex = ("prefix", regex) if kind == "exact" else ("regex", regex + ".*")
            else:
                kind, regex = "regex", regex + "(.*/)?"
            kind, first = "suffix" if first else kind, False
            continue
        if ch == "*":
            kind, regex = "regex", regex + "[^/]*"
        elif ch == "?":
            kind, regex = "regex", regex + "[^/]"
        elif ch in ".+()|{}$":
            regex += "\\" + ch
        elif ch == "\\" and i + 1 < len(pattern):
            kind, regex, i = "regex", regex + "\\" + pattern[i + 1], i + 1
        elif ch in "[]":
            kind, regex = "regex", regex + ch
        else:
            regex += ch
        i, first = i + 1, False
    return kind, regex


def reference(pattern: str, path: str) -> bool:
    """moby's Pattern.match, with Python's backtracking `re` standing in for Go's regexp."""
    if not _SUPPORTED.fullmatch(pattern):
        return False
    kind, regex = _moby_regex(pattern)
    if kind == "exact":
        return path == pattern
    if kind == "prefix":
        return path.startswith(pattern[:-2])
    if kind == "suffix":
        tail = pattern[2:]
        return path.endswith(tail) or (tail.startswith("/") and path == tail[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": `[` is literal there
        try:
            return re.fullmatch(regex, path) is not None
        except re.error:  # Go's regexp fails on it too (e.g. `[b-a]`): moby reports a bad pattern
            return False


_PATTERN_PARTS = ["a", "b", "é", "/", "*", "**", "**/", "?", "[", "[^", "]", "^", "-", "a-b", "b-a", "\\"]
_PATTERN_PARTS += ["\\*", "\\a", "!", ".", ":", "$"]
_PATH_CHARS = "ab/é.-]![^*:\n$"

_FILLS = {"*": ["", "b", "ab"], "**": ["", "a/", "b/a/", "ab"], "**/": ["", "a/", "b/a/"], "?": ["a", "/"]}
_FILLS |= {"[": ["a", "/", "]"], "[^": ["b", "/"], "]": ["a", "["], "^": [""], "-": ["a", "b"], "\\": [""]}
_FILLS |= {"a-b": ["a", "b"], "b-a": ["b"], "\\*": ["*"], "\\a": ["a", "\a"], ":": ["a"]}


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern and a path: random, or made by filling the pattern in, so that matches are common."""
    parts = draw(st.lists(st.sampled_from(_PATTERN_PARTS), max_size=8))
    if draw(st.booleans()):
        return "".join(parts), draw(st.text(alphabet=_PATH_CHARS, max_size=10))
    return "".join(parts), "".join(draw(st.sampled_from([part, *_FILLS.get(part, [])])) for part in parts)


@settings(max_examples=3000, deadline=None)
@given(cases())
@example(("**/**/a", "b/a"))
@example(("[^a]", "/"))
@example(("[^b-a]", "a"))
@example(("[^]*", ""))
@example(("[!a]", "!"))
@example(("[!a]", "b"))
@example(("a**", "ab/c"))
@example(("**a", "ba"))
@example(("*^a", "a"))
@example(("a/**", "a/\n"))
@example(("a/**/b", "a/\n/b"))
def test_matches_like_moby(case: tuple[str, str]) -> None:
    pattern, path = case
    assert compile_pattern(pattern).matches(path) is reference(pattern, path)


@settings(max_examples=1000, deadline=None)
@given(cases())
def test_covers_is_a_match_on_the_path_or_a_folder_above(case: tuple[str, str]) -> None:
    pattern, path = case
    ends = [i for i, ch in enumerate(path) if ch == "/"] + [len(path)]
    expected = any(reference(pattern, path[:i]) for i in ends)
    assert compile_pattern(pattern).covers(path) is expected


@settings(max_examples=300, deadline=None)
@given(st.lists(cases(), min_size=1, max_size=4), st.lists(st.booleans(), min_size=4, max_size=4))
def test_hits_from_the_folder_above_agree_with_hits_from_scratch(
    pairs: list[tuple[str, str]], negated: list[bool]
) -> None:
    ignore = DockerIgnore(tuple(compile_pattern(p, neg) for (p, _), neg in zip(pairs, negated, strict=False)))
    path = pairs[0][1]
    above = tuple(False for _ in ignore.patterns)
    for i, ch in enumerate(path):
        if ch == "/":
            above = ignore.hits(path[:i], above)
    assert ignore.hits(path, above) == ignore.hits(path)
