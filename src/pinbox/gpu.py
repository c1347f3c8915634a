"""One GPU policy: whether an image needs a GPU, decided from what the user asked for, and what to
say about CUDA wheels that came in by accident. `pinbox init`, cuda-wheels-on-cpu-image (PB303)
and the compose GPU rules (PB401, PB402) all decide here.

A GPU is wanted when the user said so: `--gpu`; a CUDA base image or an NVIDIA runtime setting in
the Dockerfile; a compose service that reserves a GPU; or a CUDA variant the requirements chose
(a CUDA build by version, torch==2.5.1+cu124; a GPU-only distribution, jax-cuda12-plugin,
cupy-cuda12x, onnxruntime-gpu; a CUDA extra, jax[cuda12], tensorflow[and-cuda]; an nvidia-*
wheel required by name). NVIDIA wheels that a package pulls in by default on Linux (torch from
PyPI, xgboost's nvidia-nccl-cu12) are never a reason: they are incidental, the image stays CPU,
and the package that pulled them in is named with its CPU way out (data/image_cuda_wheels.toml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Protocol

from pinbox import wildcard
from pinbox.datafiles import data_table
from pinbox.names import package_name
from pinbox.record import Record
from pinbox.reference import image_matches

_EXTRA = re.compile(r"\[([^\]]*)\]")


class Pinned(Protocol):
    """What the policy reads of a locked package (rules' `Locked`, init's `LockedBlock`)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def roots(self) -> tuple[str, ...]: ...


@cache
def cuda_table() -> dict[str, Any]:
    return data_table("image_cuda_wheels")


def cuda_row(name: str) -> dict[str, Any] | None:
    """The size-table row of an nvidia-* CUDA wheel (`nvidia-cublas-cu12` -> nvidia-cublas)."""
    return next(
        (r for r in cuda_table()["wheel"] if re.fullmatch(re.escape(r["name"]) + r"(-cu\d+)?", name)),
        None,
    )


def is_cuda_wheel(name: str) -> bool:
    """An NVIDIA CUDA library wheel (not the small NVML bindings such as nvidia-ml-py)."""
    return name.startswith("nvidia-") and (cuda_row(name) is not None or bool(re.search(r"-cu\d+$", name)))


def _cuda_variant(name: str, version: str) -> bool:
    """A CUDA build by its local version (torch+cu124) or a distribution that exists only for GPUs."""
    builds = cuda_table()["cuda-builds"]
    return (name in builds["local-version"] and "+cu" in version) or any(
        wildcard.matches(name, pattern) for pattern in builds["names"]
    )


def is_cuda_build(name: str, version: str) -> bool:
    """A CUDA wheel, a CUDA build by local version (torch+cu124), or a GPU-only distribution."""
    return is_cuda_wheel(name) or _cuda_variant(name, version)


def _cuda_extra(root: str) -> bool:
    found = _EXTRA.search(root)
    return found is not None and any(
        "cuda" in extra.lower() or extra.strip().lower() == "gpu" for extra in found.group(1).split(",")
    )


def chosen(pin: Pinned) -> str | None:
    """The requirement that chose a CUDA build on purpose, when this pin is one; else None."""
    if _cuda_variant(pin.name, pin.version):
        return f"{pin.name}=={pin.version}"
    if is_cuda_wheel(pin.name):
        asked = [r for r in pin.roots if _cuda_extra(r) or package_name(r) == pin.name]
        return asked[0] if asked else None
    return None


class Incidental(Record):
    """CUDA wheels one requirement pulled in without asking for CUDA, and its CPU way out."""

    puller: str  # the top-level requirement's name
    wheels: tuple[str, ...]
    way_out: str


class GpuNeed(Record):
    gpu: bool
    why: str  # what asked for it ("" when nothing did)
    incidental: tuple[Incidental, ...] = ()

    @property
    def incidental_wheels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for i in self.incidental for w in i.wheels))


def way_out(puller: str) -> str:
    """What to require instead of `puller` for a CPU image (`?`: the lock does not say who pulled)."""
    ways: dict[str, str] = cuda_table()["way-out"]
    if puller == "?":
        return ways["unknown"]
    return ways.get(puller, ways["default"]).replace("{name}", puller)


def incidental(pins: Iterable[Pinned]) -> tuple[Incidental, ...]:
    """CUDA wheels no requirement chose, grouped by the requirement that pulled them in (from the
    lock's notes; `?` when the lock does not say)."""
    by: dict[str, list[str]] = {}
    for pin in pins:
        if is_cuda_wheel(pin.name) and chosen(pin) is None:
            pullers = [n for n in (package_name(r) for r in pin.roots) if n and not is_cuda_wheel(n)]
            for puller in pullers or ["?"]:
                by.setdefault(puller, []).append(pin.name)
    return tuple(Incidental(p, tuple(w), way_out(p)) for p, w in sorted(by.items()))


def decide(
    pins: Iterable[Pinned],
    *,
    flag: bool = False,
    dockerfile: str | None = None,
    compose: str | None = None,
) -> GpuNeed:
    """GPU need from intent: `flag` (--gpu), `dockerfile` (what in it asks for a GPU, see
    `dockerfile_hint`), `compose` (the service that reserves one), or a CUDA variant in the pins."""
    pins = list(pins)
    accidental = incidental(pins)
    for asked, why in ((flag, "--gpu"), (dockerfile, f"the Dockerfile's {dockerfile}"), (compose, compose)):
        if asked:
            return GpuNeed(True, str(why), accidental)
    variant = next((c for c in map(chosen, pins) if c), None)
    if variant:
        return GpuNeed(True, f"{variant} is a CUDA build", accidental)
    return GpuNeed(False, "", accidental)


def cuda_base(bases: Iterable[str]) -> str | None:
    """The first of a Dockerfile's base images that ships CUDA (nvidia/cuda, NGC, ...)."""
    patterns = cuda_table()["gpu"]["bases"]
    return next((b for b in bases if image_matches(b, patterns)), None)


def dockerfile_hint(bases: Iterable[str], text: str) -> str | None:
    """What in a Dockerfile asks for a GPU: a CUDA base image or an NVIDIA runtime setting."""
    base = cuda_base(bases)
    if base:
        return f"CUDA base image {base}"
    hint = next((h for h in cuda_table()["gpu"]["hints"] if h in text), None)
    return f"{hint} setting" if hint else None


def reserves_gpu(service: Mapping[str, Any]) -> bool:
    """A compose service's device reservation for a GPU (or the `gpus:` / `runtime: nvidia` shorthands)."""
    if service.get("gpus") or service.get("runtime") == "nvidia":
        return True
    devices: Any = service
    for key in ("deploy", "resources", "reservations", "devices"):
        devices = devices.get(key) if isinstance(devices, dict) else None
    return any(
        isinstance(d, dict) and (d.get("driver") == "nvidia" or "gpu" in _strings(d.get("capabilities")))
        for d in (devices if isinstance(devices, list) else ())
    )


def _strings(value: Any) -> list[str]:
    """A compose list of strings as written (anything else, a number say, holds none)."""
    return [str(v) for v in value] if isinstance(value, list) else []
