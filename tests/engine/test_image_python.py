"""A base whose tag does not say its Python (pytorch/pytorch, miniconda3): pinbox reads it from the
image when the engine has it, remembers it by image ID, and otherwise asks for --python."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinbox.dockerfile.parse import load_dockerfile
from pinbox.engine import image_python
from pinbox.engine.docker import find_docker
from pinbox.errors import PinboxError
from pinbox.inventory import cache
from pinbox.target import target_from_dockerfile


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    client = find_docker()
    return subprocess.run(client.command(*args), env=client.environ(), capture_output=True, text=True)


@pytest.fixture
def conda_like(docker: str) -> Iterator[str]:
    """A local image named as no table knows it (the stand-in python:3.11-slim, retagged)."""
    ref = f"pinbox-test/conda-like:{uuid.uuid4().hex[:10]}"
    assert _docker("tag", "python:3.11-slim", ref).returncode == 0
    yield ref
    _docker("rmi", ref)


@pytest.mark.docker
def test_the_python_is_read_from_the_local_image_and_remembered(tmp_path: Path, conda_like: str) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {conda_like}\nCOPY . .\n")
    real = _docker("run", "--rm", "--network", "none", conda_like, "python3", "-c",
                   "import platform; print(platform.python_version())").stdout.strip()  # fmt: skip
    target = target_from_dockerfile(load_dockerfile(tmp_path / "Dockerfile"))
    assert (target.python, target.patch) == (".".join(real.split(".")[:2]), real)
    assert f"Python {real} read from the local image" in target.source
    image_id = _docker("image", "inspect", "--format", "{{.Id}}", conda_like).stdout.strip()
    assert cache.load_json(cache.image_pythons_dir(), image_id.removeprefix("sha256:")) is not None


def test_without_the_image_pinbox_asks_for_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_python, "python_of_local_image", lambda ref: None)
    (tmp_path / "Dockerfile").write_text("FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n")
    with pytest.raises(PinboxError) as caught:
        target_from_dockerfile(load_dockerfile(tmp_path / "Dockerfile"))
    assert "does not say which Python it runs" in caught.value.message
    assert "reads it from the image itself when the Docker engine has the image" in str(caught.value.hint)
