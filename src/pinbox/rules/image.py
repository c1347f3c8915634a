"""Rule family: the image a Dockerfile builds: its base, its user, what it carries and lacks.

The context rule (context-bloat) lives in rules/dockerignore.py beside the matcher it needs; the
CUDA and GPU facts shared with the compose rules live in rules/compose.py.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pinbox.dockerfile import Dockerfile
from pinbox.dockerfile.model import Instruction, Stage
from pinbox.dockerfile.shell import shell_words
from pinbox.requirements.model import Entry
from pinbox.rules import compose
from pinbox.rules.context import DockerfileDoc, Project, RequirementsDoc
from pinbox.rules.dockerignore import CONTEXT_BLOAT, human_size
from pinbox.rules.model import Edit, Finding, Fix, Rule, Severity
from pinbox.target import facts_of_image
from pinbox.textpos import offset

CPU_TORCH = "https://download.pytorch.org/whl/cpu"


def opencv_table() -> dict[str, Any]:
    return compose.data_table("image_opencv.toml")


def split_ref(ref: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of an image reference; a registry's `host:port/` is not a tag."""
    bare, _, digest = ref.partition("@")
    name, sep, tag = bare.rpartition(":")
    if not sep or "/" in tag:
        return bare, None, digest or None
    return name, tag, digest or None


def chain(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    """The stage, then the earlier stages it is built `FROM`, nearest first."""
    found = [stage]
    while (parent := dockerfile.stage_named(found[-1].base_resolved)) and parent.index < found[-1].index:
        found.append(parent)
    return found


def _col(text: str, line: int, needle: str) -> int:
    lines = text.splitlines()
    return lines[line - 1].find(needle) + 1 if line <= len(lines) and needle in lines[line - 1] else 1


def _floating(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for stage in doc.model.stages:
            ref = stage.base_resolved
            earlier = doc.model.stage_named(ref)
            if ref.lower() == "scratch" or (earlier is not None and earlier.index < stage.index):
                continue
            name, tag, digest = split_ref(ref)
            if digest or ("$" in stage.base and (tag is not None or not name)):
                continue  # pinned, or an ARG whose default gives the tag (a build arg can pin it)
            col = _col(doc.text, stage.from_line, stage.base)
            if tag in (None, "latest"):
                moves = "has no tag, so it means `latest`," if tag is None else "uses `latest`, which"
                severity = Severity.WARNING
                message = (
                    f"`FROM {ref}` {moves} moves with every release; pin a version tag and its digest: "
                    f"`{name}:<version>@sha256:<digest>`"
                )
            else:
                severity = Severity.INFO
                message = (
                    f"`{ref}` is pinned by tag only, and tags are re-pushed (security rebuilds); add its "
                    f"digest for reproducible builds: `{ref}@sha256:<digest>` (`docker buildx imagetools "
                    f"inspect {ref}` prints it)"
                )
            yield FLOATING_BASE_IMAGE.finding(doc.path, stage.from_line, message, col=col, severity=severity)


def _is_root(user: Instruction) -> bool:
    return (user.value[0] if user.value else "").split(":")[0] in ("root", "0")


def _runs_as_root(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        final = doc.model.final_stage
        if final is None:
            continue
        stages = chain(doc.model, final)  # a stage built FROM an earlier one inherits its USER
        users = [i for s in stages for i in reversed(s.instructions) if i.cmd == "USER"]
        base = stages[-1].base_resolved
        if (users and not _is_root(users[0])) or (not users and "nonroot" in base.lower()):
            continue
        add = "RUN adduser -D app" if facts_of_image(base).libc == "musl" else "RUN useradd --create-home app"
        if users:
            message = f"the final stage's last USER is `{users[0].value[0]}`, so the container runs as root"
        else:
            message = f"the final stage (`FROM {final.base}`) sets no USER, so the container runs as root"
        yield RUNS_AS_ROOT.finding(
            doc.path,
            users[0].line if users else final.from_line,
            f"{message}; create an unprivileged user and switch to it after the steps that need root: "
            f"`{add}` then `USER app`",
        )


def _locks(project: Project, doc: DockerfileDoc) -> list[compose.LockDoc]:
    """Locks the image may install: its context's (else the project's), if it installs anything."""
    return [
        lock for lock in compose.locks_for(project, doc.context) if doc.installs or lock.path.name in doc.text
    ]


def _approx_size(name: str) -> int | None:
    row = compose.cuda_row(name)
    return int(row["mb"] * 10**6) if row else None


def _cuda_message(lock: compose.LockDoc, wheels: list[compose.Locked], docs: list[DockerfileDoc]) -> str:
    sizes = {p.name: p.size if p.size is not None else _approx_size(p.name) for p in wheels}
    total = human_size(sum(s for s in sizes.values() if s is not None))
    amount = f"about {total} (approximate sizes)" if any(p.size is None for p in wheels) else total
    unknown = sum(1 for s in sizes.values() if s is None)
    amount += f" plus {unknown} of unknown size" if unknown else ""
    biggest = sorted(sizes, key=lambda n: -(sizes[n] or 0))
    names = ", ".join(biggest[:3]) + (", ..." if len(biggest) > 3 else "")
    if any(p.name == "torch" for p in compose.locked(lock)):
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
    if compose.project_reserves_gpu(project):
        return
    users: dict[Path, tuple[compose.LockDoc, list[DockerfileDoc]]] = {}
    for doc in project.dockerfiles:
        if compose.gpu_hint(doc) is None:
            for lock in _locks(project, doc):
                users.setdefault(lock.path, (lock, []))[1].append(doc)
    for lock, docs in users.values():
        wheels = [p for p in compose.locked(lock) if compose.is_cuda_wheel(p.name)]
        if wheels:
            line = min(p.line for p in wheels)
            yield CUDA_WHEELS_ON_CPU_IMAGE.finding(lock.path, line, _cuda_message(lock, wheels, docs))


def _slim_base(doc: DockerfileDoc) -> str | None:
    """The final stage's base image when it is one without libGL (python:*-slim, alpine, ...)."""
    final = doc.model.final_stage
    ref = chain(doc.model, final)[-1].base_resolved if final else "$"
    name, tag, _ = split_ref(compose.image_name(ref))
    short = f"{name.rsplit('/', 1)[-1]}:{tag or 'latest'}"
    patterns = [row["pattern"] for row in opencv_table()["slim-base"]]
    return ref if "$" not in ref and any(fnmatch.fnmatchcase(short, p) for p in patterns) else None


def _installs_libgl(doc: DockerfileDoc) -> bool:
    wanted = {row["name"] for row in opencv_table()["libgl"]}
    final = doc.model.final_stage
    runs = [i for s in (chain(doc.model, final) if final else []) for i in s.instructions if i.cmd == "RUN"]
    texts = [text for i in runs for text in (*i.heredocs, " ".join(i.value))]
    return any(w.lower().split("=")[0] in wanted for text in texts for w in shell_words(text))


def _rename(req: RequirementsDoc, entry: Entry, new: str) -> Fix | None:
    written = entry.requirement.name if entry.requirement else ""
    start = offset(req.text, entry.line, entry.col)
    if not written or req.text[start : start + len(written)] != written:
        return None
    return Fix(f"rename {written} to {new}", (Edit(start, start + len(written), new),), False, req.path)


def _opencv_in(req: compose.LockDoc, base: str) -> Iterator[Finding]:
    twins = {row["name"]: row["headless"] for row in opencv_table()["package"]}
    libgl = "apk add mesa-gl" if facts_of_image(base).libc == "musl" else "apt-get install -y libgl1"
    packages = compose.locked(req)
    editable = isinstance(req, RequirementsDoc) and not req.is_lock
    entries = {e.line: e for e in req.parsed.entries} if isinstance(req, RequirementsDoc) else {}
    for package in (p for p in packages if p.name in twins):
        headless, entry = twins[package.name], entries.get(package.line)
        reasons = (
            (not editable, f"{req.path.name} is a lock: rename it in its input and re-lock"),
            (entry is not None and bool(entry.hashes), f"its hashes are for {package.name}: re-lock"),
            (any(p.name == headless for p in packages), f"{headless} is listed too: remove this line"),
        )
        why = next((reason for applies, reason in reasons if applies), None)
        fix = (
            _rename(req, entry, headless) if isinstance(req, RequirementsDoc) and entry and not why else None
        )
        message = (
            f"{package.name} links libGL, which {base} lacks and this Dockerfile does not install, so "
            f"`import cv2` fails (libGL.so.1: cannot open shared object file); use {headless} (the same cv2 "
            f"without GUI windows) or `{libgl}`" + (f"; no automatic fix: {why}" if why else "")
        )
        col = entry.col if entry else 1
        yield OPENCV_NEEDS_LIBGL.finding(req.path, package.line, message, col=col, fix=fix)


def _opencv_needs_libgl(project: Project) -> Iterator[Finding]:
    seen: set[tuple[Path, int]] = set()
    for doc in project.dockerfiles:
        base = _slim_base(doc)
        if base is None or _installs_libgl(doc):
            continue
        reqs: dict[Path, compose.LockDoc] = {}
        for _install, path in project.installed_files(doc):
            installed = project.requirements_at(path)
            if installed is not None:
                reqs[installed.path] = installed
        for lock in _locks(project, doc):
            reqs.setdefault(lock.path, lock)
        for finding in (f for req in reqs.values() for f in _opencv_in(req, base)):
            if (finding.path, finding.line) not in seen:
                seen.add((finding.path, finding.line))
                yield finding


FLOATING_BASE_IMAGE = Rule(
    code="PB301",
    name="floating-base-image",
    check=_floating,
    summary="A base image is not pinned by digest (no tag or `latest`: warning; a tag only: info).",
    doc="""## What it does
Reports each `FROM` whose image has no tag or the `latest` tag (warning), and each one pinned by
tag but not by `@sha256:` digest (info). `FROM scratch`, `FROM` an earlier stage, and an ARG whose
default gives the tag (`FROM python:${PY}-slim`, pinnable with `--build-arg`) are not reported.

## Why is this bad?
A tag is a moving pointer: `latest` changes Python's minor version under you, and even
`python:3.11-slim` is re-pushed for every security rebuild. The same Dockerfile then builds a
different image tomorrow, and a lock made for today's interpreter may not install.

## Example
```
FROM python
```

## Use instead
```
FROM python:3.11-slim@sha256:<digest>
```
(`docker buildx imagetools inspect python:3.11-slim` prints the digest.)

## Fix safety
No fix: the digest comes from the registry, which `pinbox check` does not contact.
""",
)

RUNS_AS_ROOT = Rule(
    code="PB302",
    name="runs-as-root",
    check=_runs_as_root,
    summary="The final stage runs as root (no `USER`, or the last `USER` is root).",
    doc="""## What it does
Reports a Dockerfile whose final stage has no `USER` instruction, or whose last `USER` is `root`
or `0`. Only the final stage counts (and the earlier stages it is built `FROM`, whose `USER` it
inherits); a `USER` in a builder stage does not. Bases tagged `nonroot` (distroless) pass.

## Why is this bad?
A process that runs as root in the container is root on anything mounted into it, and one kernel
or runtime escape away from root on the host. Most Python services need no privileges at all.

## Example
```
FROM python:3.11-slim
COPY . /app
CMD ["python", "/app/serve.py"]
```

## Use instead
```
FROM python:3.11-slim
RUN useradd --create-home app
COPY . /app
USER app
CMD ["python", "/app/serve.py"]
```

## Fix safety
No fix: creating a user depends on the base image, and files may need `--chown`.
""",
)

CUDA_WHEELS_ON_CPU_IMAGE = Rule(
    code="PB303",
    name="cuda-wheels-on-cpu-image",
    check=_cuda_on_cpu,
    summary="The lock installs NVIDIA CUDA wheels into an image that asks for no GPU.",
    doc="""## What it does
Reports a lock (requirements lock or pylock.toml in the folder of a Dockerfile that installs
packages, else the project's) that pins `nvidia-*` CUDA wheels, usually pulled in by `torch` from
PyPI, when nothing asks for a GPU: no CUDA base image (`nvidia/cuda`, NGC), no
`NVIDIA_VISIBLE_DEVICES` or `--gpus` in the Dockerfile, and no compose service reserving a GPU.
The message gives the bytes they add: the wheel sizes recorded in a pylock.toml, else
approximate sizes from pinbox's table. The finding is on the lock's first CUDA wheel.

## Why is this bad?
On Linux, `torch` from PyPI is the CUDA build: cuBLAS, cuDNN, NCCL and friends add several
gigabytes to the image, its pulls and its cold starts, and a CPU-only container never uses them.

## Example
```
# requirements.in
torch==2.5.1
```

## Use instead
```
# requirements.in
--index-url https://download.pytorch.org/whl/cpu
torch==2.5.1
```
then re-lock (or lock with `uv pip compile --torch-backend cpu`).

## Fix safety
No fix: the lock must be re-resolved against the CPU index.
""",
)

OPENCV_NEEDS_LIBGL = Rule(
    code="PB304",
    name="opencv-needs-libgl",
    check=_opencv_needs_libgl,
    fix="unsafe",
    severity=Severity.ERROR,
    summary="`opencv-python` on a slim or alpine image that has no libGL: `import cv2` fails.",
    doc="""## What it does
Reports `opencv-python` or `opencv-contrib-python` in a lock or in a requirements file the
Dockerfile installs, when the final image is slim or alpine (`python:*-slim`, `*-alpine`,
`debian:*-slim`) and the Dockerfile installs no libGL (`libgl1`, `libgl1-mesa-glx`, `mesa-gl`).

## Why is this bad?
The GUI builds of OpenCV link `libGL.so.1`. The image builds fine, then `import cv2` fails at
runtime with `libGL.so.1: cannot open shared object file`. A server needs no GUI windows.

## Example
```
opencv-python==4.10.0.84
```

## Use instead
```
opencv-python-headless==4.10.0.84
```

## Fix safety
Unsafe: renames the requirement to its `-headless` twin in the requirements file, which drops
`cv2.imshow` and other GUI functions. A lock, or a line with hashes, is not edited: rename the
requirement in the lock's input and re-lock.
""",
)

RULES: tuple[Rule, ...] = (
    FLOATING_BASE_IMAGE,
    RUNS_AS_ROOT,
    CUDA_WHEELS_ON_CPU_IMAGE,
    OPENCV_NEEDS_LIBGL,
    CONTEXT_BLOAT,
)
