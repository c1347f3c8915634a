""".dockerignore matching as Docker does it (moby/patternmatcher)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pinbox.dockerfile import ignore
from pinbox.dockerfile.ignore import compile_pattern, parse_dockerignore

# the matcher ----------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        ("foo", "foo", True),
        ("foo", "a/foo", False),  # anchored at the root, unlike .gitignore
        ("foo", "foo/bar/baz", True),  # a matched folder takes its contents
        ("*.pt", "m.pt", True),
        ("*.pt", "a/m.pt", False),
        ("**/*.pt", "m.pt", True),
        ("**/*.pt", "a/b/m.pt", True),
        ("**/__pycache__", "src/pkg/__pycache__/m.pyc", True),
        ("data/", "data/x.csv", True),
        ("/data", "data/x.csv", True),
        ("./data", "data", True),
        ("a/../data", "data", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "ab", False),
        ("a/**", "a/x/y", True),
        ("a/**", "a", False),
        ("**", "x/y", True),
        ("**.pyc", "a/b.pyc", True),  # moby: a leading ** is a plain suffix
        ("?.txt", "a.txt", True),
        ("?.txt", "ab.txt", False),
        ("[ab].txt", "b.txt", True),
        ("a.b", "aXb", False),
        ("\\*", "*", True),
        ("*\n!keep.pt", "keep.pt", False),
        ("*\n!keep.pt", "other.pt", True),
        ("data\n!data/keep", "data/keep/x", False),
        ("data\n!data/keep", "data/other", True),
        ("!a\na", "a", True),  # the last match wins
        ("a\n!a", "a", False),
        ("# comment", "# comment", False),
        (" # not a comment", "# not a comment", True),
        ("  spaced  \n\n", "spaced", True),
        ("[", "[", False),  # invalid: matches nothing
        ("*", ".", False),
    ],
)
def test_dockerignore_matching(patterns: str, path: str, excluded: bool) -> None:
    assert parse_dockerignore(patterns).excludes(path) is excluded


@pytest.mark.parametrize(
    ("patterns", "folder", "expected"),
    [("data\n!data/keep", "data", True), ("data\n!other/x", "data", False), ("*\n!**/*.py", "src", True)],
)
def test_dockerignore_may_reinclude(patterns: str, folder: str, expected: bool) -> None:
    assert parse_dockerignore(patterns).may_reinclude(folder) is expected


def test_asking_again_whether_a_folder_may_be_reincluded_adds_nothing_to_the_matcher_cache() -> None:
    patterns = parse_dockerignore("data\n!data/keep/x.txt\n")
    assert patterns.may_reinclude("data") is True
    cached = len(ignore._MOVES)
    for _ in range(5):
        assert patterns.may_reinclude("data") is True
    assert len(ignore._MOVES) == cached


# one pattern, as moby/patternmatcher matches it ---------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("**", "dir/file", True),
        ("**/**", "dir/file", True),
        ("dir/**", "dir/dir2/file", True),
        ("**/dir2/*", "dir/dir2/file", True),
        ("**/dir2/*", "dir/dir2/dir3/file", False),
        ("**/file*.txt", "dir/dir/file.txt", True),
        ("**/**/*.txt2", "dir/dir/file.txt", False),
        ("**/foo/bar", "foo/bar", True),
        ("**/.foo", "bar.foo", False),
        ("**file", "dirfile", True),  # a leading ** before plain text is a bare suffix test
        ("a**", "abc/d", True),  # and a trailing one a bare prefix test
        ("a**/*.txt", "a/dir/dir/file.txt", True),
        ("a**b", "axb", False),  # ** inside a glob is (.*/)?
        ("a**b", "ax/b", True),
        ("a/*.txt", "a/dir/file.txt", False),
        ("a*/b", "a/c/b", False),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
        ("a*b?c*x", "abxbbxdbxebxczzx", True),
        ("a*b?c*x", "abxbbxdbxebxczzy", False),
        ("a?b", "a/b", False),
        ("a?b", "a\u263ab", True),  # one character, not one byte
        ("a???b", "a\u263ab", False),
        (".*", "foo", False),
        ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
        ("a\\\\", "a\\", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a[b-d]e", "ace", True),
        ("a[b-d]e", "aae", False),
        ("a[^b-d]e", "aze", True),
        ("[a-\u03b6]*", "\u03b1", True),
        ("*[a-\u03b6]", "A", False),
        ("[\\]a]", "]", True),
        ("[x\\-]", "-", True),
        ("[\\-x]", "a", False),
        ("a[/]b", "a/b", True),  # a class may take `/`
        ("a[^x]b", "a/b", True),  # and so may a negated one
        ("[!a].txt", "b.txt", False),  # `!` is a member, not negation (Go's regexp and filepath.Match)
        ("[!a].txt", "!.txt", True),
        ("[^a].txt", "b.txt", True),
        ("*^a", "a", True),  # `^` outside a class anchors like a regex `^`
        ("a^*", "a^b", False),
        ("a^b", "a^b", True),  # but in plain text it is just a character
        ("a/**/b", "a/x\ny/b", False),  # ** in a glob is Go's `.*`, which stops at a newline
        ("a/**", "a/x\ny", True),  # but a bare prefix test does not
    ],
)
def test_pattern_matches_like_moby(pattern: str, path: str, matched: bool) -> None:
    assert compile_pattern(pattern).matches(path) is matched


@pytest.mark.parametrize(
    "pattern",
    [
        *["[", "[^", "[^bc", "a[", "[]a]", "[^]a]", "[-]", "[x-]", "[-x]", "[a-b-c]", "[b-a]", "[^b-a]"],
        *["\\", "a\\", "**\\"],  # filepath.Match rejects these: BuildKit fails the build
        *["\\d", "\\w*", "\\\u00e9", "[*]", "[a?]", "[[:alpha:]]"],  # regex syntax to Go's regexp
    ],
)
def test_invalid_pattern_matches_nothing(pattern: str) -> None:
    compiled = compile_pattern(pattern)
    paths = ["a", "b", "d", "1", "-", "]", "[", "*", "\\", "\u00e9", "x/y", ""]
    assert compiled.glob is None and not any(compiled.matches(p) or compiled.covers(p) for p in paths)


@pytest.mark.parametrize(
    ("pattern", "path", "covered"),
    [
        ("a/b", "a/b/c/d", True),
        ("a/b", "a/bc", False),
        ("**/b", "x/b/c", True),
        ("*.d", "x.d/y", True),
        ("*.d", "x/y.d/z", False),
        ("a/*", "a", False),
        ("[", "[/x", False),
    ],
)
def test_pattern_covers_a_path_below_what_it_matches(pattern: str, path: str, covered: bool) -> None:
    assert compile_pattern(pattern).covers(path) is covered


# hostile patterns ------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("**/" * 20 + "x", "a/" * 2000 + "c", False),  # minutes with the regex translation
        ("**/" * 20 + "x", "a/" * 2000 + "bx", False),  # ends as the pattern does: no shortcut
        ("**/" * 20 + "x", "a/" * 2000 + "x", True),
        ("a/" + "**/" * 20 + "b", "a/" * 2000 + "cb", False),
        ("**/" * 5000 + "x", "a/" * 2000 + "bx", False),
        ("**/a/" * 100 + "*", "a/" * 1000 + "b", True),
        ("**/a/" * 100 + "*", "a/" * 99 + "b", False),
        ("*a" * 100 + "b", "a" * 250, False),
    ],
)
def test_hostile_patterns_take_linear_time(
    monkeypatch: pytest.MonkeyPatch, pattern: str, path: str, matched: bool
) -> None:
    steps = []
    step = ignore._step

    def counted(*args: Any) -> frozenset[int]:
        steps.append(args)
        return step(*args)

    monkeypatch.setattr(ignore, "_step", counted)
    compiled = compile_pattern(pattern)
    start = time.perf_counter()
    for run in (compiled.matches, compiled.covers):
        steps.clear()
        assert run(path) is matched
        assert len(steps) <= len(path)  # at most one NFA step (O(len(pattern)) work) per character
    assert time.perf_counter() - start < 1.0


# reading the file, as BuildKit does ------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "excluded"),
    [
        ("data\r\n*.pyc\r\n!keep.pyc\r\n", "data/x", True),  # CRLF lines
        ("data\r\n*.pyc\r\n!keep.pyc\r\n", "a.pyc", True),
        ("data\r\n*.pyc\r\n!keep.pyc\r\n", "keep.pyc", False),
        ("\ufeffdata\n", "data", True),  # a UTF-8 BOM before the first line is dropped
        ("\ufeff# comment\ndata", "# comment", False),  # so a first-line comment stays one
        ("x\n\ufeffdata", "data", False),  # elsewhere a BOM is part of the pattern
        ("a\rb", "a", False),  # only \n ends a line (bufio.ScanLines)
        ("a\x0cb\u2028c", "a", False),
        ("\u3000data\x85", "data", True),  # Go's TrimSpace: Unicode spaces
        ("\x1cdata", "data", False),  # but not the separators str.strip takes
        ("/ data", "data", True),  # ReadAll leaves " data"; New trims it
        ("! ../..\n", "x", False),
    ],
)
def test_dockerignore_file_reading(text: str, path: str, excluded: bool) -> None:
    assert parse_dockerignore(text).excludes(path) is excluded


def test_dockerignore_lines_become_patterns() -> None:
    parsed = parse_dockerignore("\ufeffa\r\n!\n! /b/../c/\n! ../..\n  \n#x\nd\re\n")
    assert [(p.text, p.negated) for p in parsed.patterns] == [
        ("a", False),
        ("c", True),
        (".", False),  # New cleans "!../.." as a path: the `!..` part goes
        ("d\re", False),
    ]
