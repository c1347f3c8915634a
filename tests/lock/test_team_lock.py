"""One lock for the team: the image's platform and the team's machines, against the real index."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.config import Config
from pinbox.generate.fragments import load_lock
from pinbox.lock.render import validate_pylock
from pinbox.lock.uv import uv_binary
from pinbox.platforms import Platform, parse_dev_platforms
from pinbox.rules.context import load_project
from pinbox.rules.locked import locked

pytestmark = pytest.mark.network
Run = Callable[..., tuple[int, str, str]]
TEAM = "macos/arm64,macos/amd64,windows/amd64,linux/arm64"
IMAGE = Platform("x86_64", glibc=(2, 36))  # python:3.11-slim-bookworm
PLATFORMS = (IMAGE, *parse_dev_platforms([TEAM]))


def _project(tmp_path: Path, requirements: str, dev: str | None = None) -> Path:
    project = tmp_path / "team"
    project.mkdir()
    (project / "requirements.in").write_text(requirements)
    if dev is not None:
        (project / "requirements-dev.in").write_text(dev)
    (project / "Dockerfile").write_text(
        "FROM python:3.11-slim-bookworm\nCOPY requirements.lock .\n"
        "RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock\n"
    )
    return project


def _entries(lock: Path) -> list[tuple[str, str, str | None, list[str], str]]:
    """(name, version, marker, hashes, note) of each pin."""
    text = lock.read_text()
    out = []
    for block in re.split(r"\n(?=[a-z0-9])", text.split("\n\n", 1)[1]):
        first = block.split(" \\")[0].strip()
        if "==" not in first or first.startswith("-r"):
            continue
        requirement, _, marker = first.partition(" ; ")
        name, version = requirement.split("==")
        note = next((line.strip() for line in block.splitlines() if "# from:" in line), "")
        out.append((name, version, marker or None, re.findall(r"sha256:([0-9a-f]{64})", block), note))
    return out


@pytest.fixture(scope="module")
def ml_team(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    from pinbox.cli import main

    project = _project(
        tmp_path_factory.mktemp("ml"),
        "numpy\npandas\nscikit-learn\n"
        "pywin32 ; sys_platform == 'win32'\nappnope ; sys_platform == 'darwin'\n",
    )
    code = main(["lock", "--dev-platform", TEAM, str(project)])
    return project, code, ""


def test_the_lock_covers_every_platform_with_one_version_each(ml_team: tuple[Path, int, str]) -> None:
    project, code, _ = ml_team
    assert code == 0
    lock = project / "requirements.lock"
    text = lock.read_text()
    assert (
        "# target: cpython-3.11 x86_64-manylinux_2_36 dev=aarch64-apple-darwin@13.0,x86_64-apple-darwin@13.0,"
        "x86_64-pc-windows-msvc,aarch64-manylinux_2_28\n" in text
    )
    entries = _entries(lock)
    by_name: dict[str, list[tuple[str, str | None, str]]] = {}
    for name, version, marker, _, note in entries:
        by_name.setdefault(name, []).append((version, marker, note))
    assert {"numpy", "pandas", "scikit-learn", "scipy", "pywin32", "appnope"} <= set(by_name)
    for name, pins in by_name.items():  # one version, unless the lock says why not
        assert len(pins) == 1 or all("; differs: " in note for _, _, note in pins), (name, pins)
    assert by_name["pywin32"][0][1] == "sys_platform == 'win32'"
    assert by_name["appnope"][0][1] == "sys_platform == 'darwin'"
    assert by_name["numpy"][0][1] is None  # every platform installs it
    hashes = next(h for name, _, _, h, _ in entries if name == "numpy")
    assert 5 <= len(hashes) <= 10  # the files the five platforms install, not every file of the release


def test_lock_check_is_fresh(ml_team: tuple[Path, int, str], run_pinbox: Run) -> None:
    assert run_pinbox("lock", "--check", ml_team[0])[0] == 0


def test_the_configured_team_is_recorded_and_a_change_makes_the_lock_stale(
    tmp_path: Path, run_pinbox: Run
) -> None:
    project = _project(tmp_path, "pyyaml\n")
    config = project / "pyproject.toml"
    config.write_text('[tool.pinbox]\ndev-platforms = ["macos/arm64"]\n')
    assert run_pinbox("-q", "lock", project)[0] == 0
    before = _entries(project / "requirements.lock")
    assert run_pinbox("lock", "--check", project)[0] == 0
    config.write_text('[tool.pinbox]\ndev-platforms = ["macos/arm64", "windows/amd64"]\n')
    code, out, _ = run_pinbox("lock", "--check", project)
    assert code == 1 and "dev=x86_64-pc-windows-msvc" not in out and "x86_64-pc-windows-msvc" in out
    assert run_pinbox("-q", "lock", project)[0] == 0  # adding a machine keeps the image's versions
    after = _entries(project / "requirements.lock")
    assert [(n, v) for n, v, *_ in after] == [(n, v) for n, v, *_ in before]
    assert len(after[0][3]) == len(before[0][3]) + 1  # and adds that machine's file


def test_the_image_sees_only_its_own_lines(ml_team: tuple[Path, int, str]) -> None:
    project = ml_team[0]
    lock = project / "requirements.lock"
    _, blocks = load_lock(lock)  # what init/build install, layer by layer
    names = {b.name for b in blocks}
    assert "numpy" in names and not {"pywin32", "appnope"} & names
    doc = next(d for d in load_project(project, Config()).locks if d.path == lock)
    assert not {"pywin32", "appnope"} & {p.name for p in locked(doc)}  # what check rules read


SMALL = "numpy\npyyaml\nclick\npywin32 ; sys_platform == 'win32'\nappnope ; sys_platform == 'darwin'\n"


def _fits(tag: str, platform: Platform) -> bool:
    """Whether a wheel tag (cp311-cp311-PLAT) installs on `platform` with CPython 3.11."""
    python, abi, plat = tag.split("-")
    if python not in ("cp311", "py3", "py2.py3", "cp32", "cp38", "cp39", "cp310") or abi not in (
        "cp311",
        "abi3",
        "none",
    ):
        return False
    if plat == "any":
        return True
    if platform.os == "windows":
        return plat == "win_amd64"
    if platform.os == "macos":
        found = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", plat)
        archs = {"aarch64": ("arm64", "universal2"), "x86_64": ("x86_64", "intel", "universal", "universal2")}
        return (
            bool(found)
            and (int(found[1]), int(found[2])) <= platform.macos
            and found[3] in archs[platform.arch]
        )
    found = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)|manylinux(2014|2010|1)_(\w+)", plat)
    if not found:
        return False
    glibc = (
        (int(found[1]), int(found[2]))
        if found[1]
        else {"2014": (2, 17), "2010": (2, 12), "1": (2, 5)}[found[4]]
    )
    return glibc <= platform.glibc and (found[3] or found[5]) == platform.arch


def test_each_platform_installs_the_lock_with_hashes(tmp_path: Path) -> None:
    from pinbox.cli import main

    project = _project(tmp_path, SMALL)
    assert main(["-q", "lock", "--dev-platform", TEAM, str(project)]) == 0
    lock = project / "requirements.lock"
    pinned = {(name, version) for name, version, *_ in _entries(lock)}
    env = {**os.environ, "UV_NO_CONFIG": "1"}
    for platform in PLATFORMS:
        target = tmp_path / platform.name.replace("/", "-")
        done = subprocess.run(
            [uv_binary(), "pip", "install", "--quiet", "--python-platform", platform.uv, "--python-version",
             "3.11", "--target", str(target), "--require-hashes", "--no-deps", "-r", str(lock)],
            capture_output=True, text=True, env=env | platform.uv_env, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (platform.name, done.stderr)
        installed = {}
        for info in target.glob("*.dist-info"):
            name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
            tags = [
                line.split(": ")[1]
                for line in (info / "WHEEL").read_text().splitlines()
                if line.startswith("Tag:")
            ]
            assert tags and any(_fits(t, platform) for t in tags), (platform.name, info.name, tags)
            installed[name.lower().replace("_", "-")] = version
        assert set(installed.items()) <= pinned  # the lock's versions, the same everywhere
        assert ("pywin32" in installed) == (platform.os == "windows")
        assert ("appnope" in installed) == (platform.os == "macos")
        assert {"numpy", "pyyaml", "click"} <= set(installed)


def test_torch_held_back_so_that_every_platform_has_one_version(tmp_path: Path, run_pinbox: Run) -> None:
    """torch has no macOS x86_64 wheel after 2.2.2: the image takes it too, and pinbox says why."""
    project = _project(tmp_path, "torch\n")
    code, _, err = run_pinbox("lock", "--dev-platform", "macos/amd64", project)
    assert code == 0, err
    torch = [(v, m) for name, v, m, _, _ in _entries(project / "requirements.lock") if name == "torch"]
    assert torch == [("2.2.2", None)]
    assert "torch " in err and "-> 2.2.2 on linux/amd64, so that every platform has the same version" in err
    assert "macos/amd64 cannot install" in err


def test_the_dev_group_is_locked_with_the_main_set(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "requests\n", dev="-r requirements.in\nresponses\n")
    code, _, err = run_pinbox("lock", "--dev-platform", "windows/amd64", project)
    assert code == 0, err
    main_names = {name for name, *_ in _entries(project / "requirements.lock")}
    dev_lock = project / "requirements-dev.lock"
    dev_names = {name for name, *_ in _entries(dev_lock)}
    assert {"requests", "urllib3", "idna"} <= main_names and "responses" not in main_names
    assert "responses" in dev_names and not dev_names & main_names  # shared ones: once, in the main lock
    assert "\n-r requirements.lock\n" in dev_lock.read_text()
    assert (
        "requirements-dev.in"
        in (project / "requirements.lock").read_text().split("inputs:")[1].split("\n")[0]
    )
    assert "dev group: requirements-dev.in" in err
    assert run_pinbox("lock", "--check", project)[0] == 0
    code, _, err = run_pinbox("lock", project)  # a re-lock of the same inputs changes nothing
    assert code == 0 and "Added" not in err and "Removed" not in err
    assert run_pinbox("check", "--select", "stale-lock", project)[0] == 0  # both locks fresh
    (project / "requirements-dev.in").write_text("-r requirements.in\nresponses\npytest\n")
    code, out, _ = run_pinbox("check", "--select", "stale-lock", project)
    assert code == 1 and {Path(line.split(":")[0]).name for line in out.splitlines()} == {
        "requirements.lock",
        "requirements-dev.lock",
    }
    (project / "requirements-dev.in").write_text("-r requirements.in\nresponses\n")
    dev_lock.unlink()
    assert run_pinbox("lock", "--check", project)[0] == 1  # the dev group's lock is part of it


def test_a_pyproject_dev_group_in_a_pylock(tmp_path: Path, run_pinbox: Run) -> None:
    project = _project(tmp_path, "")  # its requirements.in is not the input: -i names pyproject.toml
    groups = '[dependency-groups]\ndev = [{include-group = "test"}]\ntest = ["responses"]\n'
    pyproject = project / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "pkg"\nversion = "0"\ndependencies = ["requests"]\n{groups}')
    flags = ("--format", "pylock", "--dev-platform", "macos/arm64", "-i", pyproject)
    code, _, err = run_pinbox("lock", *flags, project)
    assert code == 0, err
    text = (project / "pylock.toml").read_text()
    lock = validate_pylock(text)
    assert lock.dependency_groups == ["dev"]
    markers = {p.name: str(p.marker) if p.marker else None for p in lock.packages}
    assert markers["responses"] == '"dev" in dependency_groups'  # as packaging writes it
    assert markers["requests"] is None
    assert len(lock.environments or []) == 2


def test_pip_installs_the_lock_for_another_platform(tmp_path: Path) -> None:
    """Plain pip takes the same file: its hash-checking mode accepts the lines it installs."""
    import sys

    from pinbox.cli import main

    project = _project(tmp_path, "numpy\npyyaml\nclick\n")
    assert main(["-q", "lock", "--dev-platform", "windows/amd64", str(project)]) == 0
    target = tmp_path / "win"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes",
         "--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.11",
         "--implementation", "cp", "--target", str(target), "-r", str(project / "requirements.lock")],
        capture_output=True, text=True, env={**os.environ, "PIP_CONFIG_FILE": os.devnull}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wheels = {p.name.split("-")[0].lower() for p in target.glob("*.dist-info")}
    assert wheels == {"numpy", "pyyaml", "click"}
    assert (
        "Tag: cp311-cp311-win_amd64" in next(target.glob("numpy-*.dist-info")).joinpath("WHEEL").read_text()
    )


def test_lock_says_when_this_machine_runs_another_python(
    tmp_path: Path, run_pinbox: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pinbox.commands.lock as lock_command

    monkeypatch.setattr(lock_command, "host_python", lambda: "3.12")
    project = _project(tmp_path, "pyyaml\n")
    code, _, err = run_pinbox("lock", "--dev-platform", "linux/amd64,macos/arm64", project)
    assert code == 0
    assert "locked for Python 3.11 (the image's); this machine runs 3.12" in err


def test_the_dev_group_pins_count_for_the_as_of_date(tmp_path: Path, run_pinbox: Run) -> None:
    """Old main pins resolve as of their time; the dev group's own exact pins are mine too."""
    project = _project(tmp_path, "six==1.16.0\n", dev="-r requirements.in\niniconfig==2.0.0\n")
    code, _, err = run_pinbox("lock", project)
    assert code == 0, err
    assert "iniconfig==2.0.0" in (project / "requirements-dev.lock").read_text()
    assert "resolved as of 2023-01-08: newest pinned release is iniconfig 2.0.0" in err


def test_init_diff_shows_the_dev_groups_lock_and_writes_nothing(tmp_path: Path, run_pinbox: Run) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "requirements.in").write_text("pyyaml\n")
    (project / "requirements-dev.in").write_text("-r requirements.in\niniconfig\n")
    (project / "main.py").write_text("print(1)\n")
    code, out, _ = run_pinbox("init", "--diff", project)
    assert code == 0
    assert "/app/requirements-dev.lock\n" in out and "+-r requirements.lock" in out
    assert not (project / "requirements-dev.lock").exists()


def test_a_dev_group_locks_from_another_folder(
    tmp_path: Path, run_pinbox: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dev input is handed to uv, which runs in the project: its path must not be the caller's."""
    _project(tmp_path, "six==1.16.0\n", dev="-r requirements.in\niniconfig==2.0.0\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_pinbox("lock", "team")
    assert code == 0, err
    assert "iniconfig==2.0.0" in (tmp_path / "team" / "requirements-dev.lock").read_text()
