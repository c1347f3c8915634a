"""The engine path: lock the example, let `pinbox check --fix --unsafe-fixes` switch its Dockerfile
to the lock, then build that Dockerfile as it is and train in the container."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.engine.docker import find_docker

from ..conftest import EXAMPLE

pytestmark = [pytest.mark.docker, pytest.mark.network]


def test_example_builds_from_its_lock_and_trains(
    tmp_path: Path, docker: str, run_pinbox: Callable[..., tuple[int, str, str]]
) -> None:
    project = tmp_path / "iris-app"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("out", "requirements.lock"))
    code, _, err = run_pinbox("lock", project)
    assert code == 0, err
    lock_text = (project / "requirements.lock").read_text()
    pins = dict(
        line.split(" ")[0].split("==")
        for line in lock_text.splitlines()
        if "==" in line and line[0].isalpha()
    )
    before = (project / "Dockerfile").read_text()
    code, _, err = run_pinbox("check", "--fix", "--unsafe-fixes", "--exit-zero", project)
    assert code == 0, err
    fixed = (project / "Dockerfile").read_text()
    assert fixed != before and "-r requirements.lock" in fixed and "--require-hashes" in fixed

    client = find_docker()
    tag = f"pinbox-test/iris-{uuid.uuid4().hex[:12]}"
    out = tmp_path / "out"
    out.mkdir()
    try:
        build = subprocess.run(
            client.build_command("--network", "host", "-t", tag, str(project)),
            env=client.environ(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        train = subprocess.run(
            client.command(
                "run", "--rm", "--network", "none", "-e", "OUTPUT_DIR=/out", "-v", f"{out}:/out", tag
            ),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert train.returncode == 0, train.stderr[-3000:]
        assert "accuracy=" in train.stdout
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["numpy"] == pins["numpy"]
        assert metrics["pandas"] == pins["pandas"] == "2.0.3"
        assert (out / "model.pkl").stat().st_size > 1000
        assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # The image holds exactly what the lock pins (plus the base's own pip tooling).
        freeze = subprocess.run(
            client.command(
                "run",
                "--rm",
                "--network",
                "none",
                tag,
                "python",
                "-m",
                "pip",
                "list",
                "--format=json",
                "--disable-pip-version-check",
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        installed = {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(freeze.stdout)}
        for name, version in pins.items():
            assert installed.get(name) == version, name
    finally:
        subprocess.run(client.command("rmi", "-f", tag), capture_output=True, timeout=120)
