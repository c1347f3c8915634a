"""What a new lock changes against the one it replaces: packages added, removed and updated
(`pandas 2.0.3 -> 2.2.3`), printed as uv prints them and given in `lock --json`."""

from __future__ import annotations

from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.lock.model import Lock
from pinbox.lock.read import is_pylock, read_blocks
from pinbox.names import normalize
from pinbox.record import dataclass
from pinbox.structured import load_toml

Versions = dict[str, tuple[str, ...]]  # name -> its versions (one, or one per platform group)


@dataclass(frozen=True)
class Changes:
    added: tuple[tuple[str, str], ...] = ()  # (name, version)
    removed: tuple[tuple[str, str], ...] = ()
    updated: tuple[tuple[str, str, str], ...] = ()  # (name, old, new)

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """`Added x v1`, `Updated y v1 -> v2`, `Removed z v3` (`Add`, `Update`, `Remove` when dry)."""
        verbs = ("Add", "Update", "Remove") if dry_run else ("Added", "Updated", "Removed")
        return [
            *(f"{verbs[0]} {n} v{v}" for n, v in self.added),
            *(f"{verbs[1]} {n} v{a} -> v{b}" for n, a, b in self.updated),
            *(f"{verbs[2]} {n} v{v}" for n, v in self.removed),
        ]

    def as_json(self) -> dict[str, object]:
        return {
            "added": [{"name": n, "version": v} for n, v in self.added],
            "removed": [{"name": n, "version": v} for n, v in self.removed],
            "updated": [{"name": n, "from": a, "to": b} for n, a, b in self.updated],
        }


def versions_in(path: Path) -> Versions:
    """The versions an existing lock pins; none when it is missing or cannot be read (it is
    being replaced either way)."""
    if not path.is_file():
        return {}
    found: dict[str, set[str]] = {}
    try:
        text = read_text(path, what="lock")
        if is_pylock(path):
            packages = load_toml(text, path, "lock").get("packages", [])
            pairs = [
                (str(p.get("name", "")), str(p.get("version", "")))
                for p in (packages if isinstance(packages, list) else [])
                if isinstance(p, dict)
            ]
        else:
            pairs = [(b.name, b.version) for b in read_blocks(text, path)[1]]
    except PinboxError:
        return {}
    for name, version in pairs:
        if name and version:
            found.setdefault(str(normalize(name)), set()).add(version)
    return {name: tuple(sorted(v)) for name, v in found.items()}


def compare(old: Versions, lock: Lock) -> Changes:
    new: dict[str, set[str]] = {}
    for pin in lock.pins:
        new.setdefault(str(normalize(pin.name)), set()).add(pin.version)
    shown = {name: ", ".join(sorted(v)) for name, v in new.items()}
    before = {name: ", ".join(v) for name, v in old.items()}
    return Changes(
        added=tuple((n, shown[n]) for n in sorted(shown.keys() - before.keys())),
        removed=tuple((n, before[n]) for n in sorted(before.keys() - shown.keys())),
        updated=tuple(
            (n, before[n], shown[n]) for n in sorted(shown.keys() & before.keys()) if before[n] != shown[n]
        ),
    )
