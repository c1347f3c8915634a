"""uv.lock, poetry.lock and Pipfile.lock as the project's truth: their index packages' versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.lock.truth import find_truth

UV_LOCK = """\
version = 1
[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "Requests"
version = "2.31.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tool"
version = "0.3.0"
source = { git = "https://example.invalid/tool.git?rev=abc#abc" }
"""
POETRY_LOCK = """\
[[package]]
name = "six"
version = "1.16.0"

[[package]]
name = "private-lib"
version = "2.0.0"
[package.source]
type = "legacy"
url = "https://pypi.example.invalid/simple"
reference = "private"

[[package]]
name = "local-pkg"
version = "0.1.0"
[package.source]
type = "directory"
url = "libs/local-pkg"
"""
PIPFILE_LOCK = {
    "_meta": {"hash": {"sha256": "x"}},
    "default": {"flask": {"version": "==3.0.3", "hashes": []}, "mylib": {"git": "https://x/y.git"}},
    "develop": {"pytest": {"version": "==8.3.2"}},
}


def test_uv_lock(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(UV_LOCK)
    truth = find_truth(tmp_path)
    assert truth is not None and truth.path.name == "uv.lock"
    assert truth.versions == {"requests": "2.31.0"}  # not the project, not git, not a forked package
    assert truth.ambiguous == ("numpy",)
    assert truth.constraints() == "requests==2.31.0\n"


def test_poetry_lock(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").write_text(POETRY_LOCK)
    truth = find_truth(tmp_path)
    assert truth is not None and truth.versions == {"six": "1.16.0", "private-lib": "2.0.0"}


def test_pipfile_lock_default_section_only(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").write_text(json.dumps(PIPFILE_LOCK))
    truth = find_truth(tmp_path)
    assert truth is not None and truth.versions == {"flask": "3.0.3"}


def test_uv_lock_comes_first_and_the_digest_follows_the_versions(tmp_path: Path) -> None:
    assert find_truth(tmp_path) is None
    (tmp_path / "Pipfile.lock").write_text(json.dumps(PIPFILE_LOCK))
    (tmp_path / "uv.lock").write_text(UV_LOCK)
    first = find_truth(tmp_path)
    assert first is not None and first.path.name == "uv.lock"
    (tmp_path / "uv.lock").write_text("# a comment\n" + UV_LOCK)
    again = find_truth(tmp_path)
    assert again is not None and again.digest == first.digest  # layout does not count
    (tmp_path / "uv.lock").write_text(UV_LOCK.replace("2.31.0", "2.32.3"))
    bumped = find_truth(tmp_path)
    assert bumped is not None and bumped.digest != first.digest


@pytest.mark.parametrize(("name", "text"), [("uv.lock", "[[package]\n"), ("Pipfile.lock", "{")])
def test_a_broken_lock_is_an_error_naming_it(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(PinboxError) as caught:
        find_truth(tmp_path)
    assert caught.value.path is not None and caught.value.path.name == name
