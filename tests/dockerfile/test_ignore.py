""".dockerignore matching as Docker does it (moby/patternmatcher)."""

from __future__ import annotations

import pytest

from pinbox.dockerfile.ignore import parse_dockerignore

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
