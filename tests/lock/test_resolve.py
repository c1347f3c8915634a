"""What may build an --allow-sdist package for its dependencies: only the image's Python."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.lock import resolve
from pinbox.lock.plan import LockOptions, make_plan
from pinbox.ui import UI

HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


def plan_for(tmp_path: Path, python: str) -> object:
    (tmp_path / "requirements.txt").write_text("wget==3.2\n")
    return make_plan(LockOptions(project=tmp_path, python=python, allow_sdist=("wget",)))


def test_this_interpreter_when_it_is_the_image_s(tmp_path: Path) -> None:
    assert resolve._build_python(plan_for(tmp_path, HERE), UI()) == sys.executable  # type: ignore[arg-type]


def test_another_python_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = "3.9" if HERE != "3.9" else "3.10"
    monkeypatch.setattr(resolve.shutil, "which", lambda name: sys.executable)  # a liar on PATH
    with pytest.raises(PinboxError) as caught:
        resolve._build_python(plan_for(tmp_path, other), UI())  # type: ignore[arg-type]
    assert f"this machine has no Python {other}" in caught.value.message
    assert f"never builds them with Python {HERE}" in caught.value.message
    assert f"uv python install {other}" in str(caught.value.hint)


def test_a_matching_python_on_path_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "python3.9"
    fake.write_text("#!/bin/sh\necho 3.9\n")
    fake.chmod(0o755)
    monkeypatch.setattr(resolve.shutil, "which", lambda name: str(fake) if name == "python3.9" else None)
    assert resolve._build_python(plan_for(tmp_path, "3.9"), UI()) == str(fake)  # type: ignore[arg-type]
