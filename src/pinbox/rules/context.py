"""What rules look at: the project's Dockerfiles, requirements files, locks and compose files,
discovered and parsed once. Files that do not parse become `parse-error` findings instead."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pinbox.config import Config
from pinbox.dockerfile import Dockerfile, parse_dockerfile
from pinbox.dockerfile.shell import Install, installs
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text as _read_text
from pinbox.lock.header import parse_header
from pinbox.requirements import RequirementsFile, parse_requirements

SKIP_DIRS = {
    ".git",
    ".hg",
    ".venv",
    "venv",
    "env",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "build",
    "dist",
}
DOCKERFILE_PATTERNS = ("Dockerfile", "*.Dockerfile", "Dockerfile.*", "*.dockerfile", "Containerfile")
REQUIREMENTS_PATTERNS = (
    "requirements*.txt",
    "requirements*.in",
    "*requirements.txt",
    "constraints*.txt",
    "requirements*.lock",
    "*.lock.txt",
)
LOCK_PATTERNS = ("requirements*.lock", "*.lock.txt", "pylock.toml", "pylock.*.toml")
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def kind_of(path: Path) -> str | None:
    """'dockerfile' | 'requirements' | 'lock' | 'compose' | 'dockerignore' | None."""
    name = path.name
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return "dockerignore"
    if name in COMPOSE_NAMES:
        return "compose"
    if any(fnmatch.fnmatchcase(name, p) for p in LOCK_PATTERNS):
        return "lock"
    if any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS):
        return "dockerfile"
    if any(fnmatch.fnmatchcase(name, p) for p in REQUIREMENTS_PATTERNS) or path.parent.name == "requirements":
        return "requirements" if path.suffix in (".txt", ".in", "") else None
    return None


@dataclass(frozen=True)
class DockerfileDoc:
    path: Path
    text: str
    model: Dockerfile
    installs: tuple[Install, ...]

    @property
    def context(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class RequirementsDoc:
    path: Path
    text: str
    parsed: RequirementsFile
    is_lock: bool
    header: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PylockDoc:
    path: Path
    text: str
    data: dict[str, Any]
    header: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ComposeDoc:
    path: Path
    text: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ParseFailure:
    path: Path
    error: PinboxError


@dataclass(frozen=True)
class Project:
    root: Path
    config: Config
    dockerfiles: tuple[DockerfileDoc, ...] = ()
    requirements: tuple[RequirementsDoc, ...] = ()  # requirements files and requirements-format locks
    pylocks: tuple[PylockDoc, ...] = ()
    composes: tuple[ComposeDoc, ...] = ()
    dockerignores: tuple[Path, ...] = ()
    failures: tuple[ParseFailure, ...] = ()

    def requirements_at(self, path: Path) -> RequirementsDoc | None:
        resolved = path.resolve()
        return next((r for r in self.requirements if r.path.resolve() == resolved), None)

    def lock_beside(self, path: Path) -> RequirementsDoc | PylockDoc | None:
        """The lock in the same folder as `path` (requirements.lock, then pylock.toml)."""
        folder = path.parent.resolve()
        docs: tuple[RequirementsDoc | PylockDoc, ...] = (*self.requirements, *self.pylocks)
        for doc in docs:
            is_lock = isinstance(doc, PylockDoc) or doc.is_lock
            if is_lock and doc.path.parent.resolve() == folder and doc.path.resolve() != path.resolve():
                return doc
        return None

    def feeds_a_lock_only(self, path: Path) -> bool:
        """True when a pinbox lock was made from `path` and no Dockerfile installs `path` itself.

        Such a file is the lock's input, like requirements.in: ranges there are how the lock is
        asked for, and the lock is what gets deployed."""
        target = path.resolve()
        installed = {p.resolve() for doc in self.dockerfiles for _, p in self.installed_files(doc)}
        if target in installed:
            return False
        locks: tuple[RequirementsDoc | PylockDoc, ...] = (*self.requirements, *self.pylocks)
        return any(
            (lock.path.parent / name).resolve() == target
            for lock in locks
            for name in lock.header.get("inputs", "").split()
        )

    def installed_files(self, doc: DockerfileDoc) -> list[tuple[Install, Path]]:
        """(install, file) for each `-r FILE` of the Dockerfile, FILE resolved in its context."""
        return [(i, doc.context / f) for i in doc.installs for f in i.requirement_files if "$" not in f]


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        found += [p for p in (Path(folder) / f for f in sorted(files)) if kind_of(p)]
    return found


def load_project(
    root: Path, config: Config, paths: list[Path] | None = None, overlay: dict[Path, str] | None = None
) -> Project:
    """Discover (or take the given) files and parse each once; `overlay` replaces file contents."""
    files = _walk(root) if not paths else _expand(paths)
    edited = overlay or {}

    def read_text(path: Path, *, what: str) -> str:
        return edited[path] if path in edited else _read_text(path, what=what)

    docs: dict[str, list[Any]] = {"dockerfile": [], "requirements": [], "pylock": [], "compose": []}
    ignores: list[Path] = []
    failures: list[ParseFailure] = []
    for path in files:
        kind = kind_of(path)
        try:
            if kind == "dockerignore":
                ignores.append(path)
            elif kind == "dockerfile":
                text = read_text(path, what="Dockerfile")
                model = parse_dockerfile(text, path)
                docs["dockerfile"].append(
                    DockerfileDoc(
                        path, text, model, tuple(i for ins in model.instructions for i in installs(ins))
                    )
                )
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


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += _walk(path)
        elif not path.exists():
            raise PinboxError("no such file or folder", path=path)
        elif kind_of(path) is None:
            raise PinboxError(
                "not a file pinbox checks (Dockerfile, requirements, lock, compose or .dockerignore)",
                path=path,
            )
        else:
            out.append(path)
    return out


def _toml(path: Path, text: str) -> dict[str, Any]:
    from pinbox.tomlcompat import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PinboxError(f"invalid TOML: {exc}", path=path) from None
    return data


def _compose(path: Path, text: str) -> ComposeDoc:
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PinboxError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=mark.line + 1 if mark else None,
            col=mark.column + 1 if mark else None,
        ) from None
    if not isinstance(data, dict):
        raise PinboxError("a compose file must be a mapping", path=path, line=1)
    return ComposeDoc(path, text, data)
