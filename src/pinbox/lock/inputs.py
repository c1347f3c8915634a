"""What a lock is made from: a requirements file (with its includes) or pyproject.toml.

The digest covers what changes the resolution and nothing else: requirement lines without
comments or layout, `[project] dependencies` and the chosen extras, and the resolution options.
Editing a comment does not make a lock stale; changing a pin does.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.record import dataclass
from pinbox.requirements import RequirementsFile, load_requirements
from pinbox.requirements.model import Entry, Kind
from pinbox.structured import load_toml

CANDIDATES = ("requirements.in", "requirements.txt", "pyproject.toml")


@dataclass(frozen=True)
class Inputs:
    project: Path
    path: Path  # the file given to the resolver
    kind: str  # "requirements" | "pyproject"
    files: tuple[Path, ...]  # every file read (includes followed)
    requirements: tuple[str, ...]  # top-level requirement strings, as written
    index_options: tuple[str, ...]  # index/find-links lines to carry into the lock
    canonical: str  # normalised text the digest is made of
    extras: tuple[str, ...] = ()

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project.resolve()).as_posix()
        except ValueError:
            return str(path)


def detect_input(project: Path, explicit: str | None) -> Path:
    """The input file: the one given, or the first of requirements.in/.txt/pyproject.toml."""
    if explicit:
        path = Path(explicit)
        path = path if path.is_absolute() or path.exists() else project / explicit
        if not path.exists():
            raise PinboxError("input file not found", path=path)
        return path
    for name in CANDIDATES:
        candidate = project / name
        if candidate.is_file() and (name != "pyproject.toml" or _has_dependencies(candidate)):
            return candidate
    raise PinboxError(
        f"no requirements.in, requirements.txt or pyproject.toml with dependencies in {project}",
        hint="pass the input file with -i/--input",
    )


def _has_dependencies(path: Path) -> bool:
    try:
        data = load_toml(read_text(path, what="pyproject.toml"), path)
    except PinboxError:
        return True  # let the real load report the error
    return isinstance(data.get("project"), dict) and "dependencies" in data["project"]


def read_inputs(project: Path, path: Path, extras: tuple[str, ...] = ()) -> Inputs:
    """Parse the input (raising PinboxError with file:line on bad input)."""
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        return _read_pyproject(project, path, extras)
    if extras:
        raise PinboxError("--extra applies to pyproject.toml inputs only", path=path)
    files = load_requirements(path)
    return _from_requirements(project, path, files)


def _refuse_build_path(entry: Entry) -> None:
    """`name @ file:///…` naming a path that is not here: a `pip freeze` of a conda env (its build
    folders) or of another machine; the resolver could only say "not found"."""
    url = entry.requirement.url if entry.requirement else None
    if not url or not url.startswith("file:"):
        return
    local = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
    if local.exists():
        return
    raise PinboxError(
        f"`{entry.text.strip()}` is a build path from `pip freeze` (a conda env or another machine) "
        "that does not exist here",
        path=entry.path,
        line=entry.line,
        hint=f"lock the freeze with `pinbox lock --from-freeze {entry.path.name}`: it repairs such lines "
        "(keeping versions where the path names one) and writes requirements.in",
    )


def _from_requirements(project: Path, path: Path, files: list[RequirementsFile]) -> Inputs:
    canonical: list[str] = []
    top: list[str] = []
    index: list[str] = []
    constraint_files = {
        (f.path.parent / e.value).resolve()
        for f in files
        for e in f.entries
        if e.kind is Kind.CONSTRAINT and e.value
    }
    for parsed in files:
        canonical.append(f"## {parsed.path.name}")
        for entry in parsed.entries:
            _refuse_build_path(entry)
            canonical.append(entry.text)
            if entry.kind is Kind.REQUIREMENT and parsed.path.resolve() not in constraint_files:
                top.append(str(entry.requirement))
            if entry.option in ("--index-url", "--extra-index-url", "--find-links", "--no-index"):
                line = entry.option + (f" {entry.value}" if entry.value else "")
                if line not in index:
                    index.append(line)
    return Inputs(
        project,
        path,
        "requirements",
        tuple(f.path for f in files),
        tuple(top),
        tuple(index),
        "\n".join(canonical),
    )


def _strings(value: Any, key: str, path: Path) -> list[str]:
    """A TOML array of strings, checked: a string where a list belongs is never iterated."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        found = "a string" if isinstance(value, str) else type(value).__name__
        raise PinboxError(f"[project] {key} must be an array of strings, not {found}", path=path)
    return list(value)


def _read_pyproject(project: Path, path: Path, extras: tuple[str, ...]) -> Inputs:
    from packaging.requirements import InvalidRequirement, Requirement

    data = load_toml(read_text(path, what="pyproject.toml"), path)
    proj = data.get("project")
    if not isinstance(proj, dict):
        raise PinboxError("no [project] table (or it is not a table)", path=path)
    deps = _strings(proj.get("dependencies", []), "dependencies", path)
    optional = proj.get("optional-dependencies", {}) or {}
    if not isinstance(optional, dict):
        raise PinboxError("[project] optional-dependencies must be a table of arrays", path=path)
    for extra in extras:
        if extra not in optional:
            known = ", ".join(sorted(optional)) or "none"
            raise PinboxError(f"no optional-dependencies group {extra!r} (groups: {known})", path=path)
        deps.extend(_strings(optional[extra], f"optional-dependencies.{extra}", path))
    for dep in deps:
        try:
            Requirement(dep)
        except InvalidRequirement as exc:
            raise PinboxError(f"invalid dependency {dep!r}: {exc}".split("\n")[0], path=path) from None
    canonical = json.dumps({"dependencies": deps, "extras": sorted(extras)}, sort_keys=True)
    return Inputs(project, path, "pyproject", (path,), tuple(deps), (), canonical, extras)


def digest(inputs: Inputs, options: dict[str, Any]) -> str:
    """sha256 of the normalised inputs and the options that change the resolution."""
    blob = json.dumps({"inputs": inputs.canonical, "options": options}, sort_keys=True)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
