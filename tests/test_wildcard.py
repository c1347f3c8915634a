"""`*` wildcards match as fnmatch does for the syntax the data tables use, without regexes."""

from __future__ import annotations

import fnmatch

from hypothesis import given
from hypothesis import strategies as st

from pinbox import wildcard
from pinbox.datafiles import DATA, data_table

TEXT = st.text(alphabet="ab.-:", max_size=12)
PATTERN = st.text(alphabet="ab.-:*", max_size=10)


@given(TEXT, PATTERN)
def test_matches_as_fnmatch_does_for_star_patterns(text: str, pattern: str) -> None:
    assert wildcard.matches(text, pattern) == fnmatch.fnmatchcase(text, pattern)


def test_question_mark_and_brackets_are_literal() -> None:
    assert wildcard.matches("[", "[")
    assert wildcard.matches("fastapi[standard]", "fastapi[standard]")
    assert not wildcard.matches("fastapis", "fastapi[standard]")
    assert not wildcard.matches("python3", "python?")
    assert wildcard.matches("python:3.11-slim", "python:*-slim*")
    assert not wildcard.matches("python:3.11", "python:*-slim*")
    assert wildcard.first_match("ab", ["b*", "a*", "*"]) == "a*"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_table_patterns_use_only_the_star() -> None:
    """A table pattern with `?` or `[...]` would mean something else to wildcard than to fnmatch."""
    names = {p.stem for p in DATA.iterdir() if p.suffix in (".toml", ".json")}
    patterns = [s for name in names for s in _strings(data_table(name)) if "*" in s and " " not in s]
    assert patterns
    assert [p for p in patterns if "?" in p or "[" in p] == []
