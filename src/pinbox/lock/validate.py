"""Is a lock whole? `lock --check` validates every part before comparing it with its inputs: a lock
with a damaged header, an entry that does not parse, a pin without `==`, a malformed hash, or a
pylock.toml that is not PEP 751 is damaged, not up to date."""

from __future__ import annotations

import re
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.lock.header import parse_header
from pinbox.lock.read import is_pylock

_DIGEST = re.compile(r"[0-9a-f]{64}")  # a sha256, as pinbox and PEP 751 write it
_HASH = re.compile(f"sha256:{_DIGEST.pattern}")  # as pip's --hash option writes it


def damage(path: Path, text: str) -> str | None:
    """What is wrong with the lock's text (one line), or None when it is whole."""
    header = parse_header(text)
    if "inputs-digest" in header and "target" not in header:
        return "its header lacks target"
    target = header.get("target")
    if target is not None:
        from pinbox.target import target_from_key

        try:
            target_from_key(target)
        except PinboxError:
            return f"its header names the target {target!r}, which is not one pinbox writes"
    return _pylock_damage(text) if is_pylock(path) else _requirements_damage(path, text)


def _requirements_damage(path: Path, text: str) -> str | None:
    from pinbox.requirements import parse_requirements

    try:
        entries = parse_requirements(text, path).requirements
    except PinboxError as exc:
        return f"line {exc.line}: {exc.message}" if exc.line else exc.message
    if not entries:
        return "it pins no packages (only a header)"
    for entry in entries:
        if entry.pinned_version is None:
            return f"line {entry.line}: `{entry.text.split(' ')[0]}` is not pinned with =="
        if not entry.hashes:
            return f"line {entry.line}: {entry.name} has no --hash"
        bad = next(
            (
                h
                for h in entry.hashes
                if not _DIGEST.fullmatch(h.removeprefix("sha256:")) or h[:7] != "sha256:"
            ),
            None,
        )
        if bad is not None:
            return f"line {entry.line}: {entry.name} has a malformed hash `{bad[:24]}`"
    return None


def _pylock_damage(text: str) -> str | None:
    from pinbox.lock.render import validate_pylock

    try:
        lock = validate_pylock(text)
    except PinboxError as exc:
        return exc.message
    except RecursionError:
        return "it is nested too deeply to read"
    if not lock.packages:
        return "it pins no packages"
    for package in lock.packages:
        files = [*(package.wheels or ()), *((package.sdist,) if package.sdist else ())]
        if not files:
            return f"{package.name} has no files"
        for file in files:
            digest = file.hashes.get("sha256", "") if file.hashes else ""
            if not _DIGEST.fullmatch(digest):
                return f"{package.name} has a malformed or missing sha256"
    return None
