"""The console scripts of the locked wheels (`uvicorn`, `streamlit`, ...), looked up while uv
annotates the resolution, so that checks can tell whether an image's CMD program is installed.

One wheel per pin is read (scripts do not differ between a release's platform wheels), through
pinbox.inventory: pinbox's cache, uv's cache, or a few range requests.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from pinbox.inventory import Wheel, console_scripts_many
from pinbox.names import normalize

MAX_SECONDS = 120.0


class ScriptsLookup:
    """Start with the resolver's packages; `result()` is sha256 -> scripts (None: unknown)."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._found: dict[str, tuple[str, ...] | None] = {}
        self.errors: list[str] = []

    def start(self, resolutions: Sequence[Sequence[dict[str, Any]]]) -> None:
        wheels: dict[tuple[str, str], Wheel] = {}
        for packages in resolutions:
            for package in packages:
                key = (str(normalize(str(package.get("name")))), str(package.get("version")))
                wheel = next(iter(package.get("wheels") or ()), None)
                if key not in wheels and isinstance(wheel, dict) and wheel.get("url"):
                    sha = str((wheel.get("hashes") or {}).get("sha256", ""))
                    wheels[key] = Wheel(str(wheel["url"]), sha, key[0], key[1], wheel.get("size"))
        self._thread = threading.Thread(target=self._run, args=(list(wheels.values()),), daemon=True)
        self._thread.start()

    def _run(self, wheels: list[Wheel]) -> None:
        found = console_scripts_many(wheels, workers=16)
        self._found = {sha: lookup.scripts for sha, lookup in found.items()}
        self.errors = [lookup.error for lookup in found.values() if lookup.error]

    def result(self) -> dict[str, tuple[str, ...] | None]:
        if self._thread is not None:
            self._thread.join(MAX_SECONDS)
        return dict(self._found)
