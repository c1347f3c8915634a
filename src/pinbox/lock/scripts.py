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

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pinbox.errors import PinboxError
from pinbox.inventory import cache as scripts_cache
from pinbox.inventory import pypi
from pinbox.inventory.entry_points import MAX_WORKERS, Lookup, Wheel, start_lookups
from pinbox.inventory.pool import Pending
from pinbox.names import normalize

Pin = tuple[str, str, tuple[str, ...]]  # name, version, sha256 digests of its files


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


class ScriptsLookup:
    """Started with the resolver's packages; `result()` is sha256 -> scripts (None: unknown)."""

    def __init__(self) -> None:
        self._wait: Callable[[], dict[str, Lookup]] = dict
        self.errors: list[str] = []

    def start(self, resolutions: Sequence[Sequence[dict[str, Any]]]) -> None:
        self.start_wheels(wheels_of(resolutions))

    def start_wheels(self, wheels: Iterable[Wheel]) -> None:
        self._wait = start_lookups(wheels)

    def result(self) -> dict[str, tuple[str, ...] | None]:
        """sha256 -> scripts, once every lookup has answered (None: it failed)."""
        found = self._wait()
        self.errors = [f.error for f in found.values() if f.error]
        return {sha: lookup.scripts for sha, lookup in found.items()}


def scripts_of_pins(pins: tuple[Pin, ...]) -> frozenset[str] | None:
    """Every console script of the pins, for a lock that did not record them: pinbox's cache first
    (by sha256), then the wheel on PyPI found by its sha256 among the files PyPI lists for that
    name and version (never a URL the lock names: a lock in a stranger's pull request must not
    choose what pinbox fetches or what it caches under a digest). None as soon as one pin stays
    unknown (not on PyPI, or PyPI unreachable): nothing more is asked then."""
    folder = scripts_cache.entry_points_dir()
    found: set[str] = set()
    missing: list[Pin] = []
    for pin in pins:
        known = next((s for h in pin[2] if (s := scripts_cache.load(folder, h.lower())) is not None), None)
        if known is None:
            missing.append(pin)
        else:
            found.update(known)
    stop = threading.Event()

    def wheel_of(pin: Pin) -> Wheel | None:
        if stop.is_set():
            return None
        try:
            wheel = pypi.pypi_wheel(*pin)
        except PinboxError:
            wheel = None
        if wheel is None:
            stop.set()
        return wheel

    wheels = Pending(wheel_of, missing, MAX_WORKERS).wait()
    if stop.is_set():
        return None
    looked = start_lookups(w for w in wheels if w is not None)()
    if any(lookup.scripts is None for lookup in looked.values()):
        return None
    return frozenset(found.union(*(lookup.scripts or () for lookup in looked.values())))
