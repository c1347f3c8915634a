"""Split a lock into dependency layers (fragments), the same way every time.

The rule (data/layers.toml): a package named in the `foundation` table goes first; otherwise a
package whose wheel is at least `min-size` bytes goes in `large`; everything else in `small`.
Each package's layer depends on that package alone, so the same lock gives the same fragments and
adding a package never moves another one between layers; bumping a package moves it only if its
wheel size crosses the threshold.
"""

from __future__ import annotations

from pinbox import wildcard
from pinbox.datafiles import data_table
from pinbox.lock.read import LockedBlock
from pinbox.record import dataclass


@dataclass(frozen=True)
class LayerRule:
    name: str
    why: str
    patterns: tuple[str, ...] = ()
    min_size: int | None = None

    def takes(self, block: LockedBlock) -> bool:
        if self.patterns:
            return any(wildcard.matches(block.name, p) for p in self.patterns)
        if self.min_size is not None:
            return block.size is not None and block.size >= self.min_size
        return True


def layer_rules() -> tuple[LayerRule, ...]:
    return tuple(
        LayerRule(row["name"], row["why"], tuple(row.get("packages", ())), row.get("min-size"))
        for row in data_table("layers")["layer"]
    )


@dataclass(frozen=True)
class Fragment:
    index: int  # 1-based position in the build
    name: str
    blocks: tuple[LockedBlock, ...]

    @property
    def filename(self) -> str:
        return f"{self.index}-{self.name}.txt"

    def text(self, header: str) -> str:
        body = "".join(block.text for block in self.blocks)
        return f"{header}# layer {self.index} ({self.name}): {len(self.blocks)} packages\n\n{body}"


def split(blocks: list[LockedBlock], rules: tuple[LayerRule, ...] | None = None) -> list[Fragment]:
    """Fragments in build order; a layer with no package is left out."""
    rules = rules or layer_rules()
    buckets: list[list[LockedBlock]] = [[] for _ in rules]
    for block in blocks:
        index = next(i for i, rule in enumerate(rules) if rule.takes(block))
        buckets[index].append(block)
    fragments: list[Fragment] = []
    for rule, bucket in zip(rules, buckets, strict=True):
        if bucket:
            fragments.append(Fragment(len(fragments) + 1, rule.name, tuple(bucket)))
    return fragments
