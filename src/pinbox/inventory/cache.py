"""pinbox's cache folder: facts that never change, kept forever as small JSON files.

The console scripts of each wheel, by the wheel's sha256 (`<cache>/entry-points/<sha256>.json`),
the upload times of each project's releases on PyPI (`<cache>/release-times/<name>.json`), and
the smoke tests `pinbox build` passed and the installed sizes it measured, by what decides them
(`<cache>/smoke/<sha256>.json`, `<cache>/installed-sizes/<sha256>.json`), and the Python a local
image runs, by image ID (`<cache>/image-pythons/<sha256>.json`).
Read and written through `pinbox.fsutil` (regular files only, size-capped, atomic, the path
policy); a key is a sha256 or a normalised name, never a path. A file that cannot be read or does
not parse is a miss, and a cache that cannot be written costs only the next lookup.
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


_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")  # a normalised distribution name


def entry_points_dir() -> Path:
    return paths.cache_root() / "entry-points"


def release_times_dir() -> Path:
    return paths.cache_root() / "release-times"


def smoke_dir() -> Path:
    return paths.cache_root() / "smoke"


def floors_dir() -> Path:
    return paths.cache_root() / "installed-sizes"


def image_pythons_dir() -> Path:
    return paths.cache_root() / "image-pythons"


def _path(folder: Path, key: str) -> Path | None:
    return folder / f"{key}.json" if SHA256.fullmatch(key) or _NAME.fullmatch(key) else None


def load_json(folder: Path, key: str) -> dict[str, object] | None:
    """The entry kept under `key` when it is this format's, else None."""
    path = _path(folder, key)
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(read_bytes(path, what="cache entry", max_bytes=_MAX_FILE))
    except (PinboxError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def store_json(folder: Path, key: str, data: dict[str, object]) -> None:
    path = _path(folder, key)
    if path is None or not paths.inside(folder):
        return  # the path policy keeps this command inside the project
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"format": FORMAT, **data}, indent=1) + "\n")
    except (OSError, PinboxError):
        pass  # a cache, not a result


def load(folder: Path, sha256: str) -> tuple[str, ...] | None:
    """The scripts remembered for the wheel with this lowercase sha256, or None."""
    data = load_json(folder, sha256) if SHA256.fullmatch(sha256) else None
    scripts = data.get("scripts") if data else None
    if not isinstance(scripts, list) or not all(isinstance(s, str) for s in scripts):
        return None
    return tuple(scripts)


def store(folder: Path, sha256: str, scripts: tuple[str, ...], *, wheel: str) -> None:
    """Remember `scripts` for the wheel with this sha256; `wheel` (its filename) is for people."""
    if SHA256.fullmatch(sha256):
        store_json(folder, sha256, {"wheel": wheel, "scripts": list(scripts)})
