"""Facts about a built image: size, layers, and the installed size of its locked packages."""

from __future__ import annotations

import subprocess

from pinbox.engine.docker import DockerClient
from pinbox.errors import PinboxError
from pinbox.inventory import cache
from pinbox.record import dataclass


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


# Installed size (the floor): measured in the smoke test's container (pinbox.engine.smoke), and
# remembered by what decides it (the lock and the dependency layers it produced), so a rebuild
# that changed only the code measures nothing again.


def cached_floor(key: str) -> int | None:
    known = cache.load_json(cache.floors_dir(), key)
    size = known.get("bytes") if known else None
    return size if isinstance(size, int) else None


def remember_floor(key: str, size: int) -> None:
    cache.store_json(cache.floors_dir(), key, {"bytes": size})
