"""Rule family: GPUs reserved in compose files against the CUDA wheels locked for them.

What counts as a CUDA build, a GPU reservation or GPU intent is pinbox.gpu's policy; summaries and
docs are in data/compose_rules.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pinbox import gpu
from pinbox.rules.context import ComposeDoc, Project
from pinbox.rules.cuda import cuda_base, is_cuda_build, project_reserves_gpu, way_out_text
from pinbox.rules.documented import documented
from pinbox.rules.locked import locked
from pinbox.rules.model import Finding

GPU_RESERVATION = "deploy.resources.reservations.devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]"


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
        for name, service in compose.services.items():
            build = build_of(compose, service)
            if build is not None:
                yield compose, name, service, *build


def _gpu_without_cuda(project: Project) -> Iterator[Finding]:
    for compose, name, service, folder, dockerfile in _built(project):
        if not gpu.reserves_gpu(service):
            continue
        doc = next((d for d in project.dockerfiles if d.path.resolve() == dockerfile.resolve()), None)
        if doc is not None and cuda_base(doc):
            continue  # code built against the base image's CUDA may be what uses the GPU
        locks = project.locks_in(folder)
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
        for lock in project.locks_in(folder):
            cuda = [p.name for p in locked(lock) if is_cuda_build(p)]
            if cuda:
                shown = ", ".join(cuda[:3]) + (f" and {len(cuda) - 3} more" if len(cuda) > 3 else "")
                need = gpu.decide(locked(lock))
                pins = f"service `{name}` installs {lock.path.name}, which pins CUDA wheels ({shown})"
                if need.gpu:
                    message = (
                        f"{pins} because {need.why}, but no service reserves a GPU, so they run on CPU or "
                        f"fail; reserve one ({GPU_RESERVATION})"
                    )
                else:
                    message = (
                        f"{pins} that no requirement asked for, and no service reserves a GPU; for a CPU "
                        f"service: {way_out_text(need)}; or reserve a GPU ({GPU_RESERVATION})"
                    )
                line = service_line(compose.text, name)
                yield COMPOSE_CUDA_WITHOUT_GPU.finding(compose.path, line, message)
                break


_TABLE = "compose_rules"  # data/compose_rules.toml
COMPOSE_GPU_WITHOUT_CUDA = documented(_TABLE, "PB401", "compose-gpu-without-cuda", _gpu_without_cuda)
COMPOSE_CUDA_WITHOUT_GPU = documented(_TABLE, "PB402", "compose-cuda-without-gpu", _cuda_without_gpu)

RULES = (COMPOSE_GPU_WITHOUT_CUDA, COMPOSE_CUDA_WITHOUT_GPU)
