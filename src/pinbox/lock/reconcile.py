"""A `pip freeze` that is itself inconsistent (tensorflow pinned `numpy<=1.24.3`, then a
`pip install -U numpy` moved numpy past it) cannot be locked as written. `--from-freeze` then
keeps the freeze's versions as preferences, lets the resolver deviate only where it must, and
rewrites those pins in requirements.in, each with a comment and a warning saying why.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from pinbox.fsutil import read_text, write_atomic
from pinbox.lock import uv
from pinbox.lock.plan import LockOptions, make_plan
from pinbox.names import normalize
from pinbox.record import dataclass
from pinbox.requirements.parser import parse_requirements
from pinbox.ui import UI


@dataclass(frozen=True)
class Deviation:
    name: str
    frozen: str
    resolved: str
    required_by: tuple[str, ...]

    def line(self) -> str:
        who = ", ".join(self.required_by) or "the other pins"
        return (
            f"{self.name} {self.frozen} -> {self.resolved}: the freeze's version is outside what "
            f"{who} (which require {self.name}) allow together with the other pins"
        )


def reconcile(opts: LockOptions, ui: UI) -> list[Deviation]:
    """Rewrite the conflicting pins of the repaired freeze at `opts.input` (see the module's doc);
    [] when nothing could be done (the failure is not the freeze's pins)."""
    source = Path(str(opts.input))
    text = read_text(source, what="requirements file")
    parsed = parse_requirements(text, source)
    frozen = {
        str(normalize(e.name)): e.pinned_version for e in parsed.requirements if e.name and e.pinned_version
    }
    plan = make_plan(opts)
    with tempfile.TemporaryDirectory(prefix="pinbox-freeze-") as tmp:
        relaxed = Path(tmp) / "requirements.in"
        relaxed.write_text("".join(_unpinned(e.text) + "\n" for e in parsed.entries))
        request = uv.Request(
            project=opts.project,
            input=relaxed,
            python=plan.target.full_python,
            previous={p.uv: dict(frozen) for p in plan.target.platforms},  # preferred, not required
        )
        resolutions = uv.resolve(request, plan.target.platforms)
    resolved = {
        str(normalize(str(p.get("name", "")))): str(p.get("version", "")) for p in resolutions[0].packages
    }
    parents = resolutions[0].parents
    deviations = [
        Deviation(name, version, resolved[name], tuple(p for p in parents.get(name, ()) if p))
        for name, version in frozen.items()
        if name in resolved and resolved[name] != version
    ]
    if not deviations:
        return []
    moved = {d.name: d for d in deviations}
    lines = text.splitlines(keepends=True)
    for entry in parsed.requirements:
        deviation = moved.get(str(normalize(entry.name or "")))
        if deviation is not None:
            ending = "\r\n" if lines[entry.line - 1].endswith("\r\n") else "\n"
            spec = entry.text.replace(f"=={deviation.frozen}", f"=={deviation.resolved}", 1)
            lines[entry.line - 1] = f"{spec}  # the freeze had {deviation.frozen}{ending}"
    write_atomic(source, "".join(lines))
    for deviation in deviations:
        ui.warn(deviation.line())
    return deviations


def _unpinned(line: str) -> str:
    """A requirement line without its version specifier (extras and markers kept)."""
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return line
    if req.url:
        return line
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f" ; {req.marker}" if req.marker else ""
    return f"{req.name}{extras}{marker}"
