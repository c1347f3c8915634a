"""Facts about a built image: size, layers, and the installed size of its locked packages."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from pinbox.engine.docker import DockerClient
from pinbox.errors import PinboxError


@dataclass(frozen=True)
class Layer:
    size: int
    created_by: str


def _run(client: DockerClient, *args: str) -> str:
    result = subprocess.run(client.command(*args), env=client.environ(), capture_output=True, text=True)
    if result.returncode != 0:
        raise PinboxError(f"docker {' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result.stdout


def image_size(client: DockerClient, ref: str) -> int:
    return int(json.loads(_run(client, "image", "inspect", ref))[0]["Size"])


def layers(client: DockerClient, ref: str) -> list[Layer]:
    """Layers oldest first, with the instruction that made each."""
    out = _run(client, "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", ref)
    rows = [line.split("\t", 1) for line in out.splitlines() if "\t" in line]
    return [Layer(int(size), created) for size, created in reversed(rows)]


FLOOR_SCRIPT = """
import importlib.metadata as m, json, os, sys
names = set(json.loads(sys.argv[1]))
total = 0
for dist in m.distributions():
    if (dist.metadata["Name"] or "").lower().replace("_", "-").replace(".", "-") in names:
        for f in dist.files or ():
            p = dist.locate_file(f)
            if os.path.isfile(p) and not os.path.islink(p):
                total += os.path.getsize(p)
print(total)
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
