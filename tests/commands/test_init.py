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
        "Dockerfile": "FROM python:3.11-slim\nENV NVIDIA_VISIBLE_DEVICES=all\n",  # says: a GPU image
    },
}
APPS = Path(__file__).parent.parent / "fixtures" / "apps"


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
    assert (
        gpu == (name == "gpu-training") == ("NVIDIA_VISIBLE_DEVICES" in (project / "Dockerfile").read_text())
    )
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
    assert code == 0 and out.startswith("--- a/Dockerfile") and "+FROM python:3.11-slim AS tools" in out
    assert "+++ b/requirements.lock" in out  # the lock it would write is part of the diff
    assert (project / "Dockerfile").read_text() == before and not (project / "compose.yaml").exists()
    assert not (project / "requirements.lock").exists() and not (project / "pinbox.lock.d").exists()


def app(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    shutil.copytree(APPS / name, project)
    return project


def test_streamlit_app_keeps_its_command_port_workdir_env_and_extra_install(
    tmp_path: Path, run_pinbox: Run
) -> None:
    project = app(tmp_path, "streamlit-app")
    code, out, err = run_pinbox("init", "--diff", project)  # shows the input change, writes nothing
    assert code == 0, err
    assert out.startswith("--- a/") and "streamlit-app/requirements.txt\n+++ b/" in out and "+watchdog" in out
    assert (project / "requirements.txt").read_text() == (APPS / "streamlit-app/requirements.txt").read_text()
    code, _, err = run_pinbox("init", project)
    assert code == 2 and "--force" in err and not (project / "requirements.lock").exists()
    code, _, err = run_pinbox("init", "--force", project)
    assert code == 0, err
    assert "added watchdog to" in err and "entry point: streamlit run demo.py  [from Dockerfile's CMD]" in err
    dockerfile = (project / "Dockerfile").read_text()
    for kept in (
        'CMD ["streamlit", "run", "demo.py"]',
        "EXPOSE 8501",
        "WORKDIR /srv/demo",
        "ENV STREAMLIT_BROWSER_GATHER_USAGE_STATS=false",
        "mkdir -p /srv/demo && chown app:app /srv/demo",
    ):
        assert kept in dockerfile, kept
    assert (project / "requirements.txt").read_text().endswith("init\nwatchdog\n")
    assert "\nwatchdog==" in (project / "requirements.lock").read_text()
    service = yaml.safe_load((project / "compose.yaml").read_text())["services"]["streamlit-app"]
    assert service["ports"] == ["8501:8501"] and "./data:/srv/demo/data" in service["volumes"]
    assert run_pinbox("check", project)[:2] == (0, "")
    files = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    code, _, err = run_pinbox("init", "--force", project)  # twice is once
    assert code == 0, err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == files


def test_xgboost_app_is_a_cpu_image_and_names_xgboost_cpu(tmp_path: Path, run_pinbox: Run) -> None:
    """xgboost pulls nvidia-nccl-cu12 on Linux: not a reason for a GPU image (issue 10)."""
    project = tmp_path / "xgb"
    project.mkdir()
    (project / "requirements.txt").write_text("xgboost==2.1.3\n")
    (project / "train.py").write_text("import xgboost\n")
    code, _, err = run_pinbox("init", project)
    assert code == 0, err
    assert "GPU: yes" not in err
    assert "warning: xgboost pulls CUDA wheels (nvidia-nccl-cu12) that a CPU image does not need" in err
    assert "`xgboost-cpu` instead of `xgboost`" in err
    assert "NVIDIA" not in (project / "Dockerfile").read_text()
    assert "deploy" not in (project / "compose.yaml").read_text()
    code, out, _ = run_pinbox("check", project)
    assert code == 1 and "PB303" in out and "xgboost-cpu" in out and "jax" not in out


def test_python_3_6_app_gets_pip_and_keeps_its_command(tmp_path: Path, run_pinbox: Run) -> None:
    project = app(tmp_path, "flask-py36")
    code, _, err = run_pinbox("init", "--force", project)
    assert code == 0, err
    assert "installer: pip (uv runs on Python 3.8 or newer; the image's Python is 3.6)" in err
    dockerfile = (project / "Dockerfile").read_text()
    assert "uv pip" not in dockerfile and "/opt/venv/bin/pip install --prefix" in dockerfile
    assert 'CMD ["python", "app.py"]' in dockerfile and "EXPOSE 5000" in dockerfile
    assert not (project / "pinbox.lock.d" / "0-installer.txt").exists()
    assert "# target: cpython-3.6 " in (project / "requirements.lock").read_text()
    code, _, err = run_pinbox("init", "--force", "--installer", "uv", project)
    assert code == 2 and "uv runs on Python 3.8 or newer" in err and "--installer pip" in err


def test_a_command_the_image_would_not_have_stops_init_with_the_line_to_add(
    tmp_path: Path, run_pinbox: Run
) -> None:
    project = app(tmp_path, "fastapi-no-uvicorn")
    before = sorted(p.name for p in project.iterdir())
    code, _, err = run_pinbox("init", project)
    assert code == 2
    assert "error: the image would run `uvicorn` (FastAPI app in main.py)" in err
    assert err.rstrip().endswith(
        "add this line to requirements.txt and run `pinbox init` again:\n    uvicorn"
    )
    assert sorted(p.name for p in project.iterdir()) == before  # nothing written, not even the lock
    (project / "requirements.txt").write_text("fastapi==0.115.0\nuvicorn\n")
    code, _, err = run_pinbox("init", project)
    assert code == 0, err
    assert '"uvicorn", "main:app"' in (project / "Dockerfile").read_text()


def test_a_failed_init_leaves_the_input_as_it_was(tmp_path: Path, run_pinbox: Run) -> None:
    """Packages the Dockerfile installed go into the input only when init goes through."""
    project = app(tmp_path, "streamlit-app")
    dockerfile = (project / "Dockerfile").read_text().replace('["streamlit",', '["gradio",')
    (project / "Dockerfile").write_text(dockerfile)
    code, _, err = run_pinbox("init", "--force", project)
    assert code == 2 and "`gradio`" in err and "    gradio" in err
    assert (project / "requirements.txt").read_text() == "streamlit==1.39.0\n"
    assert (project / "Dockerfile").read_text() == dockerfile
