"""What rules look at: the project's Dockerfiles, requirements files, locks and compose files,
discovered and parsed once. Files that do not parse become `parse-error` findings instead."""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from pinbox.config import Config
from pinbox.dockerfile import Dockerfile, Instruction, parse_dockerfile
from pinbox.dockerfile.copies import host_path
from pinbox.dockerfile.installs import Install, installs
from pinbox.dockerfile.shell import Script, read_run
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text as _read_text
from pinbox.lock.header import parse_header
from pinbox.record import Record, dataclass
from pinbox.requirements import RequirementsFile, parse_requirements
from pinbox.rules.discover import expand, given_kind, walk
from pinbox.structured import load_toml, load_yaml


@dataclass(frozen=True, eq=False)
class DockerfileDoc:
    """A Dockerfile being checked: its model, each RUN read as the shell reads it, and its installs."""

    path: Path
    text: str
    model: Dockerfile
    scripts: dict[Instruction, Script] = field(default_factory=dict)  # each RUN and ONBUILD RUN, read once
    installs: tuple[Install, ...] = ()
    by_instruction: dict[Instruction, tuple[Install, ...]] = field(default_factory=dict)
    _files: dict[Install, tuple[tuple[str, Path | None], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )  # requirement_files, found once per install: every rule asks

    @classmethod
    def read(cls, path: Path, model: Dockerfile) -> DockerfileDoc:
        """The document with every RUN read as the shell reads it."""
        scripts = {ins: read_run(model, ins) for ins in model.instructions if ins.runs}
        grouped = {ins: tuple(installs(ins, script.commands)) for ins, script in scripts.items()}
        found = tuple(i for group in grouped.values() for i in group)
        return cls(path, model.text, model, scripts, found, grouped)

    def script(self, ins: Instruction) -> Script:
        """The commands of a RUN (empty for other instructions)."""
        return self.scripts.get(ins) or Script()

    def installs_in(self, ins: Instruction) -> tuple[Install, ...]:
        return self.by_instruction.get(ins, ())

    @property
    def context(self) -> Path:
        return self.path.parent

    def host_path(self, ins: Instruction, name: str) -> Path | None:
        """The context file behind the in-image path `name` at `ins` (see dockerfile.copies)."""
        return host_path(self.model, self.context, ins, name)

    def requirement_files(self, install: Install) -> list[tuple[str, Path | None]]:
        """(as written, context file or None) for each `-r` file of an install, or file it syncs
        (read from where a `cd` earlier in the RUN went)."""
        found = self._files.get(install)
        if found is None:
            seen = ((name, install.relative_to_workdir(name)) for name in install.requirement_files)
            found = tuple(
                (name, self.host_path(install.instruction, at) if at else None) for name, at in seen
            )
            self._files[install] = found
        return list(found)


@dataclass(frozen=True, eq=False)
class RequirementsDoc:
    """A requirements file or `requirements.lock` being checked, parsed, with a lock's header."""

    path: Path
    text: str
    parsed: RequirementsFile
    is_lock: bool
    header: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class PylockDoc:
    """A `pylock.toml` being checked: its data and the header pinbox wrote in it."""

    path: Path
    text: str
    data: dict[str, Any]
    header: dict[str, str] = field(default_factory=dict)


LockDoc = RequirementsDoc | PylockDoc


class ComposeDoc(Record):
    path: Path
    text: str
    data: dict[str, Any]

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        """The `services:` mapping, without entries that are not mappings."""
        found = self.data.get("services")
        if not isinstance(found, dict):
            return {}
        return {str(name): s for name, s in found.items() if isinstance(s, dict)}


class ParseFailure(Record):
    path: Path
    error: PinboxError


class Project(Record):
    root: Path
    config: Config
    dockerfiles: tuple[DockerfileDoc, ...] = ()
    requirements: tuple[RequirementsDoc, ...] = ()  # requirements files and requirements-format locks
    pylocks: tuple[PylockDoc, ...] = ()
    composes: tuple[ComposeDoc, ...] = ()
    dockerignores: tuple[Path, ...] = ()
    failures: tuple[ParseFailure, ...] = ()

    def texts(self) -> dict[Path, str]:
        """The text of every file that parsed, exactly as the rules read it."""
        groups: tuple[tuple[Any, ...], ...] = (
            self.dockerfiles,
            self.requirements,
            self.pylocks,
            self.composes,
        )
        return {doc.path: doc.text for group in groups for doc in group}

    def requirements_at(self, path: Path) -> RequirementsDoc | None:
        resolved = path.resolve()
        return next((r for r in self.requirements if r.path.resolve() == resolved), None)

    @property
    def locks(self) -> tuple[LockDoc, ...]:
        """Every lock: requirements-format locks, then pylock.toml files."""
        return (*(r for r in self.requirements if r.is_lock), *self.pylocks)

    def lock_beside(self, path: Path) -> LockDoc | None:
        """The lock in the same folder as `path`: the one whose header names `path` as an input,
        else the first (requirements.lock, then pylock.toml)."""
        folder, resolved = path.parent.resolve(), path.resolve()
        beside = [d for d in self.locks if d.path.parent.resolve() == folder and d.path.resolve() != resolved]
        named = (d for d in beside if resolved in lock_inputs(d, self.root, d.path.parent))
        return next(named, beside[0] if beside else None)

    def locks_in(self, folder: Path) -> list[LockDoc]:
        """The locks inside `folder` (a build context), else every lock of the project."""
        inside = [d for d in self.locks if d.path.resolve().is_relative_to(folder.resolve())]
        return inside or list(self.locks)

    def locks_of(self, doc: DockerfileDoc) -> list[LockDoc]:
        """The locks an image may install: its context's (else the project's), when it installs
        anything or names the lock."""
        return [lock for lock in self.locks_in(doc.context) if doc.installs or lock.path.name in doc.text]

    def feeds_a_lock_only(self, path: Path) -> bool:
        """True when a pinbox lock was made from `path` and no Dockerfile installs `path` itself.

        Such a file is the lock's input, like requirements.in: ranges there are how the lock is
        asked for, and the lock is what gets deployed."""
        target = path.resolve()
        installed = {p.resolve() for doc in self.dockerfiles for _, p in self.installed_files(doc)}
        if target in installed:
            return False
        locks: tuple[LockDoc, ...] = (*self.requirements, *self.pylocks)
        return any(target in lock_inputs(lock, lock.path.parent) for lock in locks)

    def installed_files(self, doc: DockerfileDoc) -> list[tuple[Install, Path]]:
        """(install, context file) for each `-r FILE` (or synced file) of the Dockerfile, FILE
        followed back through the COPY that put it in the image."""
        return [(i, path) for i in doc.installs for _, path in doc.requirement_files(i) if path]


def lock_inputs(lock: LockDoc, *bases: Path) -> set[Path]:
    """The resolved files the lock's header `inputs:` names, each read relative to each of `bases`."""
    names = lock.header.get("inputs", "").split()
    return {(base / name).resolve() for name in names for base in bases}


def load_project(
    root: Path, config: Config, paths: list[Path] | None = None, overlay: dict[Path, str] | None = None
) -> Project:
    """Discover (or take the given) files and parse each once; `overlay` replaces file contents."""
    files = walk(root) if not paths else expand(paths)
    edited = overlay or {}

    def read_text(path: Path, *, what: str) -> str:
        return edited[path] if path in edited else _read_text(path, what=what)

    docs: dict[str, list[Any]] = {"dockerfile": [], "requirements": [], "pylock": [], "compose": []}
    ignores: list[Path] = []
    failures: list[ParseFailure] = []
    for path in files:
        kind = given_kind(path)
        try:
            if kind == "dockerignore":
                ignores.append(path)
            elif kind == "dockerfile":
                model = parse_dockerfile(read_text(path, what="Dockerfile"), path)
                docs["dockerfile"].append(DockerfileDoc.read(path, model))
            elif kind == "compose":
                docs["compose"].append(_compose(path, read_text(path, what="compose file")))
            elif kind == "lock" and path.suffix == ".toml":
                text = read_text(path, what="lock")
                docs["pylock"].append(PylockDoc(path, text, _toml(path, text), parse_header(text)))
            elif kind in ("requirements", "lock"):
                text = read_text(path, what="requirements file")
                header = parse_header(text)
                docs["requirements"].append(
                    RequirementsDoc(
                        path,
                        text,
                        parse_requirements(text, path),
                        kind == "lock" or "inputs-digest" in header,
                        header,
                    )
                )
        except PinboxError as exc:
            failures.append(ParseFailure(path, exc))
    if not paths:
        root_ignore = root / ".dockerignore"
        if root_ignore.exists() and root_ignore not in ignores:
            ignores.append(root_ignore)
    return Project(
        root,
        config,
        tuple(docs["dockerfile"]),
        tuple(docs["requirements"]),
        tuple(docs["pylock"]),
        tuple(docs["compose"]),
        tuple(ignores),
        tuple(failures),
    )


def _toml(path: Path, text: str) -> dict[str, Any]:
    data = load_toml(text, path, "lock")
    packages = data.get("packages", [])
    if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
        raise PinboxError("`packages` must be an array of tables", path=path)
    return data


def _compose(path: Path, text: str) -> ComposeDoc:
    data = load_yaml(text, path, "compose file") or {}
    if not isinstance(data, dict):
        raise PinboxError("a compose file must be a mapping", path=path, line=1)
    return ComposeDoc(path, text, data)
