"""pinbox's cache folder, and the console scripts of each wheel kept there by the wheel's sha256.

A wheel's content never changes for a given sha256, so an answer is kept forever: one small JSON file
per wheel, `<cache>/entry-points/<sha256>.json`, read and written through `pinbox.fsutil` (regular
files only, size-capped, atomic, the path policy). A file that cannot be read or does not parse is a
miss, and a cache that cannot be written costs only the next lookup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pinbox import paths
from pinbox.errors import PinboxError
from pinbox.fsutil import read_bytes, write_atomic

FORMAT = 1
_MAX_FILE = 1024 * 1024
SHA256 = re.compile("[0-9a-f]{64}")  # a lowercase sha256 digest; no cache file name is anything else


def entry_points_dir() -> Path:
    return paths.cache_root() / "entry-points"


def load(folder: Path, sha256: str) -> tuple[str, ...] | None:
    """The scripts remembered for the wheel with this lowercase sha256, or None."""
    if not SHA256.fullmatch(sha256):
        return None
    path = folder / f"{sha256}.json"
    if not path.exists():
        return None
    try:
        data = json.loads(read_bytes(path, what="cache entry", max_bytes=_MAX_FILE))
    except (PinboxError, ValueError):
        return None
    scripts = data.get("scripts") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(scripts, list) or not all(isinstance(s, str) for s in scripts):
        return None
    return tuple(scripts)


def store(folder: Path, sha256: str, scripts: tuple[str, ...], *, wheel: str) -> None:
    """Remember `scripts` for the wheel with this sha256; `wheel` (its filename) is for people."""
    text = json.dumps({"format": FORMAT, "wheel": wheel, "scripts": list(scripts)}, indent=1)
    if not SHA256.fullmatch(sha256) or not paths.inside(folder):
        return  # the path policy keeps this command inside the project
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{sha256}.json", text + "\n")
    except (OSError, PinboxError):
        pass  # a cache, not a result
