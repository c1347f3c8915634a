"""uv run inside a container of the image's base, for `--allow-sdist` builds on a machine that
lacks the image's Python.

Reading an sdist's dependencies means building it, and only the image's Python may build it (a
setup.py run by another Python can fail, or answer for the wrong interpreter). When this machine
has no such Python but a Docker engine answers, the whole `uv pip compile` runs in a container of
the image's base, with `--python X.Y` found on the image's PATH. uv's binary, the project
(read-only), the temporary folders its arguments name and uv's cache are mounted at their own
paths, so every argument and every cache entry stays valid; the container runs as this user,
on the host's network, with this machine's uv, proxy and certificate settings.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.record import Record

# settings the container's uv needs to reach the same index the same way (values never printed)
_PASSED = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR")
_NOT_PASSED = ("UV_CACHE_DIR", "UV_PYTHON", "UV_PYTHON_DOWNLOADS", "UV_PYTHON_INSTALL_DIR")
_PROBE_SECONDS = 10


class Container(Record):
    client: str  # the docker executable
    image: str  # the image's base

    def argv(self, binary: str, args: Sequence[str], cwd: Path) -> list[str]:
        """`docker run ... IMAGE uv ARGS`, working in `cwd`, every path in ARGS reachable."""
        cache = uv_cache_dir()
        cache.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if _passed(k)}
        mounts = {Path(binary).resolve(): "ro", cwd.resolve(): "ro", cache: "rw"}
        for value in (env.get("SSL_CERT_FILE"), env.get("SSL_CERT_DIR")):
            if value and Path(value).exists():
                mounts.setdefault(Path(value).resolve(), "ro")
        for arg in args:  # outputs (-o) and the files pinbox wrote for uv: their folders, writable
            path = Path(arg)
            if path.is_absolute() and path.parent.is_dir() and not _under(path, cwd):
                mounts[path.parent.resolve()] = "rw"
        out = [self.client, "run", "--rm", "--network", "host", "--user", f"{os.getuid()}:{os.getgid()}"]
        for path, mode in mounts.items():
            out += ["--volume", f"{path}:{path}:{mode}"]
        for key in sorted(env):
            out += ["--env", key]  # by name: the value comes from the client's environment, never argv
        settings = {"UV_CACHE_DIR": str(cache), "UV_PYTHON_DOWNLOADS": "never", "HOME": "/tmp"}
        out += [arg for key, value in settings.items() for arg in ("--env", f"{key}={value}")]
        return [*out, "--workdir", str(cwd.resolve()), self.image, str(Path(binary).resolve()), *args]


def _passed(name: str) -> bool:
    upper = name.upper()
    return upper in _PASSED or (upper.startswith("UV_") and upper not in _NOT_PASSED)


def _under(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def uv_cache_dir() -> Path:
    """uv's cache on this machine, where uv itself would put it (`uv cache dir`)."""
    chosen = os.environ.get("UV_CACHE_DIR")
    if chosen:
        return Path(chosen).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(base) / "uv").resolve()


def find_container(image: str) -> Container | None:
    """A container runner for `image` when a Docker engine answers and has the image or can pull
    it; None when there is no engine (the caller says what else would do)."""
    from pinbox.engine.docker import find_docker
    from pinbox.engine.images import facts

    try:
        client = find_docker()
        probe = subprocess.run(
            client.command("version", "--format", "{{.Server.Version}}"),
            env=client.environ(),
            capture_output=True,
            text=True,
            timeout=_PROBE_SECONDS,
        )
    except (PinboxError, OSError, subprocess.TimeoutExpired):
        return None
    if probe.returncode != 0:
        return None
    if image not in facts(client, image).ids:
        pulled = subprocess.run(
            client.command("pull", "--quiet", image), env=client.environ(), capture_output=True
        )
        if pulled.returncode != 0:
            raise PinboxError(
                f"--allow-sdist: building in a container of {image} (this machine has not its Python), "
                "but the engine has no such image and cannot pull it",
                hint=f"pull or build {image} first, or install its Python here so that it builds here",
            )
    return Container(client.path, image)
