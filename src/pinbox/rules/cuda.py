"""CUDA and GPUs: which locked packages are CUDA builds and how big they are
(data/image_cuda_wheels.toml), whether a Dockerfile or a compose service asks for a GPU, and the
image rule cuda-wheels-on-cpu-image (PB303). The compose rules that weigh GPU reservations
against the locked CUDA wheels are in `compose`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pinbox.datafiles import data_table
from pinbox.rules.context import DockerfileDoc, LockDoc, Project
from pinbox.rules.context_bloat import human_size
from pinbox.rules.documented import documented
from pinbox.rules.image import image_name
from pinbox.rules.locked import Locked, locked
from pinbox.rules.model import Finding

CPU_TORCH = "https://download.pytorch.org/whl/cpu"


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


def is_cuda_build(package: Locked) -> bool:
    """A CUDA wheel, a CUDA build by local version (torch+cu124), or a GPU-only distribution."""
    builds = cuda_table()["cuda-builds"]
    return (
        is_cuda_wheel(package.name)
        or (package.name in builds["local-version"] and "+cu" in package.version)
        or any(fnmatch.fnmatchcase(package.name, pattern) for pattern in builds["names"])
    )


def cuda_base(doc: DockerfileDoc) -> str | None:
    """The first base image of the Dockerfile that ships CUDA (nvidia/cuda, NGC, ...)."""
    bases = cuda_table()["gpu"]["bases"]
    return next(
        (
            s.base_resolved
            for s in doc.model.stages
            if any(fnmatch.fnmatchcase(image_name(s.base_resolved), b) for b in bases)
        ),
        None,
    )


def gpu_hint(doc: DockerfileDoc) -> str | None:
    """What in a Dockerfile asks for a GPU: a CUDA base image or an NVIDIA runtime hint."""
    return cuda_base(doc) or next((h for h in cuda_table()["gpu"]["hints"] if h in doc.text), None)


def reserves_gpu(service: dict[str, Any]) -> bool:
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


def project_reserves_gpu(project: Project) -> bool:
    return any(reserves_gpu(s) for doc in project.composes for s in doc.services.values())


# --- PB303 -------------------------------------------------------------------------------------


def _approx_size(name: str) -> int | None:
    row = cuda_row(name)
    return int(row["mb"] * 10**6) if row else None


def _cuda_message(lock: LockDoc, wheels: list[Locked], docs: list[DockerfileDoc]) -> str:
    sizes = {p.name: p.size if p.size is not None else _approx_size(p.name) for p in wheels}
    total = human_size(sum(s for s in sizes.values() if s is not None))
    amount = f"about {total} (approximate sizes)" if any(p.size is None for p in wheels) else total
    unknown = sum(1 for s in sizes.values() if s is None)
    amount += f" plus {unknown} of unknown size" if unknown else ""
    biggest = sorted(sizes, key=lambda n: -(sizes[n] or 0))
    names = ", ".join(biggest[:3]) + (", ..." if len(biggest) > 3 else "")
    if any(p.name == "torch" for p in locked(lock)):
        cpu = (
            f"for a CPU image lock torch from {CPU_TORCH} (`--index-url {CPU_TORCH}` in requirements.in, "
            "or `uv pip compile --torch-backend cpu`)"
        )
    else:
        cpu = "for a CPU image drop the extra that pulls them in (jax[cuda12], tensorflow[and-cuda])"
    return (
        f"{lock.path.name} pins {len(sizes)} CUDA wheel{'s' if len(sizes) > 1 else ''} ({names}), adding "
        f"{amount} to {', '.join(sorted({d.path.name for d in docs}))}, which asks for no GPU (no CUDA base "
        f"image, no NVIDIA_VISIBLE_DEVICES or --gpus, no compose GPU reservation); {cpu}"
    )


def _cuda_on_cpu(project: Project) -> Iterator[Finding]:
    if project_reserves_gpu(project):
        return
    users: dict[Path, tuple[LockDoc, list[DockerfileDoc]]] = {}
    for doc in project.dockerfiles:
        if gpu_hint(doc) is None:
            for lock in project.locks_of(doc):
                users.setdefault(lock.path, (lock, []))[1].append(doc)
    for lock, docs in users.values():
        wheels = [p for p in locked(lock) if is_cuda_wheel(p.name)]
        if wheels:
            line = min(p.line for p in wheels)
            yield CUDA_WHEELS_ON_CPU_IMAGE.finding(lock.path, line, _cuda_message(lock, wheels, docs))


CUDA_WHEELS_ON_CPU_IMAGE = documented("image_rules", "PB303", "cuda-wheels-on-cpu-image", _cuda_on_cpu)

RULES = (CUDA_WHEELS_ON_CPU_IMAGE,)
