"""`pinbox sync`: a virtualenv made to match the lock on this machine, with real uv and the index."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.lock.uv import uv_binary

pytestmark = pytest.mark.network
Run = Callable[..., tuple[int, str, str]]


def _project(root: Path, *flags: str, python: str = "3.11") -> Path:
    from pinbox.cli import main

    project = root / "app"
    project.mkdir()
    (project / "requirements.in").write_text("six==1.16.0\nidna==3.7\n")
    (project / "requirements-dev.in").write_text("-r requirements.in\niniconfig==2.0.0\n")
    assert main(["-q", "lock", "--python", python, *flags, str(project)]) == 0
    return project


def _installed(venv: Path) -> dict[str, str]:
    done = subprocess.run(
        [uv_binary(), "pip", "list", "--python", str(venv / "bin" / "python"), "--format", "json"],
        capture_output=True, text=True, check=True, env={**os.environ, "VIRTUAL_ENV": ""},
    )  # fmt: skip
    return {p["name"].lower(): p["version"] for p in json.loads(done.stdout)}


def _uv_install(venv: Path, *packages: str) -> None:
    subprocess.run(
        [uv_binary(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *packages],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("sync"), "--platform", "linux/amd64")


def test_sync_makes_the_venv_then_keeps_it_exactly_the_lock(project: Path, run_pinbox: Run) -> None:
    venv = project / ".venv"
    code, out, _ = run_pinbox("sync", "--check", project)
    assert code == 1 and ".venv does not exist" in out
    code, _, err = run_pinbox("sync", project)
    assert code == 0, err
    assert "made" in err and "with Python 3.11" in err
    assert _installed(venv) == {"six": "1.16.0", "idna": "3.7", "iniconfig": "2.0.0"}
    assert run_pinbox("sync", "--check", project)[0] == 0

    _uv_install(venv, "packaging==24.0", "six==1.17.0")  # drift by hand: an extra, another version
    code, out, _ = run_pinbox("sync", "--check", project)
    assert code == 1
    assert {"- packaging==24.0", "- six==1.17.0", "+ six==1.16.0"} <= set(out.splitlines())
    assert run_pinbox("sync", project)[0] == 0
    assert _installed(venv) == {"six": "1.16.0", "idna": "3.7", "iniconfig": "2.0.0"}

    assert run_pinbox("sync", "--no-dev", project)[0] == 0
    assert _installed(venv) == {"six": "1.16.0", "idna": "3.7"}


def test_offline_from_a_warm_cache(project: Path, tmp_path: Path, run_pinbox: Run) -> None:
    run_pinbox("sync", project)  # the files are in uv's cache from here on
    other = tmp_path / "offline-venv"
    code, _, err = run_pinbox("sync", "--offline", "--venv", other, project)
    assert code == 0, err
    assert _installed(other) == {"six": "1.16.0", "idna": "3.7", "iniconfig": "2.0.0"}


def test_a_lock_that_does_not_cover_this_machine_is_refused(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "--platform", "linux/arm64")
    code, _, err = run_pinbox("sync", project)
    assert code == 2
    assert "does not cover this machine (linux/amd64); it is for linux/arm64" in err
    assert "pinbox lock --dev-platform linux/amd64" in err
    assert not (project / ".venv").exists()


def test_no_python_of_the_locked_version_is_an_error_naming_it(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "--platform", "linux/amd64", python="3.14")
    code, _, err = run_pinbox("sync", project)
    assert code == 2
    assert "no Python 3.14 on this machine" in err and "never downloads" in err
    assert not (project / ".venv").exists()


def test_a_venv_of_another_python_is_never_replaced(project: Path, tmp_path: Path, run_pinbox: Run) -> None:
    venv = tmp_path / "old"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.1\n")
    code, _, err = run_pinbox("sync", "--venv", venv, project)
    assert code == 2 and "runs Python 3.12, and the lock is for Python 3.11" in err
    assert sorted(p.name for p in venv.iterdir()) == ["pyvenv.cfg"]


def test_a_project_that_is_a_package_is_installed_editable(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "--platform", "linux/amd64")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "team_app"\nversion = "0.1"\n'
    )
    (project / "team_app").mkdir()
    (project / "team_app" / "__init__.py").write_text("")
    code, _, err = run_pinbox("sync", project)
    assert code == 0, err
    assert "with team-app (editable)" in err
    assert _installed(project / ".venv")["team-app"] == "0.1"
    assert run_pinbox("sync", "--check", project)[0] == 0  # the project itself is not drift


def test_a_stale_lock_is_synced_with_a_warning(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "--platform", "linux/amd64")
    (project / "requirements.in").write_text("six==1.16.0\nidna==3.7\nattrs\n")  # not locked yet
    code, _, err = run_pinbox("sync", project)
    assert code == 0
    assert "changed since requirements.lock was made: syncing to it as it is" in err
    assert "attrs" not in _installed(project / ".venv")


def test_a_pylock_with_its_dev_group(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "--platform", "linux/amd64", "--format", "pylock")
    assert not (project / "requirements.lock").exists()
    code, _, err = run_pinbox("sync", project)  # found without --lock: what `pinbox lock` wrote
    assert code == 0 and "/pylock.toml (group dev) for linux/amd64" in err
    assert _installed(project / ".venv") == {"six": "1.16.0", "idna": "3.7", "iniconfig": "2.0.0"}
    code, out, _ = run_pinbox("sync", "--check", "--no-dev", project)
    assert code == 1 and out.splitlines() == ["- iniconfig==2.0.0"]


def test_a_lock_that_includes_a_file_outside_the_project_is_refused(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "--platform", "linux/amd64")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=hunter2-is-not-a-requirement\n")
    dev_lock = project / "requirements-dev.lock"
    dev_lock.write_text(dev_lock.read_text() + f"-r {secret}\n")  # a hostile pull request
    code, _, err = run_pinbox("sync", project)
    assert code == 2 and "outside the project" in err
    assert "hunter2" not in err and not (project / ".venv").exists()
