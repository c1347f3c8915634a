"""What a lock pins: one `Locked` per package of a requirements-format lock or a pylock.toml,
with its line and (from a pylock.toml) the size of the wheel an amd64 image downloads."""

from __future__ import annotations

import re

from pinbox.lock.read import in_image, roots_of, scripts_of, size_of
from pinbox.memo import per_object
from pinbox.names import normalize, package_name
from pinbox.record import Record
from pinbox.rules.context import LockDoc, RequirementsDoc

_VIA = r"#\s*via\b([^\n]*(?:\n\s*#\s{2,}[^\n]*)*)"  # pip-compile: who requires it
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class Locked(Record):
    """One package pinned in a lock: where, (from a pylock.toml) its wheel's size, and the console
    scripts pinbox recorded for it."""

    name: str  # normalised
    version: str  # "" when the line is not an exact pin
    line: int
    size: int | None = None
    scripts: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()  # sha256 hex digests of its files
    roots: tuple[str, ...] = ()  # what pulled it in as written (pinbox: requirements; pip-compile: parents)

    @property
    def pulled_by(self) -> tuple[str, ...]:
        """Normalised names of what pulled it in."""
        return tuple(dict.fromkeys(n for n in map(package_name, self.roots) if n))


def scripts_complete(doc: LockDoc) -> bool:
    """True when pinbox recorded the console scripts of every package of the lock."""
    return doc.header.get("console-scripts") == "complete"


@per_object  # rules ask for the packages of one lock again and again (per pin, per install)
def locked(doc: LockDoc) -> tuple[Locked, ...]:
    """The lock's packages, in file order (read once per document)."""
    return _read(doc)


def _read(doc: LockDoc) -> tuple[Locked, ...]:
    """The packages the image installs: a team lock's lines for other machines are left out."""
    target = doc.header.get("target")
    if isinstance(doc, RequirementsDoc):
        entries = [
            e
            for e in doc.parsed.requirements
            if e.name
            and e.requirement
            and in_image(str(e.requirement.marker) if e.requirement.marker else None, target)
        ]
        ends = [e.start for e in entries[1:]] + [len(doc.text)] * bool(entries)
        notes = "# from:" in doc.text or "# via" in doc.text  # pinbox's and pip-compile's notes
        return tuple(
            Locked(
                e.name,
                e.pinned_version or "",
                e.line,
                size=size_of(doc.text[e.end : end]) if notes else None,
                scripts=scripts_of(doc.text[e.end : end]) if notes else (),
                hashes=tuple(h.removeprefix("sha256:") for h in e.hashes if h.startswith("sha256:")),
                roots=_roots(doc.text[e.start : end]) if notes else (),
            )
            for e, end in zip(entries, ends, strict=True)
            if e.name
        )
    packages = doc.data.get("packages", [])
    return tuple(
        Locked(
            name,
            str(p.get("version", "")),
            _toml_line(doc.text, name),
            _wheel_size(p.get("wheels")),
            _tool_scripts(p),
            hashes=_wheel_hashes(p.get("wheels")),
        )
        for p in packages
        if isinstance(p, dict)
        and (name := normalize(str(p.get("name", ""))))
        and in_image(p["marker"] if isinstance(p.get("marker"), str) else None, target)
    )


def _roots(block: str) -> tuple[str, ...]:
    """pinbox's `# from:` requirements as written (extras kept), else pip-compile's `# via` names."""
    return roots_of(block) or _via(block)


def _via(block: str) -> tuple[str, ...]:
    """Names in the `# via a, b` note of a pin (pip-compile)."""
    found = re.search(_VIA, block)
    if found is None:
        return ()
    words = re.split(r"[,\n#]", found.group(1))
    names = (_NAME.match(w.strip()) for w in words if not w.strip().startswith(("-r", "-c", "(")))
    return tuple(dict.fromkeys(str(normalize(m.group(0))) for m in names if m))


def _tool_scripts(package: dict[str, object]) -> tuple[str, ...]:
    tool = package.get("tool")
    own = tool.get("pinbox") if isinstance(tool, dict) else None
    scripts = own.get("scripts") if isinstance(own, dict) else None
    return tuple(s for s in scripts if isinstance(s, str)) if isinstance(scripts, list) else ()


def locked_versions(doc: LockDoc | None) -> dict[str, str]:
    """name -> version for the names the lock pins to exactly one version."""
    versions: dict[str, set[str]] = {}
    for package in locked(doc) if doc else ():
        if package.version:
            versions.setdefault(package.name, set()).add(package.version)
    return {name: next(iter(v)) for name, v in versions.items() if len(v) == 1}


def _toml_line(text: str, name: str) -> int:
    spelled = "[-_.]+".join(re.escape(part) for part in name.split("-"))
    found = re.search(rf"""^\s*name\s*=\s*["']{spelled}["']""", text, re.MULTILINE | re.IGNORECASE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _wheel_size(wheels: object) -> int | None:
    """The size of the package's x86_64 wheel (else its largest): what an amd64 image downloads."""
    sized = [
        (str(w.get("name") or w.get("url") or ""), w["size"])
        for w in (wheels if isinstance(wheels, list) else [])
        if isinstance(w, dict) and isinstance(w.get("size"), int)
    ]
    amd64 = [size for filename, size in sized if "x86_64" in filename]
    return max(amd64 or [size for _, size in sized], default=None)


def _wheel_hashes(wheels: object) -> tuple[str, ...]:
    found = []
    for wheel in wheels if isinstance(wheels, list) else ():
        hashes = wheel.get("hashes") if isinstance(wheel, dict) else None
        if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
            found.append(hashes["sha256"])
    return tuple(found)
