"""Properties of the requirements parser: total on any text, exact on valid pins, round trips."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pinbox.errors import PinboxError
from pinbox.requirements import parse_requirements
from pinbox.requirements.model import Entry, Kind, RequirementsFile

SETTINGS = settings(max_examples=150, deadline=None)

NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,15}[A-Za-z0-9])?", fullmatch=True)
NUMBER = st.integers(min_value=0, max_value=999)


@st.composite
def versions(draw: st.DrawFn) -> str:
    release = ".".join(str(n) for n in draw(st.lists(NUMBER, min_size=1, max_size=4)))
    epoch = draw(st.sampled_from(["", "1!"]))
    pre = draw(st.sampled_from(["", "a1", "b2", "rc3"]))
    post = draw(st.sampled_from(["", ".post1"]))
    dev = draw(st.sampled_from(["", ".dev0"]))
    return f"{epoch}{release}{pre}{post}{dev}"


@st.composite
def pinned_lines(draw: st.DrawFn) -> tuple[str, str]:
    """A valid pinned requirement line, and the distribution name it was built from."""
    name = draw(NAMES)
    extras = draw(st.sampled_from(["", "[cuda]", "[a,b]"]))
    op = draw(st.sampled_from(["==", "==="]))
    marker = draw(st.sampled_from(["", " ; python_version >= '3.10'", "; sys_platform == 'linux'"]))
    hashes = draw(st.lists(st.from_regex(r"sha256:[0-9a-f]{8}", fullmatch=True), max_size=2))
    tail = "".join(f" --hash={h}" for h in hashes)
    comment = draw(st.sampled_from(["", "  # via x"]))
    return f"{name}{extras}{op}{draw(versions())}{marker}{tail}{comment}", name


OTHER_LINES = st.sampled_from(
    [
        "-i https://pypi.example/simple",
        "--extra-index-url=https://extra.example/simple",
        "--find-links ./wheels",
        "--pre",
        "-e ./libs/core",
        "-r base.txt",
        "-c constraints.txt",
        "./local/pkg",
        "pkg @ https://example.com/pkg-1.0.tar.gz",
        "numpy>=1.26,<2",
        "",
        "# comment",
    ]
)
JUNK = st.text(alphabet="ab1 =<>!~[];@'\"#\\-$:{}/.*,\t", max_size=20)


@st.composite
def plausible_files(draw: st.DrawFn) -> str:
    lines = draw(
        st.lists(
            st.one_of(pinned_lines().map(lambda pair: pair[0]), OTHER_LINES, JUNK, NAMES),
            max_size=8,
        )
    )
    suffixed = [line + draw(st.sampled_from(["", " \\", "\\", "  # c", " #"])) for line in lines]
    return draw(st.sampled_from(["\n", "\r\n"])).join(suffixed)


def parses_or_fails_cleanly(text: str) -> None:
    try:
        result = parse_requirements(text, "r.txt")
    except PinboxError as err:
        assert err.line is not None
        assert 1 <= err.line <= max(1, len(text.splitlines()))
        assert err.col is not None
        assert err.col >= 1
        assert str(err.path) == "r.txt"
    else:
        assert isinstance(result, RequirementsFile)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_pinbox_error(text: str) -> None:
    parses_or_fails_cleanly(text)


@SETTINGS
@given(plausible_files())
def test_plausible_files_parse_or_raise_pinbox_error(text: str) -> None:
    parses_or_fails_cleanly(text)


def pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@SETTINGS
@given(pinned_lines())
def test_pinned_line_is_pinned_with_canonical_name(pair: tuple[str, str]) -> None:
    line, name = pair
    (entry,) = parse_requirements(line).entries
    assert entry.kind is Kind.REQUIREMENT
    assert entry.is_pinned
    assert entry.name == pep503(name)


@SETTINGS
@given(NAMES, versions(), st.sampled_from([">=", "<=", "!=", ">", "<"]))
def test_non_exact_specifier_is_not_pinned(name: str, version: str, op: str) -> None:
    (entry,) = parse_requirements(f"{name}{op}{version}").entries
    assert not entry.is_pinned


@SETTINGS
@given(NAMES, st.lists(NUMBER, min_size=1, max_size=3))
def test_wildcard_pin_is_not_pinned(name: str, release: list[int]) -> None:
    version = ".".join(map(str, release))
    (entry,) = parse_requirements(f"{name}=={version}.*").entries
    assert not entry.is_pinned


def meaning(entry: Entry) -> tuple[object, ...]:
    return (entry.kind, str(entry.requirement), entry.hashes, entry.option, entry.value)


@SETTINGS
@given(st.lists(st.one_of(pinned_lines().map(lambda pair: pair[0]), OTHER_LINES), max_size=8))
def test_entry_text_round_trips(lines: list[str]) -> None:
    first = parse_requirements("\n".join(lines))
    second = parse_requirements("\n".join(e.text for e in first.entries))
    assert [meaning(e) for e in second.entries] == [meaning(e) for e in first.entries]
    assert len(first.entries) == sum(1 for line in lines if line and not line.startswith("#"))
