"""Finding a Docker client that can build with BuildKit, and running it."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import field
from functools import cache
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.record import dataclass

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


def _probe(args: list[str]) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return None


def _answer(proc: subprocess.Popen[str] | None) -> str | None:
    """The probe's stdout when it succeeded, else None (a hung client is given 20 s)."""
    if proc is None:
        return None
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    return out if proc.returncode == 0 else None


def _classify(path: str) -> DockerClient | None:
    # both questions at once: each is a client start-up (~30 ms), and `pinbox build` asks every run
    buildx = _probe([path, "buildx", "version"])
    version = _probe([path, "version", "--format", "{{.Client.Version}}"])
    has_buildx, client = _answer(buildx) is not None, (_answer(version) or "").strip()
    if has_buildx:
        return DockerClient(path, buildx=True)
    try:
        major: int | None = int(client.split(".")[0])
    except ValueError:
        major = None
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
