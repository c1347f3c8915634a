"""Facts about a built image: size, layers, and the installed size of its locked packages."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pinbox import paths
from pinbox.engine.docker import DockerClient
from pinbox.errors import PinboxError
from pinbox.fsutil import read_bytes, write_atomic


@dataclass(frozen=True)
class Layer:
    size: int
    created_by: str


def _run(client: DockerClient, *args: str) -> str:
    result = subprocess.run(client.command(*args), env=client.environ(), capture_output=True, text=True)
    if result.returncode != 0:
        raise PinboxError(f"docker {' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result.stdout


@dataclass(frozen=True)
class Facts:
    """ID and size of images the engine has, asked in one call (each client start costs ~30 ms)."""

    ids: dict[str, str]
    sizes: dict[str, int]


def facts(client: DockerClient, *refs: str) -> Facts:
    """What the engine knows of `refs`; one it does not have is left out."""
    wanted = list(dict.fromkeys(refs))
    result = subprocess.run(
        client.command("image", "inspect", "--format", "{{.Id}} {{.Size}}", *wanted),
        env=client.environ(),
        capture_output=True,
        text=True,
    )
    found = [line.split() for line in result.stdout.splitlines() if len(line.split()) == 2]
    if len(found) != len(wanted):  # some missing: ask one by one to know which is which
        found = [_one(client, ref) for ref in wanted]
    ids = {ref: row[0] for ref, row in zip(wanted, found, strict=True) if row}
    sizes = {ref: int(row[1]) for ref, row in zip(wanted, found, strict=True) if row and row[1].isdigit()}
    return Facts(ids, sizes)


def _one(client: DockerClient, ref: str) -> list[str]:
    try:
        return _run(client, "image", "inspect", "--format", "{{.Id}} {{.Size}}", ref).split()
    except PinboxError:
        return []


def layers(client: DockerClient, ref: str) -> list[Layer]:
    """Layers oldest first, with the instruction that made each."""
    out = _run(client, "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", ref)
    rows = [line.split("\t", 1) for line in out.splitlines() if "\t" in line]
    return [Layer(int(size), created) for size, created in reversed(rows)]


# Installed size: the files in each locked distribution's RECORD, plus the bytecode compiled for
# its modules (pip lists .pyc in RECORD, `uv --compile-bytecode` does not), counted once.
FLOOR_SCRIPT = """
import importlib.metadata as m, importlib.util as u, json, os, sys
names = set(json.loads(sys.argv[1]))
seen = set()
for dist in m.distributions():
    if (dist.metadata["Name"] or "").lower().replace("_", "-").replace(".", "-") in names:
        for f in dist.files or ():
            p = str(dist.locate_file(f))
            seen.add(p)
            if p.endswith(".py"):
                seen.add(u.cache_from_source(p))
print(sum(os.path.getsize(p) for p in seen if os.path.isfile(p) and not os.path.islink(p)))
"""


def installed_size(client: DockerClient, ref: str, names: list[str]) -> int:
    """Bytes of the files the image's locked distributions installed (their RECORDs): the floor."""
    out = _run(
        client,
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "python",
        ref,
        "-c",
        FLOOR_SCRIPT,
        json.dumps(sorted(names)),
    )
    return int(out.strip().splitlines()[-1])


def _cache_file() -> Path:
    return paths.cache_root() / "installed-sizes.json"


def installed_size_cached(client: DockerClient, ref: str, names: list[str], key: str) -> int:
    """installed_size, remembered by `key` (the lock and the dependency layers it produced), so a
    rebuild that changed only the code does not start a container to measure the same thing."""
    path = _cache_file()
    try:
        known = json.loads(read_bytes(path, what="cache file"))
    except (PinboxError, ValueError):
        known = {}
    if isinstance(known, dict) and isinstance(known.get(key), int):
        return int(known[key])
    size = installed_size(client, ref, names)
    known = {**(known if isinstance(known, dict) else {}), key: size}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(dict(list(known.items())[-200:])))
    except (OSError, PinboxError):
        pass  # a cache, not a result: an unwritable home only costs the next measurement
    return size
