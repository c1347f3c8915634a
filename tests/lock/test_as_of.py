"""Time-consistent resolution (`--as-of`): the cut-off inferred from the pins' upload dates."""

from __future__ import annotations

from dataclasses import replace

import pytest
from packaging.tags import Tag

from pinbox.errors import PinboxError
from pinbox.lock import as_of
from pinbox.target import Platform

UPLOADED = {("pandas", "1.4.4"): "2022-08-31T12:18:07Z", ("flask", "2.2.2"): "2022-08-08T23:26:30Z"}


@pytest.fixture
def dated(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []

    def release_time(name: str, version: str) -> str | None:
        asked.append((name, version))
        return UPLOADED.get((name, version))

    monkeypatch.setattr("pinbox.inventory.pypi.release_time", release_time)
    return asked


def test_every_top_level_pinned_gives_the_day_after_the_newest(dated: list[tuple[str, str]]) -> None:
    found = as_of.infer("auto", ("pandas==1.4.4", "Flask==2.2.2 ; python_version >= '3'"), ())
    assert found.date == "2022-09-01" and found.why == "newest pinned release is pandas 1.4.4 (2022-08-31)"
    assert sorted(found.pinned) == ["flask", "pandas"]
    assert sorted(found.exempt) == ["flask=2999-12-31", "pandas=2999-12-31"]  # pins never move
    assert sorted(dated) == [("flask", "2.2.2"), ("pandas", "1.4.4")]


@pytest.mark.parametrize(
    "requirements",
    [("pandas==1.4.4", "flask"), ("pandas>=1.4",), ("pandas==1.*",), ()],
    ids=["one-unpinned", "range", "wildcard", "empty"],
)
def test_no_cut_off_unless_every_top_level_is_an_exact_pin(
    dated: list[tuple[str, str]], requirements: tuple[str, ...]
) -> None:
    assert as_of.infer("auto", requirements, ()) == as_of.AsOf()
    assert dated == []  # nothing asked of PyPI


def test_now_and_a_date(dated: list[tuple[str, str]]) -> None:
    assert as_of.infer("now", ("pandas==1.4.4",), ()) == as_of.AsOf()
    given = as_of.infer("2023-01-01", ("pandas==1.4.4", "six"), ())
    assert given.date == "2023-01-01" and given.exempt == ("pandas=2999-12-31",)
    assert dated == []


def test_another_index_gets_no_cut_off_and_a_note(dated: list[tuple[str, str]]) -> None:
    found = as_of.infer("auto", ("pandas==1.4.4",), ("--index-url https://mirror.example/simple",))
    assert found.date is None and found.note is not None and "another index" in found.note
    assert dated == []


def test_unreachable_pypi_is_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(name: str, version: str) -> str | None:
        raise PinboxError("cannot reach pypi.org")

    monkeypatch.setattr("pinbox.inventory.pypi.release_time", down)
    found = as_of.infer("auto", ("pandas==1.4.4",), ())
    assert found.date is None and found.note is not None and "cannot reach pypi.org" in found.note


@pytest.mark.parametrize("value", ["auto", "now", "2024-02-29"])
def test_choices(value: str) -> None:
    assert as_of.check_choice(value) == value


@pytest.mark.parametrize("value", ["", "today", "2024-02-30", "2024-2-1", "2024-02-01T00:00"])
def test_bad_choices(value: str) -> None:
    with pytest.raises(PinboxError):
        as_of.check_choice(value)


def test_a_package_s_own_cut_off_is_said_and_exempted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "pinbox.inventory.pypi.first_wheel_after", lambda name, after, tags: "2023-01-18T08:00:00Z"
    )
    base = as_of.AsOf("2022-08-09", "newest pinned release is flask 2.2.2 (2022-08-08)", ("flask",))
    later = as_of.later_for(base, "markupsafe", "3.11.10", (Platform("x86_64"),))
    assert later is not None and later.later == (("markupsafe", "2023-01-19"),)
    assert "markupsafe=2023-01-19" in later.exempt
    assert later.said.endswith("; markupsafe as of 2023-01-19 (its first wheel for the target))")
    assert as_of.later_for(later, "markupsafe", "3.11.10", (Platform("x86_64"),)) is None  # once
    assert as_of.later_for(base, "flask", "3.11.10", (Platform("x86_64"),)) is None  # a pin: never


def test_supported_tags() -> None:
    glibc = as_of.supported_tags("3.11.10", Platform("x86_64", "glibc", (2, 28)))
    assert Tag("cp311", "cp311", "manylinux_2_17_x86_64") in glibc
    assert Tag("cp311", "cp311", "manylinux2014_x86_64") in glibc
    assert Tag("py3", "none", "any") in glibc and Tag("cp37", "abi3", "manylinux1_x86_64") in glibc
    assert Tag("cp311", "cp311", "manylinux_2_31_x86_64") not in glibc
    assert Tag("cp312", "cp312", "manylinux_2_17_x86_64") not in glibc
    musl = as_of.supported_tags("3.12", Platform("aarch64", "musl"))
    assert Tag("cp312", "cp312", "musllinux_1_1_aarch64") in musl
    assert Tag("cp312", "cp312", "manylinux_2_17_aarch64") not in musl


def test_build_backends_are_exempt_only_for_sdist_builds() -> None:
    base = as_of.AsOf("2015-10-23", "newest pinned release is wget 3.2 (2015-10-22)", ("wget",))
    assert base.exempt == ("wget=2999-12-31",)
    building = replace(base, builds=True).exempt
    assert "setuptools=2999-12-31" in building and "wheel=2999-12-31" in building
    assert as_of.AsOf(builds=True).exempt == ()  # no cut-off, nothing to exempt
