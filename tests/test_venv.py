"""Finding an interpreter of the lock's Python for `pinbox sync`, and reading a virtualenv's."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.venv import find_python, venv_version


def _fake_python(path: Path, answers: str) -> Path:
    path.parent.mkdir(parents=True)
    path.write_text(f"#!/bin/sh\necho {answers}\n")
    path.chmod(0o755)
    return path


def test_a_pyenv_install_is_found_when_no_shim_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "pyenv"
    _fake_python(root / "versions/3.98.1/bin/python3.98", "3.98")
    newest = _fake_python(root / "versions/3.98.10/bin/python3.98", "3.98")
    _fake_python(tmp_path / "bin/python3.98", "error: pyenv: python3.98: command not found")  # a shim
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_python("3.98", "/bin/false") == str(newest)


def test_no_interpreter_is_an_error_naming_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PinboxError) as info:
        find_python("3.97", "/bin/false")  # and uv finds none either
    assert info.value.message.startswith("no Python 3.97 on this machine")
    assert info.value.hint is not None and "never downloads" in info.value.hint


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("home = /usr/bin\nversion = 3.11.7\n", "3.11"),
        ("version_info = 3.12.1.final.0\n", "3.12"),
        ("x = 1\n", None),
    ],
)
def test_venv_version_reads_pyvenv_cfg(tmp_path: Path, text: str, version: str | None) -> None:
    (tmp_path / "pyvenv.cfg").write_text(text)
    assert venv_version(tmp_path) == version
    assert venv_version(tmp_path / "missing") is None
