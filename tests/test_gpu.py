"""The one GPU policy (pinbox.gpu): intent decides, incidental CUDA wheels never do."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pinbox import gpu


@dataclass(frozen=True)
class Pin:
    name: str
    version: str = "1.0"
    roots: tuple[str, ...] = ()


TORCH = [Pin("torch", "2.5.1", ("torch==2.5.1",)), Pin("nvidia-cublas-cu12", "12.4", ("torch==2.5.1",))]
XGBOOST = [Pin("xgboost", "2.1.1", ("xgboost==2.1.1",)), Pin("nvidia-nccl-cu12", "2.23", ("xgboost==2.1.1",))]


@pytest.mark.parametrize("pins", [TORCH, XGBOOST], ids=["torch-from-pypi", "xgboost"])
def test_incidental_cuda_wheels_never_ask_for_a_gpu(pins: list[Pin]) -> None:
    need = gpu.decide(pins)
    assert not need.gpu and need.why == ""
    (accident,) = need.incidental
    assert accident.puller == pins[0].name and accident.wheels == (pins[1].name,)


def test_each_package_gets_its_own_way_out() -> None:
    (torch,) = gpu.decide(TORCH).incidental
    (xgboost,) = gpu.decide(XGBOOST).incidental
    assert "https://download.pytorch.org/whl/cpu" in torch.way_out
    assert "xgboost-cpu" in xgboost.way_out and "torch" not in xgboost.way_out
    assert "mylib" in gpu.way_out("mylib") and "{name}" not in gpu.way_out("mylib")
    assert "pinbox lock" in gpu.way_out("?")


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"flag": True}, "--gpu"),
        (
            {"dockerfile": "CUDA base image nvidia/cuda:12.4.1-runtime-ubuntu22.04"},
            "the Dockerfile's CUDA base",
        ),
        ({"compose": "compose.yaml's service `train` reserves a GPU"}, "reserves a GPU"),
    ],
)
def test_what_the_user_said_asks_for_a_gpu(kwargs: dict[str, object], why: str) -> None:
    need = gpu.decide(XGBOOST, **kwargs)  # type: ignore[arg-type]
    assert need.gpu and why in need.why
    assert need.incidental  # still known, for messages


@pytest.mark.parametrize(
    ("pins", "why"),
    [
        ([Pin("torch", "2.5.1+cu124", ("torch==2.5.1+cu124",))], "torch==2.5.1+cu124 is a CUDA build"),
        ([Pin("cupy-cuda12x", "13.3.0", ("cupy-cuda12x",))], "cupy-cuda12x==13.3.0"),
        ([Pin("nvidia-cublas-cu12", "12.6", ("jax[cuda12]==0.4.35",))], "jax[cuda12]==0.4.35"),
        ([Pin("nvidia-cudnn-cu12", "9.3", ("tensorflow[and-cuda]==2.18.0",))], "tensorflow[and-cuda]"),
        ([Pin("nvidia-cublas-cu12", "12.6", ("nvidia-cublas-cu12==12.6",))], "nvidia-cublas-cu12==12.6"),
    ],
    ids=["local-version", "gpu-only-distribution", "jax-extra", "tensorflow-extra", "by-name"],
)
def test_a_cuda_variant_the_requirements_chose_asks_for_a_gpu(pins: list[Pin], why: str) -> None:
    need = gpu.decide(pins)
    assert need.gpu and why in need.why and not need.incidental


def test_nvml_bindings_are_not_cuda() -> None:
    assert not gpu.is_cuda_wheel("nvidia-ml-py") and gpu.is_cuda_wheel("nvidia-nccl-cu12")
    assert gpu.decide([Pin("nvidia-ml-py", "12.5", ("nvidia-ml-py",))]) == gpu.GpuNeed(False, "")


@pytest.mark.parametrize(
    ("bases", "text", "hint"),
    [
        (["python:3.11-slim", "nvidia/cuda:12.4.1-runtime-ubuntu22.04"], "", "CUDA base image nvidia/cuda"),
        (["python:3.11-slim"], "ENV NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_VISIBLE_DEVICES setting"),
        (["python:3.11-slim"], "FROM python:3.11-slim", None),
    ],
)
def test_dockerfile_hint(bases: list[str], text: str, hint: str | None) -> None:
    found = gpu.dockerfile_hint(bases, text)
    assert (found is None) if hint is None else (found is not None and found.startswith(hint))
