"""`pinbox init`: generated files for several kinds of project, each passing `pinbox check`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from ..conftest import EXAMPLE

pytestmark = pytest.mark.network
Run = Callable[..., tuple[int, str, str]]
GOLDEN = Path(__file__).parent / "golden" / "init-iris-app"
GENERATED = ("Dockerfile", ".dockerignore", "compose.yaml")

PROJECTS: dict[str, dict[str, str]] = {
    "fastapi-service": {
        "requirements.in": "fastapi==0.115.0\nuvicorn==0.30.6\n",
        "app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "Dockerfile": "FROM python:3.12-slim\n",
    },
    "vision-job": {
        "requirements.in": "opencv-python==4.10.0.84\nlightgbm==4.5.0\nnumpy<2\n",
        "main.py": "import cv2, lightgbm\n",
    },
    "packaged-cli": {
        "pyproject.toml": '[project]\nname = "tool"\nversion = "1"\ndependencies = ["click==8.1.7"]\n'
        '[project.scripts]\ntool = "tool.cli:main"\n',
    },
    "gpu-training": {
        "requirements.in": "torch==2.5.1\n",
        "train.py": "import torch\n",
        "Dockerfile": "FROM python:3.11-slim\n",
    },
}


def make(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    root.mkdir()
    for file, text in PROJECTS[name].items():
        (root / file).write_text(text)
    return root


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_generated_files_pass_check_with_zero_findings(tmp_path: Path, run_pinbox: Run, name: str) -> None:
    project = make(tmp_path, name)
    code, _, err = run_pinbox("init", "--force", project)
    assert code == 0, err
    for file in GENERATED:
        assert (project / file).is_file(), file
    code, out, err = run_pinbox("check", project)
    assert (code, out) == (0, ""), out + err
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    service = compose["services"][name]
    gpu = "deploy" in service
    assert gpu == (name == "gpu-training")
    dockerfile = (project / "Dockerfile").read_text()
    if name == "vision-job":
        assert "libgl1" in dockerfile and "libgomp1" in dockerfile
    if name == "fastapi-service":
        assert '"uvicorn", "app:app"' in dockerfile and "EXPOSE 8000" in dockerfile
        assert "FROM python:3.12-slim" in dockerfile and service["ports"] == ["8000:8000"]


def test_example_matches_golden_files(tmp_path: Path, run_pinbox: Run) -> None:
    project = tmp_path / "iris-app"
    shutil.copytree(
        EXAMPLE, project, ignore=shutil.ignore_patterns("out", "requirements.lock", "pinbox.lock.d")
    )
    code, _, err = run_pinbox("init", "--force", project)
    assert code == 0, err
    for file in GENERATED:
        assert (project / file).read_text() == (GOLDEN / file).read_text(), file
    assert run_pinbox("check", project)[:2] == (0, "")
    layers = sorted(p.name for p in (project / "pinbox.lock.d").iterdir())
    assert layers == ["0-installer.txt", "1-foundation.txt", "2-large.txt", "3-small.txt"]
    locked = [
        line.split(" ")[0]
        for line in (project / "requirements.lock").read_text().splitlines()
        if "==" in line and line[:1].isalpha()
    ]
    fragments = [
        line.split(" ")[0]
        for p in sorted((project / "pinbox.lock.d").glob("[1-9]-*.txt"))
        for line in p.read_text().splitlines()
        if "==" in line and line[:1].isalpha()
    ]
    assert sorted(fragments) == sorted(locked)  # every pin in exactly one layer


def test_never_overwrites_without_force_and_diff_writes_nothing(
    tmp_path: Path, run_pinbox: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "iris-app"
    shutil.copytree(
        EXAMPLE, project, ignore=shutil.ignore_patterns("out", "requirements.lock", "pinbox.lock.d")
    )
    monkeypatch.chdir(project)
    before = (project / "Dockerfile").read_text()
    code, _, err = run_pinbox("init", project)
    assert code == 2 and "--force" in err and "Dockerfile" in err
    assert (project / "Dockerfile").read_text() == before
    assert not (project / "requirements.lock").exists()  # a refused init writes nothing, not even the lock
    code, out, _ = run_pinbox("init", "--diff", project)
    assert code == 0 and out.startswith("--- a/Dockerfile") and "+FROM python:3.11-slim AS builder" in out
    assert "+++ b/requirements.lock" in out  # the lock it would write is part of the diff
    assert (project / "Dockerfile").read_text() == before and not (project / "compose.yaml").exists()
    assert not (project / "requirements.lock").exists() and not (project / "pinbox.lock.d").exists()
