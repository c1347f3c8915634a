"""The choices `pinbox init` makes beyond the templates, each with the line that explains it: the
installer for the target's Python, that the image has the program it runs, the ports, a GPU
reservation in an existing compose file, and packages the old Dockerfile installed by name.
"""

from __future__ import annotations

from pathlib import Path

from pinbox import gpu, programs
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.generate.entry import Entry
from pinbox.generate.existing import Existing, Extra
from pinbox.lock.read import LockedBlock
from pinbox.names import normalize, package_name
from pinbox.rules.discover import kind_of
from pinbox.structured import load_yaml
from pinbox.target import Target

UV_MIN_PYTHON = (3, 8)  # uv's own Requires-Python: older images get pip


def installer(choice: str | None, target: Target) -> tuple[str, str | None]:
    """(installer, why it was chosen) for the builder stage: uv, or pip for a Python uv cannot run on."""
    python = tuple(int(part) for part in target.python.split(".")[:2])
    old = python < UV_MIN_PYTHON
    if choice == "uv" and old:
        raise PinboxError(
            f"--installer uv: uv runs on Python 3.8 or newer, and the image's Python is {target.python}",
            hint="use --installer pip (the default for this Python)",
        )
    if choice:
        return choice, None
    if old:
        return (
            "pip",
            f"installer: pip (uv runs on Python 3.8 or newer; the image's Python is {target.python})",
        )
    return "uv", None


def require_program(
    entry: Entry, blocks: list[LockedBlock], scripts_complete: bool, base: str, lock: Path, source: Path
) -> str | None:
    """Stop unless the image will have the program the entry runs (the base image's, or a locked
    package's console script); a warning instead when the lock does not record console scripts."""
    name = programs.program(entry.runs)
    if name is None or programs.base_provides(base, name):
        return None
    if any(normalize(name) == b.name or name in b.scripts for b in blocks):
        return None
    known = programs.known(name)
    line = known.distribution if known else name
    if not scripts_complete:
        return (
            f"the image runs `{name}` ({entry.source}); {lock.name} does not record console scripts, so "
            f"pinbox cannot tell whether a locked package provides it (lock again with pinbox 0.2 or later)"
        )
    raise PinboxError(
        f"the image would run `{name}` ({entry.source}), but neither {base} nor a package in {lock.name} "
        "provides it, so the container would fail with `not found`",
        hint=f"add this line to {source.name} and run `pinbox init` again:\n    {line}",
    )


def ports(existing: Existing | None, entry: Entry) -> list[int]:
    """The old Dockerfile's EXPOSE ports, and the port the entry listens on."""
    found = list(existing.ports) if existing else []
    if entry.port and entry.port not in found:
        found.append(entry.port)
    return found


def compose_gpu(project: Path) -> str | None:
    """`compose.yaml's service X reserves a GPU` when an existing compose file's service does."""
    for path in sorted(p for p in project.iterdir() if kind_of(p) == "compose" and p.is_file()):
        name = path.name
        try:
            data = load_yaml(read_text(path, what="compose file"), path)
        except PinboxError:
            continue
        services = data.get("services") if isinstance(data, dict) else None
        for service, body in services.items() if isinstance(services, dict) else ():
            if isinstance(body, dict) and gpu.reserves_gpu(body):
                return f"{name}'s service `{service}` reserves a GPU"
    return None


def missing_extras(existing: Existing | None, requirements: tuple[str, ...]) -> list[Extra]:
    """Packages the old Dockerfile installed by name that the input does not name."""
    named = {package_name(r) for r in requirements}
    return [e for e in existing.extras if e.name not in named] if existing else []


def with_extras(text: str, extras: list[Extra], dockerfile: str) -> str:
    """The input's text with the extras appended, in its own line endings."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += newline
    lines = [
        f"# installed by {dockerfile}'s RUN lines; added by pinbox init",
        *(e.requirement for e in extras),
    ]
    return text + newline.join(lines) + newline
