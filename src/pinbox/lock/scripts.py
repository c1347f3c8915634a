"""The console scripts of the locked wheels (`uvicorn`, `streamlit`, ...), so that checks can tell
whether an image's CMD program is installed.

One wheel per pin is read (scripts do not differ between a release's platform wheels), through
pinbox.inventory: pinbox's cache, uv's cache, or a few range requests. The lookups start as soon
as uv has resolved and run while uv annotates the resolution; the lock waits for all of them, so
what it records depends only on the wheels, never on how fast the network was (a time budget was
tried: it made the same inputs give different locks). Answers are cached by sha256 for good, so
only a machine's first lock of a wheel pays for reading it. A wheel that cannot be read is left
unknown (the lock says so) and `pinbox check` completes it when an image's CMD needs it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from pinbox.inventory import Wheel
from pinbox.inventory.cache import entry_points_dir
from pinbox.inventory.entry_points import Lookup, lookup
from pinbox.inventory.uv_cache import uv_cache_dir
from pinbox.names import normalize

WORKERS = 16
BUDGET = 100.0  # of the resolution's time, waited for the lookups once uv is done
MIN_WAIT = 0.05  # seconds


def wheels_of(resolutions: Sequence[Sequence[dict[str, Any]]]) -> list[Wheel]:
    """One wheel (URL, sha256) per (name, version) of uv's pylock packages."""
    wheels: dict[tuple[str, str], Wheel] = {}
    for packages in resolutions:
        for package in packages:
            key = (normalize(str(package.get("name"))), str(package.get("version")))
            wheel = next(iter(package.get("wheels") or ()), None)
            if key not in wheels and isinstance(wheel, dict) and wheel.get("url"):
                sha = str((wheel.get("hashes") or {}).get("sha256", ""))
                wheels[key] = Wheel(str(wheel["url"]), sha, key[0], key[1], wheel.get("size"))
    return list(wheels.values())


def _uv_dir_once() -> Any:
    lock = threading.Lock()
    found: list[Any] = []

    def get() -> Any:
        with lock:
            if not found:
                found.append(uv_cache_dir())
            return found[0]

    return get


class ScriptsLookup:
    """Started with the resolver's packages; `result()` is sha256 -> scripts (None: unknown).

    The workers are daemon threads: on Ctrl-C, a lookup still waiting on the network never holds
    up pinbox's exit (each request has its own timeout otherwise)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Wheel] = queue.SimpleQueue()
        self._found: dict[str, Lookup] = {}
        self._wanted: set[str] = set()
        self._done = threading.Condition()
        self._crash: BaseException | None = None
        self.errors: list[str] = []

    def start(self, resolutions: Sequence[Sequence[dict[str, Any]]]) -> None:
        self.start_wheels(wheels_of(resolutions))

    def start_wheels(self, wheels: Iterable[Wheel]) -> None:
        for wheel in wheels:
            if wheel.sha256.lower() not in self._wanted:
                self._wanted.add(wheel.sha256.lower())
                self._queue.put(wheel)
        folder, uv_dir = entry_points_dir(), _uv_dir_once()
        for _ in range(min(WORKERS, len(self._wanted))):
            threading.Thread(target=self._work, args=(folder, uv_dir), daemon=True).start()

    def _work(self, folder: Any, uv_dir: Any) -> None:
        while True:
            try:
                wheel = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                found = lookup(wheel, cache_dir=folder, uv_dir=uv_dir)
            except BaseException as exc:  # a bug: raised in the main thread, never a hang
                with self._done:
                    self._crash = exc
                    self._done.notify_all()
                return
            with self._done:
                self._found[wheel.sha256.lower()] = found
                self._done.notify_all()

    def result(self) -> dict[str, tuple[str, ...] | None]:
        """sha256 -> scripts, once every lookup has answered (None: it failed)."""
        with self._done:
            while len(self._found) < len(self._wanted) and self._crash is None:
                self._done.wait()
            if self._crash is not None:
                raise self._crash
            found = dict(self._found)
        self.errors = [f.error for f in found.values() if f.error]
        return {sha: found[sha].scripts for sha in self._wanted}


def scripts_of_pins(
    pins: Sequence[tuple[str, str, tuple[str, ...], str | None]],
) -> dict[str, tuple[str, ...] | None]:
    """Console scripts of locked pins (name, version, sha256s, wheel URL or None), for a lock that
    did not record them all: pinbox's cache first (by sha256), then the wheel on PyPI (the URL the
    lock names only when it is PyPI's own file host, else found by its sha256: a lock in a
    stranger's pull request never makes pinbox fetch from a host it chose). None for a pin that
    stays unknown; after the first failure (offline CI, PyPI unreachable) nothing more is asked."""
    from concurrent.futures import ThreadPoolExecutor

    from pinbox.errors import PinboxError
    from pinbox.inventory import cache
    from pinbox.inventory.pypi import PYPI_FILES, pypi_wheel

    folder, uv_dir = entry_points_dir(), _uv_dir_once()
    failed = threading.Event()

    def one(pin: tuple[str, str, tuple[str, ...], str | None]) -> tuple[str, tuple[str, ...] | None]:
        name, version, hashes, url = pin
        for sha in hashes:
            if (known := cache.load(folder, sha.lower())) is not None:
                return name, known
        if failed.is_set():
            return name, None
        try:
            wheel = (
                Wheel(url, hashes[0], name, version)
                if url and url.startswith(PYPI_FILES) and hashes
                else pypi_wheel(name, version, hashes)
            )
        except PinboxError:
            failed.set()
            return name, None
        if wheel is None:
            return name, None  # no such file on PyPI
        found = lookup(wheel, cache_dir=folder, uv_dir=uv_dir)
        if found.scripts is None:
            failed.set()
        return name, found.scripts

    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="pinbox-scripts") as pool:
        return dict(pool.map(one, pins))
