"""Rules about how a Dockerfile installs Python dependencies: layer order, pins, caches, locks and
hashes (PB201-PB206). Indexes and credentials (PB207, PB208) are in `indexes`; what the rules read
around an install in `install_facts`, the edits of their fixes in `install_fixes`. Summaries and
docs are in data/installs_rules.toml.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox.dockerfile.copies import WHOLE_CONTEXT, is_context_copy, under
from pinbox.dockerfile.installs import Install
from pinbox.names import normalize
from pinbox.rules.context import DockerfileDoc, LockDoc, Project, lock_inputs
from pinbox.rules.discover import kind_of
from pinbox.rules.documented import documented
from pinbox.rules.install_facts import (
    base_offset,
    boolean,
    cache_mounts,
    cache_purged,
    dependency_installs,
    expand_home,
    file_word,
    finding_at,
    is_local,
    pip_installs,
    removed_dirs,
)
from pinbox.rules.install_fixes import copy_first, insert_flag, install_lock, replace_word
from pinbox.rules.locked import locked_versions
from pinbox.rules.model import Finding, Fix, Severity
from pinbox.target import facts_of_image

if TYPE_CHECKING:
    from packaging.requirements import Requirement

_TARGET_PYTHON = re.compile(r"cpython-(3\.\d+)")


def _is_lock(project: Project, path: Path) -> bool:
    req = project.requirements_at(path)
    return kind_of(path) == "lock" or (req is not None and (req.is_lock or req.parsed.is_hash_pinned))


def _rel(path: Path, doc: DockerfileDoc) -> str:
    return Path(os.path.relpath(path, doc.context)).as_posix()


# --- PB201 -------------------------------------------------------------------------------------


def _copy_all(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for stage in doc.model.stages:
            for k, ins in enumerate(stage.instructions):
                if not is_context_copy(ins) or ins.heredocs:
                    continue
                if not WHOLE_CONTEXT & set(ins.value[:-1]):
                    continue
                later = stage.instructions[k + 1 :]  # an ONBUILD install runs in a child image's build
                run = next((i for i in later if i.cmd == "RUN" and dependency_installs(doc, i)), None)
                if run is not None:
                    message = (
                        f"`{ins.original}` copies the whole context before the dependency install on "
                        f"line {run.line}: any source change re-runs it; copy the requirement files first"
                    )
                    yield finding_at(COPY_ALL, doc, ins, message, fix=copy_first(project, doc, stage, k))


# --- PB202 -------------------------------------------------------------------------------------


def _unpinned_requirement(word: str) -> Requirement | None:
    """The requirement a package argument names, when it is not pinned with ==."""
    if is_local(word) or "$" in word or "@" in word:
        return None
    from packaging.requirements import InvalidRequirement, Requirement  # only for package arguments

    try:
        req = Requirement(word)
    except InvalidRequirement:
        return None
    specs = list(req.specifier)
    pinned = len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version
    return None if pinned else req


def _unpinned(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        lock = project.lock_beside(doc.path)
        versions = locked_versions(lock)
        for install, env in pip_installs(doc):
            if install.constraint_files or env.get("PIP_CONSTRAINT") or env.get("UV_CONSTRAINT"):
                continue
            for found in install.package_words:
                word = found.text
                req = _unpinned_requirement(word)
                if req is None:
                    continue
                version = versions.get(normalize(req.name))
                fix = None
                if lock and version and not req.marker and req.specifier.contains(version, prereleases=True):
                    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
                    pinned = f"{req.name}{extras}=={version}"
                    edit = replace_word(found, pinned)
                    fix = Fix(f"pin `{pinned}` from {lock.path.name}", (edit,), safe=False) if edit else None
                hint = f"; {lock.path.name} has {version}" if lock and version else ""
                message = f"`{word}` is installed without a version pin, so builds may differ{hint}"
                yield finding_at(UNPINNED, doc, install.instruction, message, found, fix)


# --- PB203 -------------------------------------------------------------------------------------


def _shipped(doc: DockerfileDoc) -> set[int]:
    """Stages that end up in an image: the final one and its bases, and any not only COPY --from'd."""
    model = doc.model
    keep = {s.index for s in model.lineage(model.final_stage)} if model.final_stage else set()
    sources = {str(i.flag("from")).lower() for i in model.instructions if i.cmd == "COPY" and i.flag("from")}
    return {
        s.index
        for s in model.stages
        if s.index in keep or not {(s.name or "").lower(), str(s.index)} & sources
    }


def _cache_dirs(install: Install, env: Mapping[str, str], home: str | None) -> list[str] | None:
    """Where this pip or uv writes its cache (None when the user's home is unknown)."""
    tool = "pip" if install.tool == "pip" else "uv"
    explicit = install.values("--cache-dir") or (env.get(f"{tool.upper()}_CACHE_DIR", ""),)
    if explicit[-1]:
        return [expand_home(explicit[-1], home).rstrip("/") or "/"]
    if env.get("XDG_CACHE_HOME"):
        return [f"{env['XDG_CACHE_HOME'].rstrip('/')}/{tool}"]
    return None if home is None else [f"{home.rstrip('/')}/.cache/{tool}"]


def _cache_kept(doc: DockerfileDoc, install: Install, env: Mapping[str, str]) -> bool:
    ins = install.instruction
    if install.tool == "pip":
        if install.has("--no-cache-dir") or boolean(env.get("PIP_NO_CACHE_DIR")) is not None:
            return False  # pip disables the cache for any valid boolean, even "false"
    elif install.has("--no-cache", "-n") or boolean(env.get("UV_NO_CACHE")):
        return False
    if cache_purged(doc, install):
        return False
    state = doc.model.state(ins)
    home = env["HOME"] if env.get("HOME") else state.home
    mounts, removed = [expand_home(m, home) for m in cache_mounts(ins)], removed_dirs(doc, ins, home)
    dirs = _cache_dirs(install, env, home)
    if dirs is None:  # unknown home: any cache mount on a .cache folder is taken to cover it
        return not any(m.endswith(("/.cache", "/.cache/pip", "/.cache/uv")) for m in mounts)
    return not any(under(d, m) for d in dirs for m in (*mounts, *removed))


def _cache(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        shipped = _shipped(doc)
        for install, env in pip_installs(doc):
            stage = doc.model.stage_of(install.instruction)
            if stage is None or stage.index not in shipped or not _cache_kept(doc, install, env):
                continue
            flag = "--no-cache-dir" if install.tool == "pip" else "--no-cache"
            edit = insert_flag(install, flag)
            fix = Fix(f"add {flag}", (edit,)) if edit else None
            message = (
                f"{install.tool} writes its download cache into the image layer; add `{flag}` "
                "or mount a build cache on the cache folder"
            )
            yield finding_at(CACHE, doc, install.instruction, message, install.keyword, fix)


# --- PB204, PB205, PB206 -----------------------------------------------------------------------


def _made_from(project: Project, lock: LockDoc, path: Path) -> bool:
    """True when the lock was made from `path` (or does not say what it was made from)."""
    inputs = lock_inputs(lock, project.root, lock.path.parent)
    return not inputs or path.resolve() in inputs


def _not_from_lock(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, _ in pip_installs(doc):
            names = (*install.requirement_files, *install.constraint_files)
            used = {p.resolve() for n in names if (p := doc.host_path(install.instruction, n))}
            for name, path in doc.requirement_files(install):
                if path is None or _is_lock(project, path):
                    continue
                lock = project.lock_beside(doc.path) or project.lock_beside(path)
                if lock and lock.path.resolve() not in used and _made_from(project, lock, path):
                    message = (
                        f"installs `{name}`, the unpinned input, although the lock "
                        f"`{_rel(lock.path, doc)}` exists; install the lock instead"
                    )
                    fix = install_lock(doc, install, name, path, lock.path)
                    at = file_word(install, name)
                    yield finding_at(NOT_FROM_LOCK, doc, install.instruction, message, at, fix)


def _without_hashes(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, env in pip_installs(doc):
            if install.has("--require-hashes") or any(
                boolean(env.get(f"{t}_REQUIRE_HASHES")) for t in ("PIP", "UV")
            ):
                continue
            docs = [(n, project.requirements_at(p) if p else None) for n, p in doc.requirement_files(install)]
            locks = [(n, r) for n, r in docs if r and (r.is_lock or any(e.hashes for e in r.parsed.entries))]
            if not locks or any(e.option == "--require-hashes" for _, r in locks for e in r.parsed.entries):
                continue
            others = set(install.packages) - set(install.requirement_files)
            fixable = all(r is not None and r.parsed.is_hash_pinned for _, r in docs) and not (
                others or install.constraint_files or install.values("-e", "--editable")
            )
            edit = insert_flag(install, "--require-hashes") if fixable else None
            name, lock = locks[0]
            message = (
                f"`{name}` is a lock installed without `--require-hashes`: unhashed lines install unchecked"
            )
            if not any(e.hashes for e in lock.parsed.entries):
                message = (
                    f"`{name}` is a lock without hashes; re-lock with hashes, install with --require-hashes"
                )
            fix = Fix("add --require-hashes", (edit,)) if edit else None
            yield finding_at(
                NO_REQUIRE_HASHES, doc, install.instruction, message, file_word(install, name), fix
            )


def _python_mismatch(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        final = doc.model.final_stage
        if final is None:
            continue
        ref, root = doc.model.root_base(final)
        python = facts_of_image(ref).python
        installed = [project.requirements_at(p) for _, p in project.installed_files(doc)]
        locks = [lock for lock in (*installed, project.lock_beside(doc.path)) if lock and lock.header]
        for lock in {lock.path.resolve(): lock for lock in locks}.values():
            match = _TARGET_PYTHON.match(lock.header.get("target", ""))
            if python and match and match.group(1) != python:
                message = (
                    f"the base image `{ref}` runs Python {python} but `{_rel(lock.path, doc)}` is "
                    f"locked for CPython {match.group(1)}; re-lock or change the base image"
                )
                yield finding_at(PYTHON_MISMATCH, doc, root.instructions[0], message, base_offset(doc, root))
        pinned = _python_version_file(project, doc)
        if python and pinned and pinned[1] != python:
            message = (
                f"the base image `{ref}` runs Python {python} but `{_rel(pinned[0], doc)}` says "
                f"{pinned[1]} (what pyenv, uv and the team's machines run); make them agree"
            )
            yield finding_at(PYTHON_MISMATCH, doc, root.instructions[0], message, base_offset(doc, root))


_PYTHON_VERSION = re.compile(r"(?:cpython-|python)?(3\.\d{1,2})(?:\.\d+)?\b")


def _python_version_file(project: Project, doc: DockerfileDoc) -> tuple[Path, str] | None:
    """(the `.python-version` beside the Dockerfile, else at the project's root, its X.Y)."""
    from pinbox.errors import PinboxError
    from pinbox.fsutil import read_text

    for folder in dict.fromkeys((doc.path.parent, project.root)):
        path = folder / ".python-version"
        if not path.is_file():
            continue
        try:
            lines = [line.strip() for line in read_text(path, what="file").splitlines()]
        except PinboxError:
            return None
        first = next((line for line in lines if line and not line.startswith("#")), "")
        found = _PYTHON_VERSION.fullmatch(first) or _PYTHON_VERSION.match(first)
        return (path, found.group(1)) if found else None
    return None


_TABLE = "installs_rules"  # data/installs_rules.toml
COPY_ALL = documented(_TABLE, "PB201", "copy-all-before-install", _copy_all, fix="safe and unsafe")
UNPINNED = documented(_TABLE, "PB202", "pip-install-unpinned", _unpinned, fix="unsafe")
CACHE = documented(_TABLE, "PB203", "pip-cache-in-image", _cache, fix="safe")
NOT_FROM_LOCK = documented(
    _TABLE, "PB204", "requirements-not-installed-from-lock", _not_from_lock, fix="unsafe"
)
NO_REQUIRE_HASHES = documented(_TABLE, "PB205", "lock-without-require-hashes", _without_hashes, fix="safe")
PYTHON_MISMATCH = documented(
    _TABLE, "PB206", "python-version-mismatch", _python_mismatch, severity=Severity.ERROR
)

RULES = (COPY_ALL, UNPINNED, CACHE, NOT_FROM_LOCK, NO_REQUIRE_HASHES, PYTHON_MISMATCH)
