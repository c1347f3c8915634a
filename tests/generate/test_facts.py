"""Project facts for init: GPU need, system libraries, base image, .dockerignore entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.datafiles import data_table
from pinbox.generate import facts
from pinbox.lock.read import LockedBlock
from pinbox.target import Platform, Target


def blocks(*names: str, version: str = "1.0") -> list[LockedBlock]:
    return [LockedBlock(n, version, f"{n}=={version}\n", None) for n in names]


def test_gpu_from_cuda_wheels_or_local_versions() -> None:
    assert facts.needs_gpu(blocks("torch", "nvidia-cublas-cu12"))
    assert facts.needs_gpu(blocks("torch", version="2.3.0+cu121"))
    assert not facts.needs_gpu(blocks("torch", "numpy"))


@pytest.mark.parametrize("row", data_table("system_libs")["lib"], ids=lambda r: r["packages"][0])
def test_every_system_lib_row_is_used(row: dict[str, list[str]]) -> None:
    libs = facts.system_libs(blocks(row["packages"][0], "six"))
    assert set(row["apt"]) <= set(libs.apt) and set(row["apk"]) <= set(libs.apk)
    assert row["packages"][0] in libs.why


def test_no_system_libs_for_pure_python() -> None:
    assert facts.system_libs(blocks("six", "opencv-python-headless")).apt == ()


def test_base_image_keeps_a_python_base_else_official_slim() -> None:
    target = Target("3.12", (Platform("x86_64"),), "flags")
    assert facts.base_image(target, "python:3.12-slim-bookworm") == "python:3.12-slim-bookworm"
    assert facts.base_image(target, "ubuntu:22.04") == "python:3.12-slim"
    assert facts.base_image(Target("3.12", (Platform("x86_64", "musl"),), "f"), None) == "python:3.12-alpine"


def test_dockerignore_lists_what_the_project_holds(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "mlruns").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "best.ckpt").write_bytes(b"x")
    patterns = [p for p, _ in facts.dockerignore_entries(tmp_path)]
    assert {".git", ".venv", "**/__pycache__", "data/", "mlruns/", "models/", "**/*.ckpt"} <= set(patterns)
    assert "**/*.safetensors" not in patterns and "wandb/" not in patterns
