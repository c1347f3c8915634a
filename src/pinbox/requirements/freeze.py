"""Repair a `pip freeze` from a laptop or conda env into requirements that a Linux image can use.

Every line dropped or rewritten is reported with its reason; nothing is dropped silently.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from pinbox.record import dataclass
from pinbox.requirements.model import Entry, Kind
from pinbox.requirements.parser import parse_requirements
from pinbox.requirements.platforms import platform_only

CONDA_HINT = "run `pip list --format=freeze` in that env to keep its versions"


@dataclass(frozen=True)
class Change:
    line: int
    original: str
    result: str | None  # None when dropped
    reason: str

    @property
    def action(self) -> str:
        return "dropped" if self.result is None else "rewritten"


@dataclass(frozen=True)
class Repaired:
    lines: tuple[str, ...]
    changes: tuple[Change, ...]

    def text(self, source: str) -> str:
        head = f"# Repaired from {source} by `pinbox lock --from-freeze`; lock it with `pinbox lock`.\n"
        return head + "".join(line + "\n" for line in self.lines)


def _version_from_url(url: str) -> Version | None:
    filename = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _with(req: Requirement, name: str, spec: str) -> str:
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f" ; {req.marker}" if req.marker else ""
    return f"{name}{extras}{spec}{marker}"


def repair_entry(entry: Entry) -> tuple[str | None, str | None]:
    """(kept or rewritten line, reason) for one entry; (None, reason) drops it; reason None = as is."""
    if entry.kind is Kind.EDITABLE:
        return None, "editable install of local code; copy the code into the image instead"
    if entry.kind is Kind.PATH:
        return None, "local path that does not exist inside an image"
    req = entry.requirement
    if entry.kind is not Kind.REQUIREMENT or req is None:
        return entry.text, None
    name = str(canonicalize_name(req.name))
    if name == "pkg-resources":
        return None, "not a real package (an artifact of Debian/Ubuntu's pip)"
    row = platform_only(name)
    if row is not None:
        spec = str(req.specifier)
        if row.replace_with:
            return _with(
                req, row.replace_with, spec
            ), f"{row.os}-only ({row.why}); Linux uses {row.replace_with}"
        return None, f"{row.os}-only package ({row.why})"
    if req.url and req.url.startswith("file:"):
        version = _version_from_url(req.url)
        if version is not None:
            return _with(req, req.name, f"=={version}"), "local file reference; pinned to its version"
        return _with(req, req.name, ""), f"local build path with no version (conda); {CONDA_HINT}"
    pinned = next(iter(req.specifier), None) if len(req.specifier) == 1 else None
    if pinned is not None and pinned.operator == "==" and "+" in pinned.version:
        public = Version(pinned.version).public
        return (
            _with(req, req.name, f"=={public}"),
            f"local version label +{Version(pinned.version).local} is not on PyPI; pinned to {public}",
        )
    return entry.text, None


def repair_freeze(text: str, path: Path | str) -> Repaired:
    """Repair the text of a freeze (raises PinboxError with file:line on unparsable lines)."""
    lines: list[str] = []
    changes: list[Change] = []
    for entry in parse_requirements(text, path).entries:
        result, reason = repair_entry(entry)
        if reason is not None:
            changes.append(Change(entry.line, entry.text, result, reason))
        if result is not None:
            lines.append(result)
    return Repaired(tuple(lines), tuple(changes))
