"""The console scripts of locked wheels: all looked up at lock time, completed from PyPI (only, by
sha256) at check time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.inventory import cache, entry_points, pypi
from pinbox.inventory.entry_points import Lookup, Wheel
from pinbox.lock import scripts

QUICK, SLOW = "1" * 64, "2" * 64


def test_the_lock_waits_for_every_lookup_so_its_text_never_depends_on_timing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_lookup(wheel: Wheel, **_: object) -> Lookup:
        if wheel.sha256 == SLOW:
            time.sleep(0.5)
        return Lookup((wheel.name,), "pinbox-cache")

    monkeypatch.setattr(entry_points, "lookup", fake_lookup)
    lookup = scripts.ScriptsLookup()
    lookup.start_wheels(
        [Wheel("https://x/q.whl", QUICK, "quick", "1"), Wheel("https://x/s.whl", SLOW, "slow", "1")]
    )
    assert lookup.result() == {QUICK: ("quick",), SLOW: ("slow",)}


def test_a_bug_in_a_lookup_is_raised_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(wheel: Wheel, **_: object) -> Lookup:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(entry_points, "lookup", broken)
    lookup = scripts.ScriptsLookup()
    lookup.start_wheels([Wheel("https://x/q.whl", QUICK, "quick", "1")])
    with pytest.raises(ZeroDivisionError):
        lookup.result()


@pytest.mark.parametrize("answer", ["unreachable", "not on PyPI"])
def test_after_the_first_pin_that_stays_unknown_nothing_more_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    asked: list[str] = []

    def pypi_wheel(name: str, *_: object) -> None:
        asked.append(name)
        if answer == "unreachable":
            raise PinboxError("cannot reach pypi.org")

    monkeypatch.setattr(pypi, "pypi_wheel", pypi_wheel)
    monkeypatch.setattr(scripts, "MAX_WORKERS", 1)
    pins = tuple((f"p{i}", "1.0", (f"{i:064x}",)) for i in range(20))
    assert scripts.scripts_of_pins(pins) is None
    assert asked == ["p0"]


def test_pins_pinbox_already_knows_need_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    cache.store(cache.entry_points_dir(), QUICK, ("serve",), wheel="a-1.0-py3-none-any.whl")
    cache.store(cache.entry_points_dir(), SLOW, (), wheel="b-1.0-py3-none-any.whl")

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("asked the network")

    monkeypatch.setattr(pypi, "pypi_wheel", refuse)
    monkeypatch.setattr(entry_points, "lookup", refuse)
    pins = (("a", "1.0", ("0" * 64, QUICK.upper())), ("b", "1.0", (SLOW,)))
    assert scripts.scripts_of_pins(pins) == frozenset({"serve"})


def test_wheels_found_on_pypi_are_read_and_their_scripts_joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    url = "https://files.pythonhosted.org/packages/{}-1.0-py3-none-any.whl"

    def pypi_wheel(name: str, version: str, hashes: tuple[str, ...]) -> Wheel:
        return Wheel(url.format(name), hashes[0], name, version)

    def fake_lookup(wheel: Wheel, **_: object) -> Lookup:
        read.append(wheel.url)
        return Lookup((f"{wheel.name}-cli",), "http-range")

    read: list[str] = []
    monkeypatch.setattr(pypi, "pypi_wheel", pypi_wheel)
    monkeypatch.setattr(entry_points, "lookup", fake_lookup)
    pins = (("a", "1.0", (QUICK,)), ("b", "1.0", (SLOW,)))
    assert scripts.scripts_of_pins(pins) == frozenset({"a-cli", "b-cli"})
    assert sorted(read) == [url.format("a"), url.format("b")]  # the URLs PyPI gave, never the lock's


def test_cache_file_names_are_only_ever_sha256_digests(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"format": 1, "scripts": ["pwned"]}')
    cache.store(tmp_path / "c", "../x", ("a",), wheel="w")
    assert cache.load(tmp_path / "c", "../x") is None
    assert not (tmp_path / "x.json").read_text().count('"a"')
    cache.store(tmp_path / "c", QUICK, ("a",), wheel="w")
    assert cache.load(tmp_path / "c", QUICK) == ("a",)


def test_names_that_are_not_distributions_are_never_asked_for() -> None:
    assert pypi.pypi_wheel("../../admin", "1", ["0" * 64]) is None


@pytest.mark.network
def test_a_requirements_lock_pin_is_found_on_pypi_by_its_sha256() -> None:
    sha = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"  # six-1.16.0 wheel
    wheel = pypi.pypi_wheel("Six", "1.16.0", [f"sha256:{sha.upper()}"])
    assert wheel is not None and wheel.sha256 == sha
    assert wheel.url.startswith("https://files.pythonhosted.org/")
    assert wheel.url.endswith("/six-1.16.0-py2.py3-none-any.whl")
    assert pypi.pypi_wheel("six", "1.16.0", ["0" * 64]) is None
    assert pypi.pypi_wheel("six", "1.15.0", [sha]) is None  # that digest is another release's file
