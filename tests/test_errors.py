"""PinboxError: where it happened, the offending line with a caret, and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.errors import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PinboxError


def test_exit_codes_follow_pre_commit() -> None:
    assert (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED) == (0, 1, 2, 130)


def test_defaults() -> None:
    err = PinboxError("boom")
    assert (err.exit_code, err.path, err.line, err.col, err.hint) == (2, None, None, None, None)
    assert err.render() == "boom"


def test_path_string_becomes_a_path() -> None:
    assert PinboxError("x", path="a/b.txt").path == Path("a/b.txt")


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({}, ""),
        ({"path": "r.txt"}, "r.txt"),
        ({"path": "r.txt", "line": 3}, "r.txt:3"),
        ({"path": "r.txt", "line": 3, "col": 7}, "r.txt:3:7"),
        ({"path": "r.txt", "col": 7}, "r.txt"),
        ({"line": 3, "col": 7}, ""),
    ],
)
def test_location(kwargs: dict[str, object], location: str) -> None:
    err = PinboxError("bad", **kwargs)  # type: ignore[arg-type]
    assert err.location() == location
    assert err.render() == (f"{location}: bad" if location else "bad")


@pytest.mark.parametrize(
    ("source", "col", "lines"),
    [
        ("foo bar", 5, ["  | foo bar", "  |     ^"]),
        ("foo bar", 1, ["  | foo bar", "  | ^"]),
        ("foo bar", 0, ["  | foo bar", "  | ^"]),
        ("foo bar\n", 8, ["  | foo bar", "  |        ^"]),
        ("\tfoo bar", 6, ["  |  foo bar", "  |      ^"]),
        ("foo bar", None, ["  | foo bar"]),
    ],
)
def test_source_and_caret(source: str, col: int | None, lines: list[str]) -> None:
    err = PinboxError("bad", path="f", line=1, col=col, source=source)
    assert err.render().splitlines()[1:] == lines


def test_caret_is_under_the_column_it_names() -> None:
    source = "    numpy=1.26"
    err = PinboxError("bad", path="f", line=1, col=source.index("=") + 1, source=source)
    shown, caret = err.render().splitlines()[1:]
    assert shown[caret.index("^")] == "="


def test_hint_comes_last() -> None:
    err = PinboxError("bad", path="f", line=2, col=1, source="x", hint="do y")
    assert err.render() == "f:2:1: bad\n  | x\n  | ^\nhint: do y"


def test_str_is_the_rendered_message() -> None:
    err = PinboxError("bad", path="f", line=2, hint="do y", exit_code=EXIT_FINDINGS)
    assert str(err) == err.render() == "f:2: bad\nhint: do y"
    assert err.exit_code == 1
    assert err.message == "bad"
