"""Write a `Lock` as a hashed requirements file or as a PEP 751 `pylock.toml`."""

from __future__ import annotations

import json

from packaging.pylock import Pylock, PylockValidationError

from pinbox.errors import PinboxError
from pinbox.lock.header import render_header
from pinbox.lock.model import Artifact, Lock, Pin
from pinbox.platforms import marker_for
from pinbox.units import human_size


def pin_marker(lock: Lock, pin: Pin) -> str | None:
    """The marker limiting a pin to some of the lock's platforms, or None when it is universal."""
    return marker_for(pin.platforms, lock.target.all_platforms)


def render_requirements(lock: Lock, group: str = "", main: str | None = None) -> str:
    """`name==version ; marker \\ --hash=...` lines, installable with --require-hashes --no-deps: the
    main set, or (`group="dev"`) the dev group on top of the main lock, named by `main`."""
    head_part = render_header(lock.header) + "\n"
    if lock.index_options:
        head_part += "".join(f"{option}\n" for option in lock.index_options) + "\n"
    if group:
        head_part += f"-r {main}\n\n"
    out: list[str] = []
    for pin in (p for p in lock.pins if p.group == group):
        marker = pin_marker(lock, pin)
        requirement = f"{pin.name}=={pin.version}" + (f" ; {marker}" if marker else "")
        hashes = [f"    --hash=sha256:{h}" for h in pin.hashes]
        lines = [requirement, *hashes]
        block = " \\\n".join(lines)
        why = ", ".join(pin.roots) if pin.roots else "(not reached from a requirement)"
        size = f"; wheel: {human_size(pin.size)}" if pin.size else ""
        scripts = f"; scripts: {' '.join(pin.scripts)}" if pin.scripts else ""
        differs = f"; differs: {pin.differs}" if pin.differs else ""
        out.append(f"{block}\n    # from: {why}{size}{scripts}{differs}\n")
    return head_part + "".join(out)


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _artifact_table(a: Artifact) -> str:
    parts = [f"name = {_toml_str(a.filename)}"]
    if a.url:
        parts.append(f"url = {_toml_str(a.url)}")
    if a.upload_time:
        parts.append(f"upload-time = {a.upload_time}")
    if a.size is not None:
        parts.append(f"size = {a.size}")
    parts.append(f"hashes = {{ sha256 = {_toml_str(a.sha256)} }}")
    return "{ " + ", ".join(parts) + " }"


def render_pylock(lock: Lock) -> str:
    """A PEP 751 lock; validated by parsing it back with `packaging.pylock`."""
    header = "".join(line + "\n" for line in render_header(lock.header).splitlines())
    python = f"python_version == '{lock.target.python}'"
    every = lock.target.all_platforms
    envs = [
        f"sys_platform == 'linux' and {p.marker} and {python}"
        if p.os == "linux"
        else f"{marker_for((p,), every)} and {python}"
        for p in every
    ]
    groups = sorted({p.group for p in lock.pins if p.group})
    out = [
        header,
        'lock-version = "1.0"',
        "environments = [" + ", ".join(_toml_str(e) for e in envs) + "]",
        f'requires-python = "=={lock.target.python}.*"',
        *(["dependency-groups = [" + ", ".join(map(_toml_str, groups)) + "]"] if groups else []),
        'created-by = "pinbox"',
    ]
    for pin in lock.pins:
        out += [
            "",
            "[[packages]]",
            f"name = {_toml_str(pin.name)}",
            f"version = {_toml_str(pin.version)}",
        ]
        marker = pin_marker(lock, pin)
        if pin.group:
            in_group = f"'{pin.group}' in dependency_groups"
            marker = (
                f"({marker}) and {in_group}"
                if marker and " or " in marker
                else (f"{marker} and {in_group}" if marker else in_group)
            )
        if marker:
            out.append(f"marker = {_toml_str(marker)}")
        if pin.index:
            out.append(f"index = {_toml_str(pin.index)}")
        wheels = [a for a in pin.artifacts if a.is_wheel]
        sdists = [a for a in pin.artifacts if not a.is_wheel]
        if sdists:
            out.append(f"sdist = {_artifact_table(sdists[0])}")
        if wheels:
            out.append("wheels = [")
            out += [f"    {_artifact_table(a)}," for a in wheels]
            out.append("]")
        out += [
            "",
            "[packages.tool.pinbox]",
            "from = [" + ", ".join(_toml_str(r) for r in pin.roots) + "]",
        ]
        if pin.scripts is not None:
            out.append("scripts = [" + ", ".join(_toml_str(s) for s in pin.scripts) + "]")
        if pin.differs:
            out.append(f"differs = {_toml_str(pin.differs)}")
    text = "\n".join(out) + "\n"
    validate_pylock(text)
    return text


def validate_pylock(text: str) -> Pylock:
    """Parse a pylock.toml back and validate it against PEP 751."""
    from pathlib import Path

    from pinbox.structured import load_toml

    data = load_toml(text, Path("pylock.toml"), "pylock.toml")
    try:
        return Pylock.from_dict(data)
    except (PylockValidationError, TypeError, ValueError, AttributeError) as exc:
        raise PinboxError(f"invalid pylock.toml: {exc}") from None
