"""A lock another tool keeps (uv.lock, poetry.lock, Pipfile.lock) is the project's truth: `pinbox
lock` takes its versions as constraints instead of choosing again, so the image runs what the
team's machines run. Only packages from a package index count (not the project itself, paths,
URLs or git); a package the file locks at several versions (uv's forks by marker) is left to the
resolver and named. A version the inputs do not allow is uv's conflict, shown as such.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.names import normalize
from pinbox.record import dataclass
from pinbox.structured import load_toml

FILES = ("uv.lock", "poetry.lock", "Pipfile.lock")
_LOCAL = ("editable", "virtual", "directory", "path", "url", "git", "file")


@dataclass(frozen=True)
class Truth:
    path: Path
    versions: dict[str, str]  # name -> the one version it locks
    ambiguous: tuple[str, ...] = ()  # locked at several versions: not constrained

    @property
    def digest(self) -> str:
        """What `lock --check` compares: the versions, not the file's layout."""
        return hashlib.sha256(json.dumps(sorted(self.versions.items())).encode()).hexdigest()

    def constraints(self) -> str:
        return "".join(f"{name}=={version}\n" for name, version in sorted(self.versions.items()))


def find_truth(project: Path) -> Truth | None:
    """The first of uv.lock, poetry.lock, Pipfile.lock at the project's root, read."""
    for name in FILES:
        path = project / name
        if path.is_file():
            return _read(path)
    return None


def _read(path: Path) -> Truth:
    text = read_text(path, what="lock")
    if path.name == "Pipfile.lock":
        pairs = _pipfile(text, path)
    else:
        data = load_toml(text, path, "lock")
        pairs = [
            (str(p["name"]), str(p["version"]))
            for p in _tables(data.get("package"))
            if p.get("name") and p.get("version") and _from_index(p.get("source"))
        ]
    found: dict[str, set[str]] = {}
    for name, version in pairs:
        found.setdefault(str(normalize(name)), set()).add(version)
    versions = {name: next(iter(v)) for name, v in found.items() if len(v) == 1}
    return Truth(path, versions, tuple(sorted(n for n, v in found.items() if len(v) > 1)))


def _tables(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _from_index(source: object) -> bool:
    """uv: `source = { registry = ... }`; poetry: no source (PyPI), or `type = "legacy"` (an index)."""
    if not isinstance(source, dict):
        return True
    if "type" in source:
        return bool(source["type"] == "legacy")
    return "registry" in source and not any(key in source for key in _LOCAL)


def _pipfile(text: str, path: Path) -> list[tuple[str, str]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PinboxError(f"not JSON: {exc}", path=path) from None
    default = data.get("default") if isinstance(data, dict) else None
    pairs = []
    for name, entry in default.items() if isinstance(default, dict) else ():
        version = entry.get("version") if isinstance(entry, dict) else None
        if isinstance(version, str) and version.startswith("=="):
            pairs.append((str(name), version[2:]))
    return pairs
