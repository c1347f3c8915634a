"""Which files pinbox checks: Dockerfiles, requirements files, locks, compose files and
.dockerignore, recognised by name, and the walk that finds them in a project."""

from __future__ import annotations

import fnmatch
import os
import re
from functools import cache
from pathlib import Path

from pinbox.errors import PinboxError

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
# matched in lower case: Dockerfile, dockerfile, DockerFile, Dockerfile.gpu, Dockerfile-gpu,
# Dockerfile2, api.Dockerfile, Containerfile
DOCKERFILE_PATTERNS = (
    "dockerfile",
    "dockerfile[-._0-9]*",
    "*.dockerfile",
    "containerfile",
    "containerfile[-._]*",
)
NOT_DOCKERFILES = (
    ".md",
    ".rst",
    ".txt",
    ".sh",
    ".py",
    ".json",
    ".yml",
    ".yaml",
    ".j2",
    ".jinja",
    ".tmpl",
    ".template",
    ".bak",
    ".orig",
    ".swp",
    ".lock",
    ".toml",
)
REQUIREMENTS_PATTERNS = (
    "requirements*.txt",
    "requirements*.in",
    "*requirements.txt",
    "constraints*.txt",
    "requirements*.lock",
    "*.lock.txt",
)
LOCK_PATTERNS = ("requirements*.lock", "*.lock.txt", "pylock.toml", "pylock.*.toml")
# compose.yaml, docker-compose.yml, and override files: docker-compose.gpu.yml, compose-dev.yaml
COMPOSE_PATTERNS = ("compose.y*ml", "compose[-._]*.y*ml", "docker-compose.y*ml", "docker-compose[-._]*.y*ml")


@cache
def _family(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a family of names (fnmatch would compile one per pattern)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def _matches(patterns: tuple[str, ...], name: str) -> bool:
    return _family(patterns).match(name) is not None


def kind_of(path: Path) -> str | None:
    """'dockerfile' | 'requirements' | 'lock' | 'compose' | 'dockerignore' | None."""
    name = path.name
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return "dockerignore"
    lower = name.lower()
    if _matches(COMPOSE_PATTERNS, lower) and lower.endswith((".yaml", ".yml")):
        return "compose"
    if _matches(LOCK_PATTERNS, name):
        return "lock"
    if _matches(DOCKERFILE_PATTERNS, lower) and not lower.endswith(NOT_DOCKERFILES):
        return "dockerfile"
    if _matches(REQUIREMENTS_PATTERNS, name) or path.parent.name == "requirements":
        return "requirements" if path.suffix in (".txt", ".in", "") else None
    return None


def walk(root: Path) -> list[Path]:
    """The files below `root` that pinbox checks, skipping virtualenvs, caches and build output."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        found += [p for p in (Path(folder) / f for f in sorted(files)) if kind_of(p)]
    return found


def given_kind(path: Path) -> str | None:
    """The kind of a file named on the command line: by name, else a `.txt`/`.in` file is a
    requirements file (`req.txt`) and a name with `dockerfile` in it a Dockerfile."""
    if kind := kind_of(path):
        return kind
    if path.suffix in (".txt", ".in"):
        return "requirements"
    return "dockerfile" if "dockerfile" in path.name.lower() else None


def expand(paths: list[Path]) -> list[Path]:
    """The given files, and the files pinbox checks inside the given folders."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += walk(path)
        elif not path.exists():
            raise PinboxError("no such file or folder", path=path)
        elif given_kind(path) is None:
            raise PinboxError(
                "not a file pinbox checks (Dockerfile, requirements, lock, compose or .dockerignore)",
                path=path,
            )
        else:
            out.append(path)
    return out
