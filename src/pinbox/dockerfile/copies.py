"""What COPY and ADD put into an image, and where: the WORKDIR at an instruction, the instructions
that shaped the build before it, and the build-context file behind an in-image path.

Paths in the image are POSIX paths; context files are `Path`s inside the context folder, never
outside it: a COPY source is relative to the context even when written `/x`, and a path that
leaves the context (`../x`) or an in-image absolute path no COPY explains has no context file.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left
from pathlib import Path

from pinbox.dockerfile.model import Dockerfile, Instruction

WHOLE_CONTEXT = frozenset({".", "./", "*", "./*"})


def under(path: str, folder: str) -> bool:
    """True when `path` is `folder` or inside it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def is_context_copy(ins: Instruction) -> bool:
    """A COPY or ADD from the build context (not `--from` another stage or image)."""
    return ins.cmd in ("COPY", "ADD") and not ins.flag("from")


def before(model: Dockerfile, ins: Instruction) -> list[Instruction]:
    """Instructions that shaped the build state at `ins`: its ancestor stages, then its own stage."""
    stage = model.stage_of(ins)
    if stage is None:
        return []
    out = [i for s in model.lineage(stage)[:-1] for i in s.instructions]
    return out + list(stage.instructions[: stage.instructions.index(ins)])


def workdir_at(model: Dockerfile, ins: Instruction) -> str | None:
    """The absolute WORKDIR at `ins` (None when it depends on a value pinbox cannot know)."""
    return model.state(ins).workdir


def context_copies(model: Dockerfile) -> dict[int, tuple[Instruction, ...]]:
    """By stage index: the context copies of the stage and of the stages it is built FROM, in file
    order (computed once per model: `Dockerfile.context_copies`)."""
    out: dict[int, tuple[Instruction, ...]] = {}
    for stage in model.stages:
        parent = model.stage_named(stage.base_resolved)
        inherited = out[parent.index] if parent is not None and parent.index < stage.index else ()
        out[stage.index] = inherited + tuple(i for i in stage.instructions if is_context_copy(i))
    return out


def context_copies_before(model: Dockerfile, ins: Instruction) -> list[Instruction]:
    """COPY/ADD from the build context that ran before `ins` in its stage and the stages below it."""
    stage = model.stage_of(ins)
    if stage is None:
        return []
    copies = model.context_copies[stage.index]
    return list(copies[: bisect_left(copies, model.order[ins], key=model.order.__getitem__)])


def copied_paths(ins: Instruction, workdir: str) -> list[str]:
    """In-image paths a COPY writes, one per source (wildcards kept as written)."""
    dest, sources = ins.value[-1], ins.value[:-1]
    folder = dest.endswith(("/", "/.")) or dest == "." or len(sources) > 1
    base = posixpath.normpath(posixpath.join(workdir, dest))
    return [posixpath.join(base, posixpath.basename(s.rstrip("/"))) if folder else base for s in sources]


def copied_sources(model: Dockerfile) -> set[str]:
    """Context paths the Dockerfile COPYs or ADDs by name (not `.`), normalised, without a leading `/`."""
    sources = (src for ins in model.instructions if is_context_copy(ins) for src in ins.value[:-1])
    cleaned = (posixpath.normpath(s).lstrip("/") for s in sources if "$" not in s and not s.startswith("<<"))
    return {s for s in cleaned if s not in (".", "")}


def _in_context(context: Path, *parts: str) -> Path | None:
    """The context file at the joined relative `parts` (None when they leave the context)."""
    rel = posixpath.normpath(posixpath.join(*parts)).lstrip("/")
    return None if rel == ".." or rel.startswith("../") else context / rel


def host_path(model: Dockerfile, context: Path, ins: Instruction, name: str) -> Path | None:
    """The context file behind the in-image path `name` at `ins`, following the COPY that put it there.

    A relative `name` no COPY explains is taken as the context file of that name."""
    if "$" in name:
        return None
    target = posixpath.normpath(posixpath.join(workdir_at(model, ins) or "/", name))
    for copy in reversed(context_copies_before(model, ins)):
        if copy.heredocs or len(copy.value) < 2:
            continue
        dest = posixpath.normpath(posixpath.join(workdir_at(model, copy) or "/", copy.value[-1]))
        for src in copy.value[:-1]:
            rel = posixpath.relpath(target, dest) if under(target, dest) else None
            if rel is not None and src in WHOLE_CONTEXT:
                return _in_context(context, rel)
            if rel in (".", posixpath.basename(src)):
                return _in_context(context, src)
            inside = _in_context(context, src, rel) if rel is not None else None
            if inside is not None and inside.is_file():
                return inside
    return _in_context(context, name) if not name.startswith("/") else None
