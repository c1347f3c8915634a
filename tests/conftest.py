"""Shared fixtures: run the CLI in-process, and gate Docker/network tests honestly."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pinbox.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iris-app"


@pytest.fixture
def run_pinbox(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Call `pinbox ARGS...` in-process; return (exit code, stdout, stderr)."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(autouse=True)
def _isolate_uv(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Tests resolve against the real index only, never this machine's local wheel folders, and
    # use a pinbox cache of the test session's own: what a lock records never depends on what a
    # developer's ~/.cache/pinbox happens to hold.
    for var in ("UV_FIND_LINKS", "UV_EXTRA_INDEX_URL", "UV_INDEX_URL", "UV_CONSTRAINT", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("UV_NO_CONFIG", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pinbox-cache"))


def docker_client() -> str | None:
    """A Docker client that can reach a running engine, or None."""
    for candidate in (os.environ.get("PINBOX_DOCKER"), "/usr/bin/docker", shutil.which("docker")):
        if candidate and Path(candidate).exists():
            ok = subprocess.run([candidate, "info"], capture_output=True, timeout=30).returncode == 0
            if ok:
                return candidate
    return None


@pytest.fixture(scope="session")
def docker() -> str:
    """The Docker client for tests; a missing engine fails under PINBOX_REQUIRE_DOCKER=1."""
    client = docker_client()
    if client is None:
        if os.environ.get("PINBOX_REQUIRE_DOCKER") == "1":
            pytest.fail("PINBOX_REQUIRE_DOCKER=1 but no Docker engine answers `docker info`")
        pytest.skip("no Docker engine (run scripts/docker-engine start, or set PINBOX_REQUIRE_DOCKER=1)")
    return client


@pytest.fixture(scope="session")
def registry(docker: str) -> Iterator[str]:
    """A real OCI registry (Debian's docker-registry) on 127.0.0.1, started by scripts/registry."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = ROOT / "scripts" / "registry"
    started = subprocess.run([str(script), "start", str(port)], capture_output=True, text=True, timeout=300)
    if started.returncode != 0:
        pytest.fail(f"cannot start a registry: {started.stdout}{started.stderr}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([str(script), "stop", str(port)], capture_output=True, timeout=60)
