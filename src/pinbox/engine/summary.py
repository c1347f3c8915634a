"""What `pinbox build` reports on the image it built: time, cached and rebuilt steps, image and
layer sizes, the dependency layers against the installed size of the locked packages, and the
smoke test; as text, or as JSON with named fields."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import field

from pinbox.engine import images
from pinbox.engine.build import BuildResult
from pinbox.engine.docker import DockerClient
from pinbox.engine.smoke import Smoke
from pinbox.lock.read import LockedBlock
from pinbox.record import dataclass
from pinbox.units import human_size

_DEPENDENCY_LAYER = re.compile(r"/opt/layers/|pip3? install|uv pip (install|sync)|python3? -m pip install")


@dataclass(frozen=True)
class Summary:
    image: str
    seconds: float
    steps: int
    cached: list[str]
    rebuilt: list[tuple[str, float | None]]
    size: int
    layers: list[tuple[int, str]]
    dependency_bytes: int
    installed_bytes: int | None
    smoke: Smoke = field(default_factory=Smoke)

    @property
    def overhead(self) -> float | None:
        """Dependency layers over the installed size of the locked packages, minus one."""
        return self.dependency_bytes / self.installed_bytes - 1 if self.installed_bytes else None


@dataclass(frozen=True)
class Layers:
    """The image's layers, its dependency layers, and the key its floor is remembered by."""

    all: list[images.Layer]
    deps: list[images.Layer]
    floor_key: str | None


def layers_of(client: DockerClient, ref: str, blocks: list[LockedBlock]) -> Layers:
    found = images.layers(client, ref)
    deps = [layer for layer in found if _DEPENDENCY_LAYER.search(layer.created_by)]
    basis = [[b.text for b in blocks], [(d.size, d.created_by) for d in deps]]
    key = hashlib.sha256(json.dumps(basis).encode()).hexdigest() if blocks else None
    return Layers(found, deps, key)


def summarize(ref: str, result: BuildResult, size: int, layers: Layers, floor: int | None) -> Summary:
    steps = result.log.user_steps
    return Summary(
        image=ref,
        seconds=round(result.seconds, 2),
        steps=len(steps),
        cached=[s.name for s in steps if s.cached],
        rebuilt=[(s.name, s.seconds) for s in steps if not s.cached],
        size=size,
        layers=[(layer.size, layer.created_by) for layer in layers.all],
        dependency_bytes=sum(layer.size for layer in layers.deps),
        installed_bytes=floor,
    )


def render(summary: Summary) -> str:
    lines = [
        f"Built {summary.image} in {summary.seconds}s: {summary.steps} steps, {len(summary.cached)} cached",
        f"image size: {human_size(summary.size)}",
        "layers (oldest first, empty ones left out):",
        *(f"  {human_size(size):>10}  {_short(created)}" for size, created in summary.layers if size),
    ]
    if summary.installed_bytes and summary.overhead is not None:
        lines.append(
            f"dependency layers: {human_size(summary.dependency_bytes)}; locked packages installed: "
            f"{human_size(summary.installed_bytes)} (the floor); overhead {100 * summary.overhead:+.1f}%"
        )
    return "\n".join(lines)


def _short(created_by: str) -> str:
    text = re.sub(r"^/bin/sh -c (#\(nop\) )?", "", created_by).strip()
    text = re.sub(r"\s+", " ", text)
    return text if len(text) < 100 else text[:97] + "..."


def as_json(summary: Summary) -> str:
    """Named fields only: every list holds objects, never positional arrays."""
    data = {
        "image": summary.image,
        "seconds": summary.seconds,
        "steps": summary.steps,
        "cached": summary.cached,
        "rebuilt": [{"step": name, "seconds": seconds} for name, seconds in summary.rebuilt],
        "size": summary.size,
        "layers": [{"size": size, "created_by": created} for size, created in summary.layers],
        "dependency_bytes": summary.dependency_bytes,
        "installed_bytes": summary.installed_bytes,
        "overhead": summary.overhead,
        "smoke": {
            "imported": list(summary.smoke.imported),
            "unchanged": list(summary.smoke.unchanged),
            "broken": [b.__dict__ for b in summary.smoke.broken],
            "missing": list(summary.smoke.missing),
            "skipped": summary.smoke.skipped,
        },
    }
    return json.dumps(data, indent=2)
