"""Apps of issue 10 through `pinbox init` and `pinbox build` on the real engine: the image starts
and does its job (a Streamlit app answers on its port; a CPU xgboost job trains)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pinbox.engine.docker import find_docker

pytestmark = [pytest.mark.docker, pytest.mark.network]
Run = Callable[..., tuple[int, str, str]]
APPS = Path(__file__).parent.parent / "fixtures" / "apps"


def _docker(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    client = find_docker()
    return subprocess.run(
        client.command(*args), env=client.environ(), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def tag() -> Iterator[str]:
    name = f"pinbox-test/app-{uuid.uuid4().hex[:10]}"
    yield name
    _docker("rmi", "-f", name)


def _built(tmp_path: Path, run_pinbox: Run, name: str, tag: str) -> Path:
    project = tmp_path / name
    shutil.copytree(APPS / name, project)
    code, _, err = run_pinbox("init", "--force", project)
    assert code == 0, err
    code, _, err = run_pinbox("build", "-t", tag, project)
    assert code == 0, err
    return project


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_streamlit_app_starts_and_answers_on_its_port(
    tmp_path: Path, run_pinbox: Run, docker: str, tag: str
) -> None:
    _built(tmp_path, run_pinbox, "streamlit-app", tag)
    port = _free_port()  # the image's own CMD, on a free port (the engine here runs with host networking)
    name = f"pinbox-test-{uuid.uuid4().hex[:10]}"
    started = _docker(
        "run", "-d", "--name", name, "--network", "host", "-e", f"STREAMLIT_SERVER_PORT={port}", tag
    )
    assert started.returncode == 0, started.stderr
    try:
        body, deadline = "", time.monotonic() + 90
        while time.monotonic() < deadline and body != "ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read().decode()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        logs = _docker("logs", name)
        assert body == "ok", logs.stdout[-2000:] + logs.stderr[-2000:]
        user = _docker("exec", name, "id", "-un")
        assert user.stdout.strip() == "app"
    finally:
        _docker("rm", "-f", name)


def test_cpu_xgboost_app_has_no_cuda_and_trains(
    tmp_path: Path, run_pinbox: Run, docker: str, tag: str
) -> None:
    project = _built(tmp_path, run_pinbox, "xgboost-cpu-app", tag)
    assert "nvidia-" not in (project / "requirements.lock").read_text()
    assert "NVIDIA" not in (project / "Dockerfile").read_text()
    trained = _docker("run", "--rm", "--network", "none", tag)
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert trained.stdout.startswith("accuracy=") and "xgboost=2.1.3" in trained.stdout
