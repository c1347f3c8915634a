"""CUDA and GPU facts, and cuda-wheels-on-cpu-image (PB303): one small project in, findings out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.gpu import cuda_table
from pinbox.rules.context_bloat import human_size
from pinbox.rules.cuda import CUDA_WHEELS_ON_CPU_IMAGE, is_cuda_build
from pinbox.rules.locked import Locked
from pinbox.rules.model import Finding
from tests.rules.helpers import run_rule

SLIM = "FROM python:3.11-slim\n"
CPU = SLIM + "COPY requirements.lock .\nRUN pip install -r requirements.lock\n"


def pinbox_lock(pins: dict[str, str]) -> str:
    """A requirements lock with pinbox's `# from:` notes: pin -> the requirement that pulled it in."""
    return "".join(f"{pin}\n    # from: {root}\n" for pin, root in pins.items())


TORCH_LOCK = pinbox_lock(
    {
        "torch==2.5.1": "torch==2.5.1",
        "nvidia-cublas-cu12==12.4.5.8": "torch==2.5.1",
        "nvidia-cudnn-cu12==9.1.0.70": "torch==2.5.1",
    }
)
GPU_COMPOSE = (
    "services:\n  train:\n    build: .\n    deploy:\n      resources:\n        reservations:\n"
    "          devices:\n            - driver: nvidia\n              count: 1\n"
)


# cuda-wheels-on-cpu-image --------------------------------------------------------------------


def cuda(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    return run_rule(tmp_path, CUDA_WHEELS_ON_CPU_IMAGE, files)


def test_cuda_wheels_on_cpu_image(tmp_path: Path) -> None:
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": TORCH_LOCK})
    assert (finding.path.name, finding.line) == ("requirements.lock", 3)
    assert "2 CUDA wheels that no requirement asked for" in finding.message
    assert "about 1.1 GB (approximate sizes)" in finding.message
    assert "torch pulls nvidia-cublas-cu12, nvidia-cudnn-cu12 in: lock torch from" in finding.message
    assert (
        "https://download.pytorch.org/whl/cpu" in finding.message and "--torch-backend cpu" in finding.message
    )


def test_xgboost_s_nccl_names_xgboost_and_its_cpu_build(tmp_path: Path) -> None:
    """An xgboost app pulls nvidia-nccl-cu12 on Linux: the way out is xgboost-cpu, not an extra."""
    lock = pinbox_lock({"numpy==2.1.0": "xgboost==2.1.1", "nvidia-nccl-cu12==2.23.4": "xgboost==2.1.1"})
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": lock})
    assert "xgboost pulls nvidia-nccl-cu12 in: require `xgboost-cpu` instead" in finding.message
    assert "extra" not in finding.message and "torch" not in finding.message


def test_pip_compile_s_via_names_the_parent(tmp_path: Path) -> None:
    lock = "nvidia-nccl-cu12==2.23.4\n    # via xgboost\nxgboost==2.1.1\n    # via -r requirements.in\n"
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": lock})
    assert "xgboost pulls nvidia-nccl-cu12 in: require `xgboost-cpu`" in finding.message


@pytest.mark.parametrize(
    "pins",
    [
        {"torch==2.5.1+cu124": "torch==2.5.1+cu124", "nvidia-cublas-cu12==12.4.5.8": "torch==2.5.1+cu124"},
        {
            "jax-cuda12-plugin==0.4.35": "jax[cuda12]==0.4.35",
            "nvidia-cublas-cu12==12.6.4.1": "jax[cuda12]==0.4.35",
        },
        {"nvidia-cublas-cu12==12.6.4.1": "tensorflow[and-cuda]==2.18.0"},
        {"nvidia-cublas-cu12==12.6.4.1": "nvidia-cublas-cu12==12.6.4.1"},
    ],
    ids=["torch-cuda-build", "jax-cuda-extra", "tensorflow-and-cuda", "required-by-name"],
)
def test_cuda_the_requirements_chose_is_a_gpu_image_by_intent(tmp_path: Path, pins: dict[str, str]) -> None:
    assert not cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": pinbox_lock(pins)})


@pytest.mark.parametrize("row", cuda_table()["wheel"], ids=lambda r: r["name"])
def test_every_cuda_wheel_row_is_sized(tmp_path: Path, row: dict[str, object]) -> None:
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": f"{row['name']}-cu12==1.0\n"})
    size = human_size(int(float(str(row["mb"])) * 10**6))
    assert f"about {size}" in finding.message
    assert "find the requirement that pulls the CUDA wheels in" in finding.message  # no notes: no guess


def test_cuda_sizes_from_a_pylock(tmp_path: Path) -> None:
    wheel = "nvidia_cublas_cu12-12.4.5.8-py3-none-manylinux2014_{}.whl"
    pylock = (
        'lock-version = "1.0"\ncreated-by = "uv"\n\n[[packages]]\nname = "torch"\nversion = "2.5.1"\n\n'
        '[[packages]]\nname = "nvidia-cublas-cu12"\nversion = "12.4.5.8"\nwheels = [\n'
        f'  {{ name = "{wheel.format("aarch64")}", size = 500000000 }},\n'
        f'  {{ name = "{wheel.format("x86_64")}", size = 363400000 }},\n]\n'
    )
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "pylock.toml": pylock})
    assert finding.line == 9 and "adding 363.4 MB to Dockerfile" in finding.message


@pytest.mark.parametrize("base", cuda_table()["gpu"]["bases"])
def test_cuda_base_images_ask_for_a_gpu(tmp_path: Path, base: str) -> None:
    ref = base.replace("*", "12.4-cuda")
    assert not cuda(tmp_path, {"Dockerfile": f"FROM {ref}\n", "requirements.lock": TORCH_LOCK})


@pytest.mark.parametrize("hint", cuda_table()["gpu"]["hints"])
def test_gpu_hints_in_the_dockerfile(tmp_path: Path, hint: str) -> None:
    text = CPU + f"# docker run {hint} ...\n"
    assert not cuda(tmp_path, {"Dockerfile": text, "requirements.lock": TORCH_LOCK})


@pytest.mark.parametrize(
    "files",
    [
        {"compose.yaml": GPU_COMPOSE},
        {"requirements.lock": "torch==2.5.1+cpu\nnvidia-ml-py==12.560.30\n"},
        {"Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"},
    ],
    ids=["compose-gpu", "no-cuda-wheels", "cuda-base"],
)
def test_cuda_wheels_wanted_or_absent(tmp_path: Path, files: dict[str, str]) -> None:
    assert not cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": TORCH_LOCK, **files})


def test_cuda_lock_shared_by_two_dockerfiles_is_reported_once(tmp_path: Path) -> None:
    files = {"Dockerfile": CPU, "api.Dockerfile": CPU, "requirements.lock": TORCH_LOCK}
    (finding,) = cuda(tmp_path, files)
    assert "to Dockerfile, api.Dockerfile," in finding.message


def test_cuda_lock_beside_an_image_that_installs_nothing(tmp_path: Path) -> None:
    text = "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"
    assert not cuda(tmp_path, {"docs/Dockerfile": text, "requirements.lock": TORCH_LOCK})


def test_cuda_without_dockerfile_is_not_an_image_problem(tmp_path: Path) -> None:
    assert not cuda(tmp_path, {"requirements.lock": TORCH_LOCK})


# is a package a CUDA build? ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "version", "cuda"),
    [
        ("nvidia-cublas-cu12", "12.4.5.8", True),
        ("nvidia-cublas", "13.0.0.19", True),  # CUDA 13 wheels have no suffix
        ("nvidia-some-new-lib-cu12", "1.0", True),
        ("nvidia-ml-py", "12.560.30", False),
        ("torch", "2.5.1", False),
        ("torch", "2.5.1+cu124", True),
        ("jaxlib", "0.4.26+cuda12.cudnn89", True),
        ("numpy", "2.1.0", False),
    ],
)
def test_is_cuda_build(name: str, version: str, cuda: bool) -> None:
    assert is_cuda_build(Locked(name, version, 1)) is cuda
