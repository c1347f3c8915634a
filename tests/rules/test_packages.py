"""Packages that end up together: conflicting distributions (PB111), unpinned conda installs
(PB211), torch installed over a base that ships it (PB308)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.rules import packages
from tests.rules.helpers import check, run_rule

FROM = "FROM python:3.11-slim\n"


@pytest.mark.parametrize(
    "second",
    ["opencv-python-headless==4.9.0.80", "opencv-contrib-python==4.9.0.80", "Opencv_Python_Headless"],
)
def test_conflicting_opencv_builds_in_a_file(tmp_path: Path, second: str) -> None:
    files = {"requirements.txt": f"opencv-python==4.9.0.80\nnumpy==1.26.4\n{second}\n"}
    [finding] = run_rule(tmp_path, packages.CONFLICTING, files)
    assert finding.line == 3 and "`cv2`" in finding.message and "line 1" in finding.message


def test_conflicts_in_run_lines_and_not_between_families(tmp_path: Path) -> None:
    text = (
        f"{FROM}RUN pip install onnxruntime==1.18.0 opencv-python==4.9.0.80\n"
        "RUN pip install onnxruntime-gpu\n"
    )
    [finding] = check(tmp_path, packages.CONFLICTING, text)
    assert (finding.line, finding.col) == (3, 17) and "`onnxruntime`" in finding.message


def test_conflicts_between_a_run_and_the_files_it_installs(tmp_path: Path) -> None:
    install = "RUN pip install --no-cache-dir -r requirements.txt\n"
    extra = "RUN pip install --no-cache-dir opencv-python-headless==4.10.0.84\n"
    reqs = "numpy==1.26.4\nopencv-contrib-python-headless==4.10.0.84\n"
    [after] = check(tmp_path / "a", packages.CONFLICTING, FROM + install + extra, requirements_txt=reqs)
    assert (after.line, after.col) == (3, 32) and "(requirements.txt line 2)" in after.message
    [before] = check(tmp_path / "b", packages.CONFLICTING, FROM + extra + install, requirements_txt=reqs)
    assert (before.line, before.col) == (3, 35) and "(line 2)" in before.message  # at the `-r` file
    both = reqs + "opencv-python==4.10.0.84\n"  # reported once, in the file
    found = check(tmp_path / "c", packages.CONFLICTING, FROM + install, requirements_txt=both)
    assert [(f.path.name, f.line) for f in found] == [("requirements.txt", 3)]


@pytest.mark.parametrize(
    ("run", "words"),
    [
        ("conda install -y -c conda-forge numpy pandas=2.2 scipy=1.13.1", ["numpy", "pandas=2.2"]),
        ("mamba install -y 'numpy>=1.26' python==3.11.9", ["numpy>=1.26"]),
        ("micromamba create -n env -c conda-forge python=3.11 pip", ["python=3.11", "pip"]),
    ],
)
def test_conda_unpinned(tmp_path: Path, run: str, words: list[str]) -> None:
    found = check(tmp_path, packages.CONDA_UNPINNED, f"{FROM}RUN {run}\n")
    assert [f.message.split("`")[1] for f in found] == words


def test_conda_pins_with_build_strings_pass(tmp_path: Path) -> None:
    text = f"{FROM}RUN conda install -y numpy=1.26.4=py311h64a7726_0 pandas==2.2.2 --file env.txt\n"
    assert check(tmp_path, packages.CONDA_UNPINNED, text) == []


BASE = "FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n"


def test_torch_installed_again_over_a_torch_base(tmp_path: Path) -> None:
    [finding] = check(tmp_path, packages.TORCH_AGAIN, f"{BASE}RUN pip install torch==2.3.1 transformers\n")
    assert finding.col == 17 and "ships torch 2.3.1 with its CUDA libraries" in finding.message
    via_file = f"{BASE}COPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    assert len(check(tmp_path, packages.TORCH_AGAIN, via_file, requirements_txt="torch==2.3.1\n")) == 1


def test_torch_on_a_plain_base_or_in_a_builder_is_fine(tmp_path: Path) -> None:
    assert check(tmp_path, packages.TORCH_AGAIN, f"{FROM}RUN pip install torch==2.3.1\n") == []
    builder = f"{BASE.strip()} AS b\nRUN pip install torch==2.3.1\n{FROM}COPY --from=b /x /x\n"
    assert check(tmp_path, packages.TORCH_AGAIN, builder) == []
    assert check(tmp_path, packages.TORCH_AGAIN, f"{BASE}RUN pip install transformers==4.44.0\n") == []


@pytest.mark.parametrize(
    ("base", "ships"),
    [
        ("pytorch/pytorch", "ships torch;"),  # no tag: latest
        ("pytorch/pytorch:2.3.1-runtime", "ships torch 2.3.1;"),
        ("nvcr.io/nvidia/pytorch:24.01-py3", "ships torch;"),  # an NGC release, not a torch version
        ("huggingface/transformers-pytorch-cpu:4.41.0", "ships torch;"),  # a transformers version
    ],
)
def test_torch_base_message_says_only_what_the_tag_says(tmp_path: Path, base: str, ships: str) -> None:
    [finding] = check(tmp_path, packages.TORCH_AGAIN, f"FROM {base}\nRUN pip install torch==2.3.1\n")
    assert ships in finding.message and "CUDA libraries" not in finding.message


def test_torch_in_a_file_found_after_cd(tmp_path: Path) -> None:
    text = f"{BASE}WORKDIR /app\nCOPY . .\nRUN cd sub && pip install -r requirements.txt\n"
    files = {"requirements_txt": "numpy==2.0.0\n", "sub__requirements_txt": "torch==2.3.1\n"}
    [finding] = check(tmp_path / "a", packages.TORCH_AGAIN, text, **files)
    assert (finding.line, finding.col) == (4, 30)
    swapped = {"requirements_txt": "torch==2.3.1\n", "sub__requirements_txt": "numpy==2.0.0\n"}
    assert check(tmp_path / "b", packages.TORCH_AGAIN, text, **swapped) == []
