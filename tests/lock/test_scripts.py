"""The console scripts of locked wheels: looked up within a time budget at lock time, completed
from PyPI (only) at check time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.inventory import Wheel, cache, pypi
from pinbox.inventory.entry_points import Lookup
from pinbox.lock import scripts

QUICK, SLOW = "1" * 64, "2" * 64


def test_the_lock_waits_for_every_lookup_so_its_text_never_depends_on_timing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_lookup(wheel: Wheel, **_: object) -> Lookup:
        if wheel.sha256 == SLOW:
            time.sleep(0.5)
        return Lookup((wheel.name,), "pinbox-cache")

    monkeypatch.setattr(scripts, "lookup", fake_lookup)
    lookup = scripts.ScriptsLookup()
    lookup.start_wheels(
        [Wheel("https://x/q.whl", QUICK, "quick", "1"), Wheel("https://x/s.whl", SLOW, "slow", "1")]
    )
    assert lookup.result() == {QUICK: ("quick",), SLOW: ("slow",)}


def test_a_bug_in_a_lookup_is_raised_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(wheel: Wheel, **_: object) -> Lookup:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(scripts, "lookup", broken)
    lookup = scripts.ScriptsLookup()
    lookup.start_wheels([Wheel("https://x/q.whl", QUICK, "quick", "1")])
    with pytest.raises(ZeroDivisionError):
        lookup.result()


def test_after_the_first_network_failure_nothing_more_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    asked: list[str] = []

    def unreachable(name: str, *_: object) -> None:
        asked.append(name)
        raise PinboxError("cannot reach pypi.org")

    monkeypatch.setattr(pypi, "pypi_wheel", unreachable)
    monkeypatch.setattr(scripts, "WORKERS", 1)
    pins = [(f"p{i}", "1.0", (f"{i:064x}",), None) for i in range(20)]
    assert scripts.scripts_of_pins(pins) == {f"p{i}": None for i in range(20)}
    assert asked == ["p0"]


def test_a_lock_never_chooses_the_host_pinbox_fetches_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    fetched: list[str] = []
    asked: list[str] = []

    def fake_lookup(wheel: Wheel, **_: object) -> Lookup:
        fetched.append(wheel.url)
        return Lookup((), "http-range")

    monkeypatch.setattr(scripts, "lookup", fake_lookup)
    monkeypatch.setattr(pypi, "pypi_wheel", lambda name, *_: asked.append(name))
    pins = [
        ("evil", "1.0", (QUICK,), "https://attacker.example/evil-1.0-py3-none-any.whl"),
        ("good", "1.0", (SLOW,), "https://files.pythonhosted.org/packages/good-1.0-py3-none-any.whl"),
    ]
    found = scripts.scripts_of_pins(pins)
    assert fetched == [pins[1][3]]  # PyPI's own file host only
    assert asked == ["evil"]  # the other wheel was looked for on PyPI by its sha256
    assert found == {"evil": None, "good": ()}


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
