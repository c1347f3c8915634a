"""Read an existing lock back: its header (for `--check`) and its pins (as preferences)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.lock.header import is_pylock as is_pylock  # re-exported: where readers look for it
from pinbox.lock.header import parse_header
from pinbox.record import Record
from pinbox.requirements import parse_requirements
from pinbox.structured import load_toml
from pinbox.target import Target


def read_pins(path: Path, target: Target) -> dict[str, dict[str, str]]:
    """Pins of an existing lock for each of the target's platforms, the team's machines included
    (keyed by Platform.uv)."""
    text = read_text(path, what="lock")
    entries: list[tuple[str, str, str | None]] = []  # name, version, marker
    if is_pylock(path):
        packages = load_toml(text, path, "lock").get("packages", [])
        for package in packages if isinstance(packages, list) else ():
            if isinstance(package, dict):
                marker = package.get("marker")
                entries.append(
                    (
                        str(package.get("name")),
                        str(package.get("version")),
                        marker if isinstance(marker, str) else None,
                    )
                )
    else:
        for entry in parse_requirements(text, path).requirements:
            version = entry.pinned_version
            if version is not None and entry.requirement:
                marker = entry.requirement.marker
                entries.append((entry.requirement.name, version, str(marker) if marker else None))
    pins: dict[str, dict[str, str]] = {}
    for platform in target.all_platforms:
        env = platform.marker_env(target.full_python)
        pins[platform.uv] = {
            name: version
            for name, version, marker in entries
            if marker is None or _evaluate(marker, env, path)
        }
    return pins


def _evaluate(marker: str, env: dict[str, str], path: Path) -> bool:
    from packaging.markers import InvalidMarker

    try:
        return applies(marker, env, groups=frozenset({"dev"}))  # preferences: the dev group's too
    except InvalidMarker as exc:
        raise PinboxError(f"invalid marker {marker!r}: {exc}".split("\n")[0], path=path) from None


def applies(marker: str, env: dict[str, str], groups: frozenset[str] = frozenset()) -> bool:
    """A lock line's marker evaluated for a platform's `env` with these dependency groups installed
    (PEP 751 markers may name `dependency_groups` and `extras`). Raises InvalidMarker."""
    from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName

    full = {**env, "extras": frozenset(), "dependency_groups": groups}
    try:
        return bool(Marker(marker).evaluate(full, context="lock_file"))  # type: ignore[arg-type]
    except (UndefinedComparison, UndefinedEnvironmentName):
        return True  # what it asks of cannot be known here: keep the line


def in_image(marker: str | None, target_key: str | None) -> bool:
    """Whether a lock line with this marker installs in the image: true unless the lock's header
    names the image's platforms and the marker excludes every one of them (the team's macOS and
    Windows lines). An invalid marker or header answers true: the line is kept, and shown."""
    if marker is None or not target_key:
        return True
    from packaging.markers import InvalidMarker

    try:
        envs = _image_envs(target_key)
        return any(applies(marker, env) for env in envs)
    except (PinboxError, InvalidMarker):
        return True


@cache
def _image_envs(target_key: str) -> tuple[dict[str, str], ...]:
    """The marker environments of the image's platforms a lock header names (read once a key:
    rules and layer fragments ask for every line of the lock)."""
    from pinbox.target import target_from_key

    target = target_from_key(target_key)
    return tuple(p.marker_env(target.full_python) for p in target.platforms)


def stale_reason(path: Path, target_key: str | None, digest: str) -> str | None:
    """Why the lock at `path` no longer matches (one line), or None when it is fresh."""
    if not path.exists():
        return f"{path.name} does not exist; run `pinbox lock`"
    fields = parse_header(read_text(path, what="lock"))
    if "inputs-digest" not in fields:
        return f"{path.name} was not made by pinbox (no header); run `pinbox lock`"
    if target_key is not None and fields.get("target") != target_key:
        return f"{path.name} is for {fields.get('target')}, but the target is now {target_key}"
    if fields["inputs-digest"] != digest:
        names = fields.get("inputs", "").split() or ["its inputs"]
        changed = names[0] if len(names) == 1 else f"one of {', '.join(names)}"
        return f"{changed} changed since {path.name} was made"
    return None


def recorded_target(path: Path) -> str | None:
    if not path.exists():
        return None
    return parse_header(read_text(path, what="lock")).get("target")


_FROM = r"(?m)^\s*#\s*from:\s*([^;\n]*)"  # the note pinbox writes after each pin


def roots_of(block: str) -> tuple[str, ...]:
    """The top-level requirements, as written, that the `# from:` note after a pin names
    (`tensorflow[and-cuda]==2.16.1`); none for another tool's lock."""
    found = re.search(_FROM, block)
    if found is None or found.group(1).startswith("("):
        return ()
    return tuple(part.strip() for part in found.group(1).split(", ") if part.strip())


_SCRIPTS = r"(?m)^\s*#\s*from:.*?;\s*scripts:\s*([^;\n]*)"


def scripts_of(block: str) -> tuple[str, ...]:
    """The console scripts the `# from:` note after a pin records (`; scripts: uvicorn`)."""
    found = re.search(_SCRIPTS, block)
    return tuple(found.group(1).split()) if found else ()


_SIZE = re.compile(r"wheel: ([\d.]+) (B|kB|MB|GB)")
_UNITS = {"B": 1, "kB": 10**3, "MB": 10**6, "GB": 10**9}


def size_of(block: str) -> int | None:
    """Bytes of the largest wheel, from the `wheel:` note after a pin (approximate)."""
    size = _SIZE.search(block)
    return int(float(size.group(1)) * _UNITS[size.group(2)]) if size else None


class LockedBlock(Record):
    """One pin of a requirements-format lock, as the text block it is written in."""

    name: str
    version: str
    text: str  # the requirement line, its hashes and its comment, newline-terminated
    size: int | None  # bytes of the largest wheel, from the `wheel:` note (approximate)
    roots: tuple[str, ...] = ()  # the top-level requirements that pulled it in, as written
    scripts: tuple[str, ...] = ()  # the console scripts its wheel installs, as the lock records them
    marker: str | None = None  # the line's environment marker (a team lock's macOS/Windows lines)


def read_blocks(text: str, path: Path) -> tuple[str, list[LockedBlock]]:
    """(the lock's leading header and option lines, one block per pin) of a requirements lock."""
    parsed = parse_requirements(text, path)
    lines = text.splitlines(keepends=True)
    requirements = parsed.requirements
    if not requirements:
        return text, []
    head = "".join(lines[: requirements[0].line - 1])
    blocks = []
    for i, entry in enumerate(requirements):
        end = requirements[i + 1].line - 1 if i + 1 < len(requirements) else len(lines)
        block = "".join(lines[entry.line - 1 : end]).rstrip("\n") + "\n"
        version = entry.pinned_version
        if entry.requirement is None or version is None:
            raise PinboxError(
                f"{entry.text!r} is not pinned with ==; regenerate the lock", path=path, line=entry.line
            )
        blocks.append(
            LockedBlock(
                str(entry.name),
                version,
                block,
                size_of(block),
                roots_of(block),
                scripts_of(block),
                str(entry.requirement.marker) if entry.requirement.marker else None,
            )
        )
    return head, blocks
