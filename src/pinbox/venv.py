"""Virtualenvs `pinbox sync` fills: which Python one runs, and making one with the lock's Python.

An interpreter of the locked version is looked for on this machine only (this one, `pythonX.Y` on
PATH, pyenv's installs, or one uv already manages); pinbox never downloads one by itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.lock.uv_batch import uv_env

_VERSION = re.compile(r"^\s*(?:version|version_info)\s*=\s*(\d+)\.(\d+)", re.MULTILINE)


def venv_python(venv: Path) -> Path:
    """The interpreter inside a virtualenv."""
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def venv_version(venv: Path) -> str | None:
    """X.Y of the Python a virtualenv was made with (its pyvenv.cfg), or None when unreadable."""
    config = venv / "pyvenv.cfg"
    if not config.is_file():
        return None
    try:
        found = _VERSION.search(read_text(config, what="pyvenv.cfg", max_bytes=64 * 1024))
    except PinboxError:
        return None
    return f"{found.group(1)}.{found.group(2)}" if found else None


def runs(path: str, minor: str) -> bool:
    """Whether `path` is a working Python `minor` (a pyenv shim for another version is not)."""
    try:
        done = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == minor


def _pyenv_versions(minor: str) -> list[str]:
    """pyenv's installs of `minor`, newest first: its shims answer only for the versions a shell
    selected, so `pythonX.Y` on PATH may be a shim that refuses to run."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [
        p for p in root.glob(f"{minor}.*/bin/python{minor}") if re.fullmatch(rf"{minor}\.\d+", p.parts[-3])
    ]
    return [str(p) for p in sorted(found, key=lambda p: int(p.parts[-3].rsplit(".", 1)[1]), reverse=True)]


def find_python(minor: str, uv: str) -> str:
    """A Python `minor` on this machine: this interpreter, `pythonX.Y` on PATH, a pyenv install,
    or one uv manages."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == minor:
        return sys.executable
    for found in (shutil.which(f"python{minor}"), *_pyenv_versions(minor)):
        if found and runs(found, minor):
            return found
    try:
        done = subprocess.run(
            [uv, "python", "find", minor, "--no-python-downloads"],
            capture_output=True,
            text=True,
            timeout=60,
            env=uv_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        done = None
    path = done.stdout.strip() if done and done.returncode == 0 else ""
    if path and "\n" not in path and runs(path, minor):
        return path
    raise PinboxError(
        f"no Python {minor} on this machine, and the lock is for Python {minor} (the image's)",
        hint=f"install Python {minor} (`uv python install {minor}`, pyenv, or the system's packages) "
        "and run `pinbox sync` again; pinbox never downloads an interpreter by itself",
    )
