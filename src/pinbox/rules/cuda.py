"""The image rule cuda-wheels-on-cpu-image (PB303), and the project-level views of the GPU policy
(pinbox.gpu decides; this reads Dockerfiles, compose services and locks for it). The compose
rules that weigh GPU reservations against the locked CUDA wheels are in `compose`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pinbox import gpu
from pinbox.rules.context import DockerfileDoc, LockDoc, Project
from pinbox.rules.context_bloat import human_size
from pinbox.rules.documented import documented
from pinbox.rules.locked import Locked, locked
from pinbox.rules.model import Finding


def gpu_hint(doc: DockerfileDoc) -> str | None:
    """What in a Dockerfile asks for a GPU (the policy is pinbox.gpu's)."""
    return gpu.dockerfile_hint((s.base_resolved for s in doc.model.stages), doc.text)


def cuda_base(doc: DockerfileDoc) -> str | None:
    return gpu.cuda_base(s.base_resolved for s in doc.model.stages)


def is_cuda_build(package: Locked) -> bool:
    return gpu.is_cuda_build(package.name, package.version)


def project_reserves_gpu(project: Project) -> bool:
    return any(gpu.reserves_gpu(s) for doc in project.composes for s in doc.services.values())


def way_out_text(need: gpu.GpuNeed) -> str:
    """`torch pulls nvidia-cublas-cu12, ...: lock torch from ...` for each package to blame."""
    return "; ".join(
        f"{i.puller} pulls {', '.join(i.wheels[:3])}{', ...' if len(i.wheels) > 3 else ''} in: {i.way_out}"
        if i.puller != "?"
        else i.way_out
        for i in need.incidental
    )


# --- PB303 -------------------------------------------------------------------------------------


def _approx_size(name: str) -> int | None:
    row = gpu.cuda_row(name)
    return int(row["mb"] * 10**6) if row else None


def _cuda_message(lock: LockDoc, wheels: list[Locked], docs: list[DockerfileDoc], need: gpu.GpuNeed) -> str:
    sizes = {p.name: p.size if p.size is not None else _approx_size(p.name) for p in wheels}
    total = human_size(sum(s for s in sizes.values() if s is not None))
    amount = f"about {total} (approximate sizes)" if any(p.size is None for p in wheels) else total
    unknown = sum(1 for s in sizes.values() if s is None)
    amount += f" plus {unknown} of unknown size" if unknown else ""
    return (
        f"{lock.path.name} pins {len(sizes)} CUDA wheel{'s' if len(sizes) > 1 else ''} that no requirement "
        f"asked for, adding {amount} to {', '.join(sorted({d.path.name for d in docs}))}, which asks for no "
        "GPU (no CUDA base image, no NVIDIA_VISIBLE_DEVICES or --gpus, no compose GPU reservation); for a "
        f"CPU image: {way_out_text(need)}"
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
        need = gpu.decide(locked(lock))
        if need.gpu or not need.incidental:
            continue  # the requirements chose a CUDA build: a GPU image by intent
        names = set(need.incidental_wheels)
        wheels = [p for p in locked(lock) if p.name in names]
        line = min(p.line for p in wheels)
        yield CUDA_WHEELS_ON_CPU_IMAGE.finding(lock.path, line, _cuda_message(lock, wheels, docs, need))


CUDA_WHEELS_ON_CPU_IMAGE = documented("image_rules", "PB303", "cuda-wheels-on-cpu-image", _cuda_on_cpu)

RULES = (CUDA_WHEELS_ON_CPU_IMAGE,)
