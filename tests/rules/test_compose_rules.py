"""Compose rules (PB401-PB402): GPU reservations against the CUDA wheels locked for a service."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox import gpu
from pinbox.rules import compose
from pinbox.rules.compose import service_line
from pinbox.rules.model import Finding, Rule
from tests.rules.helpers import run_rule

CPU_LOCK = "numpy==2.1.0\ntorch==2.5.1+cpu\n"
CUDA_LOCK = "numpy==2.1.0\ntorch==2.5.1\nnvidia-cublas-cu12==12.4.5.8\n"
DEVICES = "    deploy:\n      resources:\n        reservations:\n          devices:\n"
GPU = (
    "services:\n  db:\n    image: postgres:16\n  train:\n    build: .\n"
    + DEVICES
    + ("            - driver: nvidia\n              count: 1\n              capabilities: [gpu]\n")
)
NO_GPU = "services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    ports: ['8000:8000']\n"


def check(tmp_path: Path, rule: Rule, compose_text: str, lock: str | None, **files: str) -> list[Finding]:
    """The rule's findings on a Dockerfile, a compose file and (unless None) a requirements.lock."""
    base = {"Dockerfile": "FROM python:3.11-slim\n", "compose.yaml": compose_text}
    return run_rule(
        tmp_path, rule, {**base, **({"requirements.lock": lock} if lock is not None else {}), **files}
    )


def test_codes_and_names() -> None:
    assert [(r.code, r.name) for r in compose.RULES] == [
        ("PB401", "compose-gpu-without-cuda"),
        ("PB402", "compose-cuda-without-gpu"),
    ]


# compose-gpu-without-cuda --------------------------------------------------------------------


def test_gpu_without_cuda(tmp_path: Path) -> None:
    (finding,) = check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, GPU, CPU_LOCK)
    assert (finding.path.name, finding.line) == ("compose.yaml", 4)
    assert "service `train` reserves a GPU" in finding.message and "requirements.lock" in finding.message


@pytest.mark.parametrize(
    "service",
    [
        "    gpus: all\n",
        "    runtime: nvidia\n",
        DEVICES + "            - driver: nvidia\n",
        DEVICES + "            - capabilities: [gpu, utility]\n",
    ],
    ids=["gpus", "runtime", "driver", "capabilities"],
)
def test_gpu_reservation_forms(tmp_path: Path, service: str) -> None:
    text = "services:\n  train:\n    build: .\n" + service
    assert len(check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, text, CPU_LOCK)) == 1


@pytest.mark.parametrize(
    ("text", "lock", "files"),
    [
        (GPU, CUDA_LOCK, {}),
        (GPU.replace("build: .", "image: ollama/ollama"), CPU_LOCK, {}),  # not this project's image
        (GPU, None, {}),  # no lock to judge
        (GPU, CPU_LOCK, {"Dockerfile": "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\n"}),
        (NO_GPU, CPU_LOCK, {}),
        (
            DEVICES.join(["services:\n  train:\n    build: .\n", "            - capabilities: [tpu]\n"]),
            CPU_LOCK,
            {},
        ),
    ],
    ids=["cuda-lock", "image-only", "no-lock", "cuda-base", "no-gpu", "other-device"],
)
def test_gpu_without_cuda_negatives(
    tmp_path: Path, text: str, lock: str | None, files: dict[str, str]
) -> None:
    assert not check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, text, lock, **files)


@pytest.mark.parametrize("name", gpu.cuda_table()["cuda-builds"]["names"])
def test_every_gpu_only_distribution_counts_as_cuda(tmp_path: Path, name: str) -> None:
    lock = CPU_LOCK + name.replace("*", "12") + "==1.0\n"
    assert not check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, GPU, lock)


@pytest.mark.parametrize("name", gpu.cuda_table()["cuda-builds"]["local-version"])
def test_every_local_version_cuda_build_counts(tmp_path: Path, name: str) -> None:
    assert not check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, GPU, f"{name}==2.5.1+cu124\n")
    assert check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, GPU, f"{name}==2.5.1+cpu\n")


def test_build_context_and_dockerfile_of_a_service(tmp_path: Path) -> None:
    text = (
        "services:\n  train:\n    build:\n      context: ./svc\n      dockerfile: gpu.Dockerfile\n"
        + DEVICES
        + "            - driver: nvidia\n"
    )
    files = {
        "svc/gpu.Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n",
        "svc/requirements.lock": "a==1\n",
    }
    assert not check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, text, CUDA_LOCK, **files)
    files["svc/gpu.Dockerfile"] = "FROM python:3.11-slim\n"
    (finding,) = check(tmp_path, compose.COMPOSE_GPU_WITHOUT_CUDA, text, CUDA_LOCK, **files)
    assert "its lock (requirements.lock)" in finding.message  # svc/requirements.lock, not the root one


# compose-cuda-without-gpu --------------------------------------------------------------------


def test_cuda_without_gpu(tmp_path: Path) -> None:
    (finding,) = check(tmp_path, compose.COMPOSE_CUDA_WITHOUT_GPU, NO_GPU, CUDA_LOCK)
    assert (finding.path.name, finding.line) == ("compose.yaml", 4)
    assert "service `api`" in finding.message and "nvidia-cublas-cu12" in finding.message
    assert "capabilities: [gpu]" in finding.message


@pytest.mark.parametrize(
    ("root", "advice"),
    [
        (
            "xgboost==2.1.1",
            "no requirement asked for, and no service reserves a GPU; for a CPU service: xgboost pulls",
        ),
        ("jax[cuda12]==0.4.35", "because jax[cuda12]==0.4.35 is a CUDA build, but no service reserves"),
    ],
    ids=["incidental", "chosen"],
)
def test_cuda_without_gpu_advice_follows_intent(tmp_path: Path, root: str, advice: str) -> None:
    """Incidental CUDA wheels get their package's CPU way out; a chosen CUDA build, a reservation."""
    lock = f"nvidia-nccl-cu12==2.23.4\n    # from: {root}\n"
    (finding,) = check(tmp_path, compose.COMPOSE_CUDA_WITHOUT_GPU, NO_GPU, lock)
    assert advice in finding.message


@pytest.mark.parametrize(
    ("text", "lock"),
    [
        (NO_GPU, CPU_LOCK),
        (GPU, CUDA_LOCK),
        (NO_GPU.replace("build: .", "image: me/api:1"), CUDA_LOCK),
        (NO_GPU + "  worker:\n    build: .\n    gpus: all\n", CUDA_LOCK),
    ],
    ids=["cpu-lock", "gpu-reserved", "image-only", "another-service-has-the-gpu"],
)
def test_cuda_without_gpu_negatives(tmp_path: Path, text: str, lock: str) -> None:
    assert not check(tmp_path, compose.COMPOSE_CUDA_WITHOUT_GPU, text, lock)


def test_cuda_without_gpu_reports_every_building_service(tmp_path: Path) -> None:
    text = NO_GPU + "  worker:\n    build:\n      context: .\n"
    found = check(tmp_path, compose.COMPOSE_CUDA_WITHOUT_GPU, text, CUDA_LOCK)
    assert [f.line for f in found] == [4, 7]


# where a service is --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "line"),
    [
        (NO_GPU, "api", 4),
        (
            "version: '3'\nservices:\n  web:\n    depends_on:\n      api:\n        condition: x\n  api:\n",
            "api",
            7,
        ),
        ("services:\n  # the API\n  'api':\n    build: .\n", "api", 3),
        ("services:\n    api:\n        build: .\n", "api", 2),
        ("x-common: &c\n  api: 1\n", "api", 1),
    ],
    ids=["simple", "nested-key-of-same-name", "quoted", "four-spaces", "no-services"],
)
def test_service_line(text: str, name: str, line: int) -> None:
    assert service_line(text, name) == line
