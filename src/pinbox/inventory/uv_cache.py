"""A wheel that uv has already unpacked in its cache, found by the sha256 uv recorded for it.

What this relies on (seen with uv 0.13.9: cache buckets `wheels-v8` and `archive-v0`):

    <uv cache>/wheels-v*/<index>/<name>/<version>-<tags>.http   uv's HTTP cache entry for the wheel:
        msgpack holding the archive id, the wheel's hashes (sha256 as hex text) and its filename
    <uv cache>/wheels-v*/<index>/<name>/<version>-<tags>        symlink to archive-v0/<id>, the wheel
        unpacked: `<Name>-<version>.dist-info/entry_points.txt` among its files
    <index> is `pypi`, or `index/<digest>` for another index, `url/<digest>` for a direct URL;
    <name> is normalised; <tags> may be a digest when a wheel has many tags.

`uv pip compile` (so `pinbox lock`) leaves only `<version>-<tags>.msgpack` there, the METADATA it
read by range request: nothing to find. `uv pip install` and `uv sync` of the wheel leave the pair
above. The msgpack is not decoded: an entry is the lock's wheel when the sha256 appears in it as
text. Anything unexpected (another layout, a dangling link, an unreadable file, a path the path
policy does not let pinbox read) is a miss, not an error.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from pinbox import paths
from pinbox.errors import PinboxError
from pinbox.fsutil import read_bytes, read_text
from pinbox.lock.uv import uv_binary
from pinbox.names import normalize

_MAX_POINTER = 64 * 1024
_MAX_ENTRY_POINTS = 1024 * 1024


def uv_cache_dir() -> Path | None:
    """uv's cache folder: `$UV_CACHE_DIR`, else what `uv cache dir` says; None when unknown."""
    chosen = os.environ.get("UV_CACHE_DIR")
    if chosen:
        return paths.tool_folder(Path(chosen))
    try:
        done = subprocess.run(
            [uv_binary(), "cache", "dir", "--color", "never"], capture_output=True, text=True, timeout=10
        )
    except (PinboxError, OSError, subprocess.SubprocessError):
        return None
    answer = done.stdout.strip()
    return paths.tool_folder(Path(answer)) if done.returncode == 0 and answer and "\n" not in answer else None


def unpacked_wheel(cache: Path, name: str, sha256: str) -> Path | None:
    """The folder where uv unpacked the wheel with this sha256, or None."""
    for pointer in _pointers(cache, normalize(name)):
        try:
            if sha256.encode() not in read_bytes(pointer, what="uv cache entry", max_bytes=_MAX_POINTER):
                continue
            unpacked = pointer.with_suffix("").resolve(strict=True)
        except (PinboxError, OSError, RuntimeError):
            continue
        if unpacked.is_dir() and unpacked.is_relative_to(cache.resolve()):
            return unpacked
    return None


def read_small(path: Path) -> str | None:
    """A UTF-8 regular file of at most 1 MiB, or None."""
    try:
        return read_text(path, what="entry_points.txt", max_bytes=_MAX_ENTRY_POINTS)
    except PinboxError:
        return None


def _pointers(cache: Path, name: str) -> Iterator[Path]:
    try:
        for bucket in sorted(cache.glob("wheels-v*"), key=_layout, reverse=True):  # newest first
            yield from bucket.glob(f"*/{name}/*.http")
            yield from bucket.glob(f"*/*/{name}/*.http")
    except OSError:
        return


def _layout(bucket: Path) -> int:
    number = bucket.name.removeprefix("wheels-v")
    return int(number) if number.isdigit() else -1
