"""Dependency layers: a package's layer depends on that package alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.datafiles import data_table
from pinbox.generate.layers import layer_rules, split
from pinbox.lock.read import LockedBlock, read_blocks


def block(name: str, size: int | None = None, version: str = "1.0") -> LockedBlock:
    return LockedBlock(name, version, f"{name}=={version} \\\n    --hash=sha256:{'0' * 64}\n", size)


def layout(blocks: list[LockedBlock]) -> dict[str, str]:
    return {b.name: f.name for f in split(blocks) for b in f.blocks}


def test_foundation_then_large_then_small() -> None:
    fragments = split([block("six", 11_000), block("numpy", 18_000_000), block("fonttools", 5_000_000)])
    assert [(f.index, f.name, [b.name for b in f.blocks]) for f in fragments] == [
        (1, "foundation", ["numpy"]),
        (2, "large", ["fonttools"]),
        (3, "small", ["six"]),
    ]
    assert [f.filename for f in fragments] == ["1-foundation.txt", "2-large.txt", "3-small.txt"]


def test_unknown_size_counts_as_small() -> None:
    assert layout([block("mystery", None)]) == {"mystery": "small"}


def test_same_lock_same_fragments_and_adding_a_package_moves_nothing() -> None:
    base = [
        block("numpy", 18_000_000),
        block("requests", 64_000),
        block("pyarrow", 40_000_000),
        block("grpcio", 6_000_000),
        block("idna", 70_000),
    ]
    before = layout(base)
    assert layout(list(base)) == before
    for extra in (block("tiny", 1_000), block("huge", 90_000_000), block("torch", 800_000_000)):
        after = layout([*base, extra])
        assert {k: v for k, v in after.items() if k != extra.name} == before


@pytest.mark.parametrize(
    "pattern", [p for row in data_table("layers")["layer"] for p in row.get("packages", [])]
)
def test_every_foundation_row_is_used(pattern: str) -> None:
    name = pattern.replace("*", "x")
    assert layout([block(name, 10)]) == {name: "foundation"}


def test_rules_come_from_the_data_table() -> None:
    rules = layer_rules()
    assert [r.name for r in rules] == ["foundation", "large", "small"]
    assert rules[1].min_size == 1_000_000 and all(r.why for r in rules)


def test_blocks_round_trip_from_a_real_lock(tmp_path: Path) -> None:
    text = (
        "# header\n--index-url https://pypi.org/simple\n\n"
        "numpy==1.26.4 \\\n    --hash=sha256:" + "a" * 64 + "\n    # from: numpy; wheel: 18.2 MB\n"
        "six==1.16.0 \\\n    --hash=sha256:" + "b" * 64 + "\n    # from: six; wheel: 11.1 kB\n"
    )
    head, blocks = read_blocks(text, tmp_path / "requirements.lock")
    assert head.endswith("--index-url https://pypi.org/simple\n\n")
    assert [(b.name, b.version, b.size) for b in blocks] == [
        ("numpy", "1.26.4", 18_200_000),
        ("six", "1.16.0", 11_100),
    ]
    assert head + "".join(b.text for b in blocks) == text
