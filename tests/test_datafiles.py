"""Data tables: parsed once, kept in pinbox's cache as marshal data, read back without parsing."""

from __future__ import annotations

import marshal
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinbox import datafiles
from pinbox.datafiles import DATA, data_table


@pytest.fixture
def tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of one's own with an empty cache, and no table remembered in the process."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setattr(datafiles, "DATA", data)
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    data_table.cache_clear()
    yield data
    data_table.cache_clear()


def _kept(name: str) -> list[Path]:
    return sorted(datafiles.tables_dir().glob(f"{name}-*.marshal"))


def test_a_table_is_parsed_once_then_read_from_the_cache(
    tables: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tables / "t.toml").write_text('[row]\nname = "x"\nlist = [1, 2]\n')
    assert data_table("t") == {"row": {"name": "x", "list": [1, 2]}}
    [kept] = _kept("t")
    assert kept.name.endswith(f"-{sys.implementation.cache_tag}.marshal")
    assert marshal.loads(kept.read_bytes()) == {"row": {"name": "x", "list": [1, 2]}}

    def no_parse(_source: Path) -> dict[str, object]:
        raise AssertionError("parsed although the cache holds the table")

    monkeypatch.setattr(datafiles, "_parse", no_parse)
    data_table.cache_clear()
    assert data_table("t") == {"row": {"name": "x", "list": [1, 2]}}


def test_an_edited_table_replaces_its_cached_copy(tables: Path) -> None:
    source = tables / "t.toml"
    source.write_text("a = 1\n")
    assert data_table("t") == {"a": 1}
    source.write_text("a = 22\n")  # another size, so another key whatever the clock says
    data_table.cache_clear()
    assert data_table("t") == {"a": 22}
    [kept] = _kept("t")  # the old entry is gone
    assert marshal.loads(kept.read_bytes()) == {"a": 22}


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", marshal.dumps([1, 2]), b"\xe9" * 64])
def test_a_broken_cache_entry_is_a_miss(tables: Path, garbage: bytes) -> None:
    (tables / "t.toml").write_text("a = 1\n")
    data_table("t")
    [kept] = _kept("t")
    kept.write_bytes(garbage)
    data_table.cache_clear()
    assert data_table("t") == {"a": 1}
    assert marshal.loads(kept.read_bytes()) == {"a": 1}  # and rewritten


def test_a_cache_that_cannot_be_written_costs_only_the_parse(
    tables: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(blocked / "cache"))  # under a file: mkdir fails
    (tables / "t.json").write_text('{"a": [1, "b"]}')
    assert data_table("t") == {"a": [1, "b"]}


def test_a_table_marshal_cannot_hold_is_parsed_every_time(tables: Path) -> None:
    (tables / "t.toml").write_text("day = 2024-01-01\n")
    assert str(data_table("t")["day"]) == "2024-01-01"
    assert _kept("t") == []


def test_every_shipped_table_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No shipped table holds a value marshal cannot keep (TOML dates are written as strings)."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    monkeypatch.setattr(datafiles, "DATA", data)
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "cache"))
    names = sorted({p.stem for p in data.iterdir() if p.suffix in (".toml", ".json")})
    data_table.cache_clear()
    try:
        for name in names:
            data_table(name)
            assert len(_kept(name)) == 1, name
    finally:
        data_table.cache_clear()
