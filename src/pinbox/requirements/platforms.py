"""The table of distributions that exist only for Windows or macOS (data/platform_only.toml)."""

from __future__ import annotations

from functools import cache, lru_cache

from pinbox import wildcard
from pinbox.datafiles import data_table
from pinbox.names import normalize
from pinbox.record import Record


class PlatformOnly(Record):
    name: str  # normalised name, or a prefix pattern like "pyobjc*"
    os: str  # "windows" | "macos"
    why: str
    replace_with: str | None = None
    linux: str = "none"  # none | build | installs: what pip does with it on Linux (from PyPI's files)

    def matches(self, name: str) -> bool:
        return wildcard.matches(str(normalize(name)), self.name)


@cache
def platform_only_table() -> tuple[PlatformOnly, ...]:
    return tuple(
        PlatformOnly(row["name"], row["os"], row["why"], row.get("replace-with"), row["linux"])
        for row in data_table("platform_only")["package"]
    )


@lru_cache(maxsize=4096)
def platform_only(name: str) -> PlatformOnly | None:
    """The row for a Windows/macOS-only distribution, or None if it installs on Linux."""
    return next((row for row in platform_only_table() if row.matches(name)), None)
