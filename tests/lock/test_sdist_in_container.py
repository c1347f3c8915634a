"""--allow-sdist on a machine without the image's Python: the sdist is built in a container of the
image's base, by the real uv against the real index, and the lock is made."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.lock import resolve

pytestmark = [pytest.mark.docker, pytest.mark.network]
Run = Callable[..., tuple[int, str, str]]


def test_an_sdist_is_built_in_the_base_image_when_this_machine_lacks_its_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker: str, run_pinbox: Run
) -> None:
    # this machine "runs Python 3.12" and has no python3.11 on PATH: the image (python:3.11-slim,
    # which the engine has) is the only place with the image's Python
    monkeypatch.setattr(resolve, "host_python", lambda: "3.12" if sys.version_info[:2] != (3, 12) else "3.13")
    which = shutil.which
    monkeypatch.setattr(
        resolve.shutil, "which", lambda name, **kw: None if "python" in name else which(name, **kw)
    )
    cache = tmp_path / "uv-cache"  # cold: uv must fetch and build the sdist, not reuse metadata
    monkeypatch.setenv("UV_CACHE_DIR", str(cache))
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY requirements.lock .\n")
    (tmp_path / "requirements.txt").write_text("wget==3.2\n")  # an sdist only, with a setup.py
    code, _, err = run_pinbox("lock", "--allow-sdist", "wget", tmp_path)
    assert code == 0, err
    assert "built for their dependencies in a container of python:3.11-slim" in err
    assert "this machine has no Python 3.11" in err
    lock = (tmp_path / "requirements.lock").read_text()
    assert "wget==3.2" in lock
    assert "--hash=sha256:" in lock
    assert list(cache.glob("sdists-v*/pypi/wget/3.2/*")), "uv built no sdist (in the container's cache)"
