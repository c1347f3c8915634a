"""Finding a Docker client that can build with BuildKit, and running it."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pinbox.errors import PinboxError

DEBIAN_CLIENT = "/usr/bin/docker"


@dataclass(frozen=True)
class DockerClient:
    """A docker CLI and the environment that makes it build with BuildKit."""

    path: str
    buildx: bool  # `docker buildx build` works; otherwise DOCKER_BUILDKIT=1 docker build
    env: dict[str, str] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        return [self.path, *args]

    def build_command(self, *args: str) -> list[str]:
        return (
            self.command("buildx", "build", "--load", *args) if self.buildx else self.command("build", *args)
        )

    def environ(self) -> dict[str, str]:
        return {**os.environ, **self.env}


def _works(args: list[str]) -> bool:
    try:
        return subprocess.run(args, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _major_version(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "version", "--format", "{{.Client.Version}}"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
        return int(out.split(".")[0])
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None


def _classify(path: str) -> DockerClient | None:
    if _works([path, "buildx", "version"]):
        return DockerClient(path, buildx=True)
    major = _major_version(path)
    # Clients before 23 still build with BuildKit through DOCKER_BUILDKIT=1; newer ones
    # without buildx fall back to the legacy builder, which cannot use cache mounts.
    if major is not None and major < 23:
        return DockerClient(path, buildx=False, env={"DOCKER_BUILDKIT": "1"})
    return None


@cache
def find_docker() -> DockerClient:
    """`PINBOX_DOCKER` if set, else the first client on PATH or Debian's that can use BuildKit."""
    chosen = os.environ.get("PINBOX_DOCKER")
    if chosen:
        if shutil.which(chosen) is None:
            raise PinboxError(
                f"PINBOX_DOCKER={chosen}: no such executable", hint="point it at a docker client"
            )
        client = _classify(chosen)
        if client is None:
            raise PinboxError(
                f"PINBOX_DOCKER={chosen} cannot build with BuildKit (no `buildx`, and too new for "
                "DOCKER_BUILDKIT=1)",
                hint="point PINBOX_DOCKER at a client with buildx",
            )
        return client
    candidates = [c for c in (shutil.which("docker"), DEBIAN_CLIENT) if c and Path(c).exists()]
    for path in dict.fromkeys(candidates):
        client = _classify(path)
        if client is not None:
            return client
    found = ", ".join(candidates) or "none on PATH"
    raise PinboxError(
        f"no Docker client that can build with BuildKit (found: {found})",
        hint="install the buildx plugin, or Debian's docker.io, or set PINBOX_DOCKER to a client",
    )
