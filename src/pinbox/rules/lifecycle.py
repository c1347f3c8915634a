"""The image rule `eol-base-image`: a base image, or a lock's target, whose Python or OS release is
past its end of life (dates in data/eol.toml), or reaches it within `SOON`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from pinbox.datafiles import data_table
from pinbox.reference import image_name
from pinbox.rules.context import Project
from pinbox.rules.documented import documented
from pinbox.rules.install_facts import base_offset, finding_at
from pinbox.rules.model import Finding, Severity
from pinbox.target import facts_of_image, split_ref

SOON = datetime.timedelta(days=180)
_TARGET = re.compile(r"cpython-(\d+\.\d+)")


def today() -> datetime.date:
    """The date end of life is measured against (tests replace it)."""
    return datetime.date.today()


@cache
def _table() -> dict[str, Any]:
    """data/eol.toml with its ISO date strings as dates (strings keep the table marshal-able)."""
    table = data_table("eol")
    dated = ("python", "debian", "ubuntu")
    return {
        key: {k: datetime.date.fromisoformat(v) for k, v in rows.items()} if key in dated else rows
        for key, rows in table.items()
    }


def os_release(ref: str) -> tuple[str, str] | None:
    """(distribution, codename) an image reference names: `python:3.9-slim-buster`, `debian:10`,
    `nvidia/cuda:12.1.0-runtime-ubuntu22.04`."""
    name, tag, _ = split_ref(image_name(ref))
    tag = (tag or "").lower()
    repo = name.rsplit("/", 1)[-1]
    words = set(re.split(r"[-_.]", tag))  # `3.9-slim-buster` -> 3, 9, slim, buster
    for distro in ("debian", "ubuntu"):
        for codename in _table()[distro]:
            if codename in words or repo == codename:
                return distro, codename
        number = re.search(rf"{distro}(\d+(?:\.\d+)?)", tag) or (
            re.match(r"(\d+(?:\.\d+)?)", tag) if repo == distro else None
        )
        codename = str(_table()["numbers"].get(number.group(1), "")) if number else ""
        if codename in _table()[distro]:
            return distro, codename
    return None


def _state(end: datetime.date) -> tuple[Severity, str] | None:
    if end < today():
        return Severity.WARNING, f"past its end of life on {end}"
    if end - today() <= SOON:
        return Severity.INFO, f"at its end of life on {end}"
    return None


def _supported_python() -> str:
    alive = [v for v, end in _table()["python"].items() if end >= today()]
    return min(alive, key=lambda v: tuple(map(int, v.split(".")))) if alive else "the newest"


def problems(ref: str) -> list[tuple[Severity, str]]:
    """What in an image reference is at or past its end of life, with a remedy."""
    found: list[tuple[Severity, str]] = []
    python = facts_of_image(ref).python
    end = _table()["python"].get(python or "")
    state = _state(end) if end else None
    if state:
        found.append(
            (
                state[0],
                f"Python {python} is {state[1]} (no more security fixes); use {_supported_python()} or newer",
            )
        )
    release = os_release(ref)
    end = _table()[release[0]].get(release[1]) if release else None
    state = _state(end) if release and end else None
    if release and state:
        found.append((state[0], f"{release[0].title()} {release[1]} is {state[1]}; use a supported release"))
    return found


def _eol(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for stage in doc.model.stages:
            ref = stage.base_resolved
            earlier = doc.model.stage_named(ref)
            if "$" in ref or (earlier is not None and earlier.index < stage.index):
                continue
            found = problems(ref)
            if found:
                severity = min((s for s, _ in found), key=[Severity.WARNING, Severity.INFO].index)
                message = f"`FROM {ref}`: " + "; ".join(text for _, text in found)
                at = finding_at(EOL_BASE_IMAGE, doc, stage.instructions[0], message, base_offset(doc, stage))
                yield at._replace(severity=severity)
    for lock in project.locks:
        match = _TARGET.match(lock.header.get("target", ""))
        end = _table()["python"].get(match.group(1)) if match else None
        state = _state(end) if match and end else None
        if match and state:
            line = next((i for i, text in enumerate(lock.text.split("\n"), 1) if "# target:" in text), 1)
            message = (
                f"{lock.path.name} is locked for Python {match.group(1)}, {state[1]} (no more security "
                f"fixes); lock for {_supported_python()} or newer"
            )
            yield EOL_BASE_IMAGE.finding(lock.path, line, message, severity=state[0])


EOL_BASE_IMAGE = documented("image_rules", "PB307", "eol-base-image", _eol)

RULES = (EOL_BASE_IMAGE,)
