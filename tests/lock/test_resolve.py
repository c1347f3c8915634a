"""What may build an --allow-sdist package for its dependencies: only the image's Python, here or in
a container of the image's base."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.lock import resolve
from pinbox.lock.container import Container
from pinbox.lock.plan import LockOptions, make_plan
from pinbox.ui import UI

HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


def plan_for(tmp_path: Path, python: str) -> object:
    (tmp_path / "requirements.txt").write_text("wget==3.2\n")
    return make_plan(LockOptions(project=tmp_path, python=python, allow_sdist=("wget",)))


def test_this_interpreter_when_it_is_the_image_s(tmp_path: Path) -> None:
    assert resolve._builder(plan_for(tmp_path, HERE), UI()) == (sys.executable, None)  # type: ignore[arg-type]


def test_another_python_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = "3.9" if HERE != "3.9" else "3.10"
    monkeypatch.setattr(resolve.shutil, "which", lambda name: sys.executable)  # a liar on PATH
    monkeypatch.setattr(resolve, "find_container", lambda image: None)  # and no engine
    with pytest.raises(PinboxError) as caught:
        resolve._builder(plan_for(tmp_path, other), UI())  # type: ignore[arg-type]
    assert f"this machine has no Python {other}" in caught.value.message
    assert f"nor a Docker engine to build in python:{other}-slim" in caught.value.message
    assert f"never builds them with Python {HERE}" in caught.value.message
    assert f"uv python install {other}" in str(caught.value.hint)


def test_a_matching_python_on_path_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "python3.9"
    fake.write_text("#!/bin/sh\necho 3.9\n")
    fake.chmod(0o755)
    monkeypatch.setattr(resolve.shutil, "which", lambda name: str(fake) if name == "python3.9" else None)
    assert resolve._builder(plan_for(tmp_path, "3.9"), UI()) == (str(fake), None)  # type: ignore[arg-type]


def test_the_container_is_of_the_dockerfile_s_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.9.18-slim-bookworm\nCOPY . .\n")
    asked: list[str] = []
    monkeypatch.setattr(resolve.shutil, "which", lambda name: None)
    monkeypatch.setattr(resolve, "host_python", lambda: "3.11" if HERE == "3.9" else HERE)
    monkeypatch.setattr(
        resolve, "find_container", lambda image: asked.append(image) or Container("docker", image)
    )
    plan = plan_for(tmp_path, "3.9")
    python, container = resolve._builder(plan, UI())  # type: ignore[arg-type]
    assert python == "3.9"  # found on the image's PATH by uv
    assert container == Container("docker", "python:3.9.18-slim-bookworm")
    assert asked == ["python:3.9.18-slim-bookworm"]


def test_container_arguments_keep_paths_and_never_carry_secret_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_INDEX_URL", "https://user:hunter2@example.invalid/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    out = tmp_path / "work" / "pylock.toml"
    out.parent.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    args = ["pip", "compile", "-o", str(out)]
    argv = Container("docker", "python:3.9-slim").argv("/bin/true", args, project)
    text = " ".join(argv)
    assert "hunter2" not in text
    assert argv[argv.index("UV_INDEX_URL") - 1 : argv.index("UV_INDEX_URL") + 1] == ["--env", "UV_INDEX_URL"]
    assert f"{out.parent}:{out.parent}:rw" in argv
    assert f"{project}:{project}:ro" in argv
    assert f"{tmp_path / 'uv-cache'}:{tmp_path / 'uv-cache'}:rw" in argv
    assert f"UV_CACHE_DIR={tmp_path / 'uv-cache'}" in argv
    assert argv[-6:] == ["python:3.9-slim", str(Path("/bin/true").resolve()), *args]
    assert argv[argv.index("--workdir") + 1] == str(project)
