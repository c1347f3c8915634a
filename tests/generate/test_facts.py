"""Project facts for init: system libraries, base image, .dockerignore entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.datafiles import data_table
from pinbox.generate import facts
from pinbox.lock.read import LockedBlock
from pinbox.target import Platform, Target


def blocks(*names: str, version: str = "1.0") -> list[LockedBlock]:
    return [LockedBlock(n, version, f"{n}=={version}\n", None) for n in names]


@pytest.mark.parametrize("row", data_table("system_libs")["lib"], ids=lambda r: r["packages"][0])
def test_every_system_lib_row_is_used(row: dict[str, list[str]]) -> None:
    libs = facts.system_libs(blocks(row["packages"][0], "six"))
    assert set(row["apt"]) <= set(libs.apt) and set(row["apk"]) <= set(libs.apk)
    assert row["packages"][0] in libs.why


def test_no_system_libs_for_pure_python() -> None:
    assert facts.system_libs(blocks("six", "opencv-python-headless")).apt == ()


def test_base_image_keeps_a_python_base_else_official_slim() -> None:
    target = Target("3.12", (Platform("x86_64"),), "flags")
    assert facts.base_image(target, "python:3.12-slim-bookworm") == ("python:3.12-slim-bookworm", None)
    assert facts.base_image(target, None) == ("python:3.12-slim", None)
    musl = Target("3.12", (Platform("x86_64", "musl"),), "f")
    assert facts.base_image(musl, None) == ("python:3.12-alpine", None)


@pytest.mark.parametrize(
    ("current", "why"),
    [
        (
            "nvidia/cuda:12.1.0-runtime-ubuntu22.04",
            "the locked CUDA wheels (nvidia-*) carry the CUDA libraries",
        ),
        ("nvcr.io/nvidia/pytorch:24.01-py3", "the locked CUDA wheels"),
        ("pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime", "its torch is a conda install"),
        ("continuumio/miniconda3:24.1.2-0", "conda is not used"),
        ("ubuntu:22.04", "a virtualenv of the official Python image"),
    ],
)
def test_a_replaced_base_is_explained(current: str, why: str) -> None:
    target = Target("3.11", (Platform("x86_64"),), "flags")
    base, said = facts.base_image(target, current)
    assert base == "python:3.11-slim" and said is not None
    assert said.startswith(f"python:3.11-slim instead of {current}: ") and why in said
    assert said.endswith("keep a base with --base")


def test_dockerignore_lists_what_the_project_holds(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "mlruns").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "best.ckpt").write_bytes(b"x")
    patterns = [p for p, _ in facts.dockerignore_entries(tmp_path)]
    assert {".git", ".venv", "**/__pycache__", "data/", "mlruns/", "models/", "**/*.ckpt"} <= set(patterns)
    assert "**/*.safetensors" not in patterns and "wandb/" not in patterns
