"""Choosing a Docker client that can build with BuildKit (PINBOX_DOCKER, buildx, Debian's 20.10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pinbox.engine import docker as engine
from pinbox.errors import PinboxError


def fake_client(tmp_path: Path, name: str, *, buildx: bool, version: str) -> str:
    """A stand-in `docker` executable answering `buildx version` and `version --format ...`."""
    path = tmp_path / name
    path.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = buildx ]; then {"echo buildx v0.17.1; exit 0" if buildx else "exit 1"}; fi\n'
        f'if [ "$1" = version ]; then echo {version}; exit 0; fi\n'
        "exit 2\n"
    )
    path.chmod(0o755)
    return str(path)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    engine.find_docker.cache_clear()
    monkeypatch.delenv("PINBOX_DOCKER", raising=False)
    yield
    engine.find_docker.cache_clear()  # later tests must find the real client again


def test_a_client_with_buildx_builds_with_buildx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOX_DOCKER", fake_client(tmp_path, "docker", buildx=True, version="28.2.2"))
    client = engine.find_docker()
    assert client.buildx and client.build_command("-t", "x", ".")[1:4] == ["buildx", "build", "--load"]


def test_an_old_client_uses_docker_buildkit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOX_DOCKER", fake_client(tmp_path, "docker", buildx=False, version="20.10.24"))
    client = engine.find_docker()
    assert not client.buildx and client.env == {"DOCKER_BUILDKIT": "1"}
    assert client.build_command(".")[1:] == ["build", "."]


def test_a_new_client_without_buildx_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOX_DOCKER", fake_client(tmp_path, "docker", buildx=False, version="28.2.2"))
    with pytest.raises(PinboxError) as caught:
        engine.find_docker()
    assert "cannot build with BuildKit" in caught.value.message


def test_path_order_skips_a_client_without_buildkit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = tmp_path / "bin"
    new.mkdir()
    fake_client(new, "docker", buildx=False, version="28.2.2")
    debian = fake_client(tmp_path, "debian-docker", buildx=False, version="20.10.24")
    monkeypatch.setenv("PATH", f"{new}:/usr/bin:/bin")
    monkeypatch.setattr(engine, "DEBIAN_CLIENT", debian)
    assert engine.find_docker().path == debian


def test_a_missing_pinbox_docker_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOX_DOCKER", "/nonexistent/docker")
    with pytest.raises(PinboxError) as caught:
        engine.find_docker()
    assert "no such executable" in caught.value.message
