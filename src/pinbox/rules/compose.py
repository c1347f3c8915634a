"""Rule family: GPUs reserved in compose files against the CUDA wheels locked for them.

Also what the image rules ask about GPUs: which locked packages are CUDA builds and how big
(data/image_cuda_wheels.toml), which locks serve a folder, and whether a Dockerfile or a compose
service asks for a GPU.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pinbox.rules.context import ComposeDoc, DockerfileDoc, Project, PylockDoc, RequirementsDoc
from pinbox.rules.model import Finding, Rule
from pinbox.tomlcompat import tomllib

LockDoc = RequirementsDoc | PylockDoc
GPU_RESERVATION = "deploy.resources.reservations.devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]"


@cache
def data_table(name: str) -> dict[str, Any]:
    """A table of pinbox/data/ (image_cuda_wheels.toml, image_opencv.toml, ...), read once."""
    table: dict[str, Any] = tomllib.loads(
        resources.files("pinbox").joinpath(f"data/{name}").read_text("utf-8")
    )
    return table


def cuda_table() -> dict[str, Any]:
    return data_table("image_cuda_wheels.toml")


@dataclass(frozen=True)
class Locked:
    """One package pinned in a lock: where, and (from a pylock.toml) its wheel's size."""

    name: str  # normalised
    version: str
    line: int
    size: int | None = None


def locked(doc: LockDoc) -> tuple[Locked, ...]:
    """The lock's packages, in file order."""
    if isinstance(doc, RequirementsDoc):
        return tuple(
            Locked(e.name, next(iter(e.requirement.specifier)).version if e.is_pinned else "", e.line)
            for e in doc.parsed.requirements
            if e.name and e.requirement
        )
    packages = doc.data.get("packages", [])
    return tuple(
        Locked(name, str(p.get("version", "")), _toml_line(doc.text, name), _wheel_size(p.get("wheels")))
        for p in packages
        if isinstance(p, dict) and (name := canonicalize_name(str(p.get("name", ""))))
    )


def _toml_line(text: str, name: str) -> int:
    spelled = "[-_.]+".join(re.escape(part) for part in name.split("-"))
    found = re.search(rf"""^\s*name\s*=\s*["']{spelled}["']""", text, re.MULTILINE | re.IGNORECASE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _wheel_size(wheels: object) -> int | None:
    """The size of the package's x86_64 wheel (else its largest): what an amd64 image downloads."""
    sized = [
        (str(w.get("name") or w.get("url") or ""), w["size"])
        for w in (wheels if isinstance(wheels, list) else [])
        if isinstance(w, dict) and isinstance(w.get("size"), int)
    ]
    amd64 = [size for filename, size in sized if "x86_64" in filename]
    return max(amd64 or [size for _, size in sized], default=None)


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


def locks_for(project: Project, folder: Path) -> list[LockDoc]:
    """The locks inside `folder` (a build context), else every lock of the project."""
    locks: list[LockDoc] = [r for r in project.requirements if r.is_lock]
    locks += project.pylocks
    inside = [doc for doc in locks if doc.path.resolve().is_relative_to(folder.resolve())]
    return inside or locks


def image_name(ref: str) -> str:
    """A reference as the tables write it: lower case, without docker.io/ and library/."""
    ref = ref.lower().removeprefix("docker.io/").removeprefix("index.docker.io/")
    return ref.removeprefix("library/")


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


def services(doc: ComposeDoc) -> dict[str, dict[str, Any]]:
    found = doc.data.get("services")
    if not isinstance(found, dict):
        return {}
    return {str(name): s for name, s in found.items() if isinstance(s, dict)}


def reserves_gpu(service: dict[str, Any]) -> bool:
    """A device reservation for a GPU (or the `gpus:` / `runtime: nvidia` shorthands)."""
    if service.get("gpus") or service.get("runtime") == "nvidia":
        return True
    devices: Any = service
    for key in ("deploy", "resources", "reservations", "devices"):
        devices = devices.get(key) if isinstance(devices, dict) else None
    return any(
        isinstance(d, dict)
        and (d.get("driver") == "nvidia" or "gpu" in map(str, d.get("capabilities") or ()))
        for d in (devices if isinstance(devices, list) else ())
    )


def project_reserves_gpu(project: Project) -> bool:
    return any(reserves_gpu(s) for doc in project.composes for s in services(doc).values())


def service_line(text: str, name: str) -> int:
    """The line of a service's key under `services:` (yaml.safe_load keeps no positions)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"services\s*:", line)), None)
    if start is None:
        return 1
    body = [(i, line) for i, line in enumerate(lines[start + 1 :], start + 1) if line.strip()]
    body = [(i, line) for i, line in body if not line.lstrip().startswith("#")]
    indent = len(body[0][1]) - len(body[0][1].lstrip()) if body else 0
    key = re.compile(rf"""\s{{{indent}}}["']?{re.escape(name)}["']?\s*:""")
    return next((i + 1 for i, line in body if key.match(line)), start + 1)


def build_of(compose: ComposeDoc, service: dict[str, Any]) -> tuple[Path, Path] | None:
    """(context folder, Dockerfile) of a service that builds an image, else None."""
    build = service.get("build")
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context, dockerfile = str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))
    else:
        return None
    if "://" in context or context.startswith("git@"):
        return None  # a remote context: not this project's files
    folder = compose.path.parent / context
    return folder, folder / dockerfile


def _built(project: Project) -> Iterator[tuple[ComposeDoc, str, dict[str, Any], Path, Path]]:
    for compose in project.composes:
        for name, service in services(compose).items():
            build = build_of(compose, service)
            if build is not None:
                yield compose, name, service, *build


def _gpu_without_cuda(project: Project) -> Iterator[Finding]:
    for compose, name, service, folder, dockerfile in _built(project):
        if not reserves_gpu(service):
            continue
        doc = next((d for d in project.dockerfiles if d.path.resolve() == dockerfile.resolve()), None)
        if doc is not None and cuda_base(doc):
            continue  # code built against the base image's CUDA may be what uses the GPU
        locks = locks_for(project, folder)
        if not locks or any(is_cuda_build(p) for lock in locks for p in locked(lock)):
            continue
        names = ", ".join(lock.path.name for lock in locks)
        yield COMPOSE_GPU_WITHOUT_CUDA.finding(
            compose.path,
            service_line(compose.text, name),
            f"service `{name}` reserves a GPU, but its lock ({names}) has no CUDA wheels (no nvidia-*, "
            "no torch/jax CUDA build), so the GPU sits unused; lock the CUDA build (torch from "
            "https://download.pytorch.org/whl/cu124, `uv pip compile --torch-backend auto`, jax[cuda12]) "
            "or drop the reservation",
        )


def _cuda_without_gpu(project: Project) -> Iterator[Finding]:
    if project_reserves_gpu(project):
        return
    for compose, name, _service, folder, _dockerfile in _built(project):
        for lock in locks_for(project, folder):
            cuda = [p.name for p in locked(lock) if is_cuda_build(p)]
            if cuda:
                shown = ", ".join(cuda[:3]) + (f" and {len(cuda) - 3} more" if len(cuda) > 3 else "")
                yield COMPOSE_CUDA_WITHOUT_GPU.finding(
                    compose.path,
                    service_line(compose.text, name),
                    f"service `{name}` installs {lock.path.name}, which pins CUDA wheels ({shown}), but no "
                    f"service reserves a GPU, so they run on CPU or fail; reserve one ({GPU_RESERVATION}) "
                    "or lock CPU-only wheels (see cuda-wheels-on-cpu-image)",
                )
                break


COMPOSE_GPU_WITHOUT_CUDA = Rule(
    code="PB401",
    name="compose-gpu-without-cuda",
    check=_gpu_without_cuda,
    summary="A compose service reserves a GPU, but the lock it installs has no CUDA wheels.",
    doc="""## What it does
Reports a compose service that builds this project's image and reserves a GPU
(`deploy.resources.reservations.devices` with `capabilities: [gpu]` or `driver: nvidia`, or
`gpus:`), while the lock for its build context pins no CUDA build: no `nvidia-*` wheels, no
`torch==X+cuNNN` or `jaxlib` CUDA build, no CUDA plugin. Services that only run a published image,
and images built on a CUDA base (whose own CUDA may be what uses the GPU), are not reported.

## Why is this bad?
The CPU wheels never touch the GPU: the service holds a scarce device, and the model silently
trains or serves on CPU, many times slower.

## Example
```
services:
  train:
    build: .
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
# requirements.lock: torch==2.5.1+cpu
```

## Use instead
Lock the CUDA build (`--index-url https://download.pytorch.org/whl/cu124` in requirements.in, or
`uv pip compile --torch-backend auto`), or remove the reservation.

## Fix safety
No fix: which of the two is right is your decision.
""",
)

COMPOSE_CUDA_WITHOUT_GPU = Rule(
    code="PB402",
    name="compose-cuda-without-gpu",
    check=_cuda_without_gpu,
    summary="The lock pins CUDA wheels, but no compose service reserves a GPU.",
    doc="""## What it does
Reports each compose service that builds this project's image when the lock for its build
context pins CUDA wheels (`nvidia-*`, `torch==X+cuNNN`, a jax CUDA plugin) and no service in the
project reserves a GPU. The finding is on the service's key.

## Why is this bad?
Without a reservation the container sees no GPU: CUDA code fails or falls back to CPU, and the
image carries gigabytes of CUDA libraries for nothing.

## Example
```
services:
  api:
    build: .
# requirements.lock: torch==2.5.1, nvidia-cublas-cu12==12.4.5.8, ...
```

## Use instead
```
services:
  api:
    build: .
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
```
or lock CPU wheels (torch from https://download.pytorch.org/whl/cpu).

## Fix safety
No fix: adding a reservation or dropping CUDA is your decision.
""",
)

RULES: tuple[Rule, ...] = (COMPOSE_GPU_WITHOUT_CUDA, COMPOSE_CUDA_WITHOUT_GPU)
