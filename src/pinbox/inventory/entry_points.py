"""The console scripts a locked wheel installs, read from its `*.dist-info/entry_points.txt`.

Sources, cheapest first: pinbox's cache (by the lock's sha256), a copy uv already unpacked, then the
wheel itself over HTTP(S), reading only its central directory and that one member by range requests
(the whole wheel only when it is small or the server offers no ranges).

`[console_scripts]` and `[gui_scripts]` are merged: on Linux installers put both in `bin/`, so both
can be run by a Dockerfile's CMD. A range read cannot check the wheel's sha256; the answer is still
cached under it, as the lock names immutable content, and the URL's filename must be the pinned
name and version.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from pinbox.errors import PinboxError
from pinbox.inventory import cache, uv_cache, zipdir
from pinbox.inventory.pool import Pending
from pinbox.inventory.remote_file import check_url, open_remote
from pinbox.record import dataclass

MAX_CENTRAL_DIRECTORY = 16 * 1024 * 1024  # torch 2.4's is 1.2 MB, numpy's 0.1 MB
MAX_ENTRY_POINTS = 1024 * 1024
MAX_WORKERS = 16
SCRIPT_SECTIONS = ("console_scripts", "gui_scripts")
_SCRIPT = re.compile(r"[^\s/\\=\x00-\x1f\x7f]{1,255}")  # a name an installer can write to bin/

Source = Literal["pinbox-cache", "uv-cache", "http-range", "http-download"]


@dataclass(frozen=True)
class Wheel:
    """A locked wheel: where to get it, its sha256, and the distribution it must be."""

    url: str
    sha256: str
    name: str
    version: str
    size: int | None = None  # from the lock, when known: small wheels are fetched whole


@dataclass(frozen=True)
class Lookup:
    """What is known of one wheel's scripts: `scripts` is None when it could not be found out."""

    scripts: tuple[str, ...] | None
    source: Source | None = None
    error: str | None = None  # one line, when `scripts` is None
    transferred: int = 0  # bytes read from the network
    requests: int = 0


def console_scripts(
    url: str,
    sha256: str,
    *,
    name: str,
    version: str,
    size: int | None = None,
    cache_dir: Path | None = None,
    use_uv_cache: bool = True,
) -> tuple[str, ...]:
    """The sorted script names the wheel installs (`()` for none); PinboxError when unknowable."""
    found = lookup(
        Wheel(url, sha256, name, version, size),
        cache_dir=cache_dir or cache.entry_points_dir(),
        uv_dir=uv_cache.uv_cache_dir if use_uv_cache else _no_uv_cache,
    )
    if found.scripts is None:
        raise PinboxError(found.error or "unknown error")
    return found.scripts


def console_scripts_many(
    wheels: Iterable[Wheel],
    *,
    cache_dir: Path | None = None,
    use_uv_cache: bool = True,
    workers: int = MAX_WORKERS,
) -> dict[str, Lookup]:
    """A Lookup per wheel sha256 (lowercase), `workers` at a time. Never raises for a wheel."""
    return start_lookups(wheels, cache_dir=cache_dir, use_uv_cache=use_uv_cache, workers=workers)()


def start_lookups(
    wheels: Iterable[Wheel],
    *,
    cache_dir: Path | None = None,
    use_uv_cache: bool = True,
    workers: int = MAX_WORKERS,
) -> Callable[[], dict[str, Lookup]]:
    """Start looking the wheels up on daemon threads (pinbox.inventory.pool); call the result to
    wait for the Lookups, by lowercase sha256."""
    unique = {w.sha256.lower(): w for w in wheels}
    folder = cache_dir or cache.entry_points_dir()
    uv_dir = once(uv_cache.uv_cache_dir if use_uv_cache else _no_uv_cache)  # asked only on a miss
    pending = Pending(lambda w: lookup(w, cache_dir=folder, uv_dir=uv_dir), unique.values(), workers)
    return lambda: dict(zip(unique, pending.wait(), strict=True))


def lookup(wheel: Wheel, *, cache_dir: Path, uv_dir: Callable[[], Path | None]) -> Lookup:
    """The scripts of one wheel from the first source that knows, and remember them."""
    filename = unquote(urlsplit(wheel.url).path.rpartition("/")[2])
    try:
        sha256 = _checked(wheel, filename)
        known = cache.load(cache_dir, sha256)
        if known is not None:
            return Lookup(known, "pinbox-cache")
        uv = uv_dir()
        unpacked = uv_cache.unpacked_wheel(uv, wheel.name, sha256) if uv else None
        scripts = _from_folder(unpacked, wheel) if unpacked else None
        found = Lookup(scripts, "uv-cache") if scripts is not None else _from_remote(wheel)
    except (PinboxError, OSError) as exc:  # OSError: a local folder or temporary file failed
        reason = exc.message if isinstance(exc, PinboxError) else exc.strerror or type(exc).__name__
        return Lookup(None, error=f"cannot read the scripts of {filename or 'a wheel'}: {reason}")
    cache.store(cache_dir, sha256, found.scripts or (), wheel=filename)
    return found


def parse_scripts(text: str) -> tuple[str, ...]:
    """Sorted unique names under [console_scripts] and [gui_scripts] of an entry_points.txt."""
    names: set[str] = set()
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section in SCRIPT_SECTIONS and "=" in line and not line.startswith(("#", ";")):
            name = line.partition("=")[0].strip()
            if _SCRIPT.fullmatch(name) and name not in (".", ".."):
                names.add(name)
    return tuple(sorted(names))


def _no_uv_cache() -> None:
    return None


def once(find: Callable[[], Path | None]) -> Callable[[], Path | None]:
    """`find`, called at most once however many threads ask."""
    lock, cached = threading.Lock(), functools.cache(find)

    def call() -> Path | None:
        with lock:
            return cached()

    return call


def _checked(wheel: Wheel, filename: str) -> str:
    """The lowercase sha256, after checking the URL and that its file is the pinned wheel."""
    sha256 = wheel.sha256.lower()
    if not cache.SHA256.fullmatch(sha256):
        raise PinboxError(f"{wheel.sha256!r} is not a sha256 hex digest")
    check_url(wheel.url)
    try:
        name, version, _, _ = parse_wheel_filename(filename)
        pinned = Version(wheel.version)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        raise PinboxError(str(exc).splitlines()[0]) from None
    if name != canonicalize_name(wheel.name) or version != pinned:
        raise PinboxError(f"the URL's file is not {wheel.name} {wheel.version}")
    return sha256


def _is_dist_info(folder: str, wheel: Wheel) -> bool:
    """Is `folder` the wheel's `<name>-<version>.dist-info`, however its name is spelled?"""
    name, _, version = folder.removesuffix(".dist-info").rpartition("-")
    if not folder.endswith(".dist-info") or canonicalize_name(name) != canonicalize_name(wheel.name):
        return False
    try:
        return Version(version) == Version(wheel.version)
    except InvalidVersion:
        return False


def _from_folder(unpacked: Path, wheel: Wheel) -> tuple[str, ...] | None:
    """Scripts from a wheel uv unpacked; None when its dist-info is not there as expected."""
    try:
        matches = [d for d in unpacked.glob("*.dist-info") if _is_dist_info(d.name, wheel)]
        if len(matches) != 1 or not (matches[0] / "METADATA").is_file():
            return None
        if not (matches[0] / "entry_points.txt").exists():
            return ()
    except OSError:
        return None
    text = uv_cache.read_small(matches[0] / "entry_points.txt")
    return None if text is None else parse_scripts(text)


def _from_remote(wheel: Wheel) -> Lookup:
    with open_remote(wheel.url, size_hint=wheel.size) as remote:
        entries = zipdir.central_directory(remote, max_bytes=MAX_CENTRAL_DIRECTORY)
        folders = {e.name.partition("/")[0] for e in entries if "/" in e.name}
        dist_info = [f for f in folders if _is_dist_info(f, wheel)]
        if len(dist_info) != 1:
            raise PinboxError(
                f"it has {len(dist_info)} {wheel.name}-{wheel.version}.dist-info folders, not 1"
            )
        members = [e for e in entries if e.name == f"{dist_info[0]}/entry_points.txt"]
        if len(members) > 1:
            raise zipdir.invalid("entry_points.txt appears twice")
        data = zipdir.read_member(remote, members[0], max_bytes=MAX_ENTRY_POINTS) if members else b""
        source: Source = "http-range" if remote.ranged else "http-download"
        return Lookup(_parse_bytes(data), source, transferred=remote.transferred, requests=remote.requests)


def _parse_bytes(data: bytes) -> tuple[str, ...]:
    try:
        return parse_scripts(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PinboxError("its entry_points.txt is not UTF-8") from None
