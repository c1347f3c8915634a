"""Rule family: the image a Dockerfile builds: its base, its user, what it carries and lacks.

The CUDA rule (cuda-wheels-on-cpu-image) is in rules/cuda.py, the build-context rule
(context-bloat) in rules/context_bloat.py. Summaries and docs are in data/image_rules.toml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pinbox.datafiles import data_table
from pinbox.dockerfile.model import Instruction
from pinbox.dockerfile.shell import words_of
from pinbox.reference import image_matches
from pinbox.requirements.model import Entry
from pinbox.rules.context import DockerfileDoc, LockDoc, Project, RequirementsDoc
from pinbox.rules.documented import documented
from pinbox.rules.install_facts import base_offset
from pinbox.rules.locked import locked
from pinbox.rules.model import Edit, Finding, Fix, Severity
from pinbox.target import facts_of_image, split_ref
from pinbox.textpos import offset, position


def opencv_table() -> dict[str, Any]:
    return data_table("image_opencv")


def final_base(doc: DockerfileDoc) -> str | None:
    """The external image the final stage is built on (followed through `FROM <stage>`)."""
    final = doc.model.final_stage
    return doc.model.root_base(final)[0] if final else None


def _image_refs(doc: DockerfileDoc) -> Iterator[tuple[str, str, int, int]]:
    """(reference as resolved, as written, line, column) of every external image the Dockerfile
    uses: each stage's FROM, and each `COPY --from=` that names an image rather than a stage."""
    for stage in doc.model.stages:
        earlier = doc.model.stage_named(stage.base_resolved)
        if earlier is None or earlier.index >= stage.index:
            at = base_offset(doc, stage)
            yield stage.base_resolved, stage.base, stage.from_line, position(doc.text, at)[1] if at else 1
    for ins in doc.model.instructions:
        source = ins.flag("from") if ins.cmd == "COPY" else None
        if (
            source
            and not source.isdigit()
            and doc.model.stage_named(source) is None
            and ("/" in source or ":" in source)
        ):
            found = doc.text.find(source, offset(doc.text, ins.line))
            yield source, source, ins.line, position(doc.text, found)[1] if found >= 0 else 1


def _floating(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for ref, written, line, col in _image_refs(doc):
            if ref.lower() == "scratch":
                continue
            name, tag, digest = split_ref(ref)
            if digest or ("$" in written and (tag is not None or not name)):
                continue  # pinned, or an ARG whose default gives the tag (a build arg can pin it)
            if tag in (None, "latest"):
                moves = "has no tag, so it means `latest`," if tag is None else "uses `latest`, which"
                severity = Severity.WARNING
                message = (
                    f"`{ref}` {moves} moves with every release; pin a version tag and its digest: "
                    f"`{name}:<version>@sha256:<digest>`"
                )
            else:
                severity = Severity.INFO
                message = (
                    f"`{ref}` is pinned by tag only, and tags are re-pushed (security rebuilds); add its "
                    f"digest for reproducible builds: `{ref}@sha256:<digest>` (`docker buildx imagetools "
                    f"inspect {ref}` prints it)"
                )
            yield FLOATING_BASE_IMAGE.finding(doc.path, line, message, col=col, severity=severity)


def _is_root(user: Instruction) -> bool:
    return (user.value[0] if user.value else "").split(":")[0] in ("root", "0")


def _default_user(ref: str) -> str | None:
    """'nonroot' or 'windows' for a base image data/image_users.toml names, else None."""
    table = data_table("image_users")
    return next((kind for kind in ("nonroot", "windows") if image_matches(ref, table[kind])), None)


def _runs_as_root(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        final = doc.model.final_stage
        if final is None:
            continue
        stages = doc.model.lineage(final)[::-1]  # a stage built FROM an earlier one inherits its USER
        users = [i for s in stages for i in reversed(s.instructions) if i.cmd == "USER"]
        base = stages[-1].base_resolved
        default = _default_user(base)
        if (users and not _is_root(users[0])) or (not users and default) or default == "windows":
            continue
        if base.lower() == "scratch":
            add = "`USER 65532:65532` (no user database needed in scratch)"
        else:
            add = (
                "RUN adduser -D app"
                if facts_of_image(base).libc == "musl"
                else "RUN useradd --create-home app"
            )
            add = f"`{add}` then `USER app`"
        if users:
            message = f"the final stage's last USER is `{users[0].value[0]}`, so the container runs as root"
        else:
            message = f"the final stage (`FROM {final.base}`) sets no USER, so the container runs as root"
        yield RUNS_AS_ROOT.finding(
            doc.path,
            users[0].line if users else final.from_line,
            f"{message}; create an unprivileged user and switch to it after the steps that need root: {add}",
        )


def _slim_base(doc: DockerfileDoc) -> str | None:
    """The final stage's base image when it is one without libGL (python:*-slim, alpine, ...)."""
    ref = final_base(doc) or "$"
    patterns = [row["pattern"] for row in opencv_table()["slim-base"]]
    return ref if "$" not in ref and image_matches(ref, patterns, repository_only=True) else None


def _installs_libgl(doc: DockerfileDoc) -> bool:
    wanted = {row["name"] for row in opencv_table()["libgl"]}
    final = doc.model.final_stage
    runs = [i for s in (doc.model.lineage(final) if final else []) for i in s.instructions if i.runs]
    words = (w.text for i in runs for w in words_of(doc.script(i).commands))
    return any(w.lower().split("=")[0] in wanted for w in words)


def _rename(req: RequirementsDoc, entry: Entry, new: str) -> Fix | None:
    written = entry.requirement.name if entry.requirement else ""
    start = offset(req.text, entry.line, entry.col)
    if not written or req.text[start : start + len(written)] != written:
        return None
    return Fix(f"rename {written} to {new}", (Edit(start, start + len(written), new),), False, req.path)


def _opencv_in(req: LockDoc, base: str) -> Iterator[Finding]:
    twins = {row["name"]: row["headless"] for row in opencv_table()["package"]}
    libgl = "apk add mesa-gl" if facts_of_image(base).libc == "musl" else "apt-get install -y libgl1"
    packages = locked(req)
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
        reqs: dict[Path, LockDoc] = {}
        for _install, path in project.installed_files(doc):
            installed = project.requirements_at(path)
            if installed is not None:
                reqs[installed.path] = installed
        for lock in project.locks_of(doc):
            reqs.setdefault(lock.path, lock)
        for finding in (f for req in reqs.values() for f in _opencv_in(req, base)):
            if (finding.path, finding.line) not in seen:
                seen.add((finding.path, finding.line))
                yield finding


_TABLE = "image_rules"  # data/image_rules.toml
FLOATING_BASE_IMAGE = documented(_TABLE, "PB301", "floating-base-image", _floating)
RUNS_AS_ROOT = documented(_TABLE, "PB302", "runs-as-root", _runs_as_root)
OPENCV_NEEDS_LIBGL = documented(
    _TABLE, "PB304", "opencv-needs-libgl", _opencv_needs_libgl, fix="unsafe", severity=Severity.ERROR
)

RULES = (FLOATING_BASE_IMAGE, RUNS_AS_ROOT, OPENCV_NEEDS_LIBGL)
