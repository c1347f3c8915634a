"""Every front end that reads user text either returns a value or raises PinboxError: never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinbox.config import load_config
from pinbox.dockerfile.ignore import parse_dockerignore
from pinbox.errors import PinboxError
from pinbox.lock.header import parse_header
from pinbox.requirements import parse_requirements
from pinbox.requirements.freeze import repair_freeze
from pinbox.rules.context import _compose
from pinbox.target import target_from_key

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
LINES = st.lists(
    st.sampled_from(
        [
            "[tool.pinbox]",
            'python = "3.11"',
            "python = 3",
            "platform = [1]",
            "[tool.pinbox.check]",
            'select = ["PB1"]',
            "per-file-ignores = 3",
            "bogus = 1",
            "format = 'x'",
            "= =",
            "[[tool]]",
        ]
    )
    | TEXT,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(LINES)
def test_config_never_crashes(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    folder = tmp_path_factory.mktemp("cfg")
    (folder / "pyproject.toml").write_text("\n".join(lines))
    try:
        load_config(folder)
    except PinboxError as exc:
        assert exc.path is not None and exc.path.name == "pyproject.toml"


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=80)
    | st.from_regex(r"cpython-3\.\d{1,2} [a-z0-9_]{1,12}-[a-z0-9_]{1,20}", fullmatch=True)
)
def test_lock_target_keys_parse_or_fail_cleanly(key: str) -> None:
    try:
        target = target_from_key(key)
    except PinboxError as exc:
        assert "cannot read the target" in exc.message
    else:
        assert target.platforms


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_compose_yaml_never_crashes(text: str) -> None:
    try:
        _compose(Path("compose.yaml"), text)
    except PinboxError as exc:
        assert exc.path == Path("compose.yaml")


@settings(max_examples=200, deadline=None)
@given(
    TEXT, st.text(st.characters(whitelist_categories=("Ll", "Nd"), whitelist_characters="/._-*"), max_size=40)
)
def test_dockerignore_patterns_never_crash(text: str, path: str) -> None:
    ignore = parse_dockerignore(text)
    assert isinstance(ignore.excludes(path or "x"), bool)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_headers_and_freezes_never_crash(text: str) -> None:
    assert isinstance(parse_header(text), dict)
    try:
        repaired = repair_freeze(text, "frozen.txt")
    except PinboxError as exc:
        assert exc.path == Path("frozen.txt") and exc.line is not None
    else:  # what the repair writes is itself valid requirements text
        parse_requirements("\n".join(repaired.lines), "requirements.in")


def test_dockerignore_root_paths_terminate() -> None:
    # found by the property above with more examples: "/" recursed forever
    ignore = parse_dockerignore("data\n")
    assert ignore.excludes("/data") and not ignore.excludes("/") and not ignore.excludes("//")
