"""Classes of input found on public ML projects (see the closing notes of issue 8), each in a
fixture written for this test: compound shell commands, `cd` in a RUN, `pip cache purge`, conda's
`-f`, ONBUILD installs, non-root and Windows bases, override compose files, Dockerfile and
requirements names, UTF-16 freezes, and locks for the image's patch release of Python."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.rules import image, installs, packages
from pinbox.rules.discover import given_kind, kind_of
from pinbox.target import Target, facts_of_image, full_python, target_from_flags
from tests.rules.helpers import check, fixed

Run = Callable[..., tuple[int, str, str]]
FROM = "FROM python:3.11-slim\n"


@pytest.mark.parametrize(
    "run",
    [
        "if [ -f requirements.txt ]; then pip install -r requirements.txt; else pip install flask; fi",
        "for p in flask; do pip install $p; done && pip install flask",
        "case $X in a) pip install flask;; esac",
        "while false; do true; done; { pip install flask; }",
    ],
)
def test_installs_inside_compound_commands_are_seen(tmp_path: Path, run: str) -> None:
    found = check(tmp_path, installs.UNPINNED, f"{FROM}RUN {run}\n")
    assert [f.message.split("`")[1] for f in found] == ["flask"]


def test_copy_all_fix_follows_cd_in_the_run(tmp_path: Path) -> None:
    text = f"{FROM}COPY . /code\nRUN cd /code && pip install --no-cache-dir -r requirements.txt\n"
    out = fixed(tmp_path, installs.COPY_ALL, text, unsafe=True, requirements_txt="flask==3.0.3\n")
    assert out == (
        f"{FROM}COPY requirements.txt /code/\n"
        "RUN cd /code && pip install --no-cache-dir -r requirements.txt\nCOPY . /code\n"
    )


def test_copy_all_gives_no_fix_when_a_cd_goes_somewhere_unknown(tmp_path: Path) -> None:
    text = f"{FROM}COPY . /code\nRUN cd $APP && pip install --no-cache-dir -r requirements.txt\n"
    [finding] = check(tmp_path, installs.COPY_ALL, text, requirements_txt="flask==3.0.3\n")
    assert finding.fix is None


def test_copy_all_ignores_onbuild_installs(tmp_path: Path) -> None:
    text = f"{FROM}COPY . /app\nONBUILD RUN pip install --no-cache-dir -r requirements.txt\n"
    assert check(tmp_path, installs.COPY_ALL, text, requirements_txt="flask==3.0.3\n") == []


@pytest.mark.parametrize(
    ("run", "reported"),
    [
        ("pip install x==1 && pip cache purge", False),
        ("python -m pip install x==1 && python -m pip cache purge", False),
        ("uv pip install --system x==1 && uv cache clean", False),
        ("pip cache purge && pip install x==1", True),  # purged before the install writes it
    ],
)
def test_cache_purged_later_in_the_run(tmp_path: Path, run: str, reported: bool) -> None:
    assert bool(check(tmp_path, installs.CACHE, f"{FROM}RUN {run}\n")) is reported


def test_conda_file_options_are_not_packages(tmp_path: Path) -> None:
    text = "FROM mambaorg/micromamba:1.5.8\nRUN micromamba install -y -n base -f /tmp/env.yaml\n"
    assert check(tmp_path, packages.CONDA_UNPINNED, text) == []


@pytest.mark.parametrize(
    ("base", "reported"),
    [
        ("jupyter/scipy-notebook:2024-05-27", False),
        ("mambaorg/micromamba:1.5.8", False),
        ("gcr.io/distroless/python3-debian12:nonroot", False),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", False),
        ("python:3.11-slim", True),
    ],
)
def test_runs_as_root_knows_bases_that_do_not(tmp_path: Path, base: str, reported: bool) -> None:
    assert bool(check(tmp_path, image.RUNS_AS_ROOT, f'FROM {base}\nCMD ["x"]\n')) is reported


def test_runs_as_root_on_scratch_suggests_a_numeric_user(tmp_path: Path) -> None:
    [finding] = check(tmp_path, image.RUNS_AS_ROOT, "FROM scratch\nCOPY app /app\n")
    assert "USER 65532:65532" in finding.message and "useradd" not in finding.message


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("dockerfile", "dockerfile"),
        ("DockerFile", "dockerfile"),
        ("Dockerfile-gpu", "dockerfile"),
        ("Dockerfile2", "dockerfile"),
        ("train.Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Dockerfile.md", None),
        ("docker-compose.gpu.yml", "compose"),
        ("docker-compose-gpu.yml", "compose"),
        ("compose.override.yaml", "compose"),
        ("docker-compose.md", None),
    ],
)
def test_discovered_names(name: str, kind: str | None) -> None:
    assert kind_of(Path(name)) == kind


def test_files_named_on_the_command_line_are_read_by_suffix() -> None:
    assert kind_of(Path("req.txt")) is None and given_kind(Path("req.txt")) == "requirements"
    assert given_kind(Path("my.dockerfile.prod")) == "dockerfile"


def test_a_gpu_reservation_in_an_override_compose_file_counts(tmp_path: Path, run_pinbox: Run) -> None:
    lock = "# inputs-digest: x\nnvidia-cublas-cu12==12.1.3.1 --hash=sha256:" + "a" * 64 + "\n"
    (tmp_path / "Dockerfile").write_text(f"{FROM}USER app\nCOPY requirements.lock .\n")
    (tmp_path / "requirements.lock").write_text(lock)
    (tmp_path / "docker-compose.gpu.yml").write_text(
        "services:\n  app:\n    build: .\n    deploy:\n      resources:\n        reservations:\n"
        "          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]\n"
    )
    code, out, _ = run_pinbox("check", "--select", "PB303,PB402", tmp_path)
    assert (code, out) == (0, "")


def test_nothing_to_check_says_so(tmp_path: Path, run_pinbox: Run) -> None:
    (tmp_path / "README.md").write_text("hi\n")
    code, _, err = run_pinbox("check", tmp_path)
    assert code == 0 and "nothing to check" in err


def test_a_utf16_freeze_is_read_and_fixed_in_utf16(tmp_path: Path, run_pinbox: Run) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("flask==3.0.0\r\nflask==3.0.0\r\n".encode("utf-16"))
    run_pinbox("check", "--fix", "--select", "duplicate-requirement", tmp_path)
    assert path.read_bytes() == "flask==3.0.0\r\n".encode("utf-16")
    code, _, _ = run_pinbox("check", "--select", "parse-error,duplicate-requirement", tmp_path)
    assert code == 0


def test_lock_target_keeps_or_floors_the_patch_release() -> None:
    assert full_python("3.8.18") == "3.8.18" and full_python("3.8") is None
    assert facts_of_image("python:3.8.18-slim").patch == "3.8.18"
    assert Target("3.8", (), "x").full_python == "3.8.20"  # the final 3.8, what python:3.8 images have
    assert target_from_flags("3.7.5", "linux/amd64", "flags").full_python == "3.7.5"


@pytest.mark.network
def test_a_package_needing_a_patch_release_locks_for_a_minor_image(tmp_path: Path, run_pinbox: Run) -> None:
    (tmp_path / "dockerfile").write_text("FROM python:3.8-slim\n")
    (tmp_path / "requirements.txt").write_text("langchain==0.1.17\n")
    code, _, err = run_pinbox("lock", "--platform", "linux/amd64", tmp_path)
    assert code == 0, err
    assert "FROM python:3.8-slim" in err  # the lowercase dockerfile gave the target
    assert "langchain==0.1.17" in (tmp_path / "requirements.lock").read_text()


def test_copy_from_an_image_floats_like_from(tmp_path: Path) -> None:
    text = f"{FROM}COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\nCOPY --from=0 /x /x\n"
    found = check(tmp_path, image.FLOATING_BASE_IMAGE, text)
    assert [(f.line, f.col) for f in found] == [(1, 6), (2, 13)]
    assert "`ghcr.io/astral-sh/uv:latest` uses `latest`" in found[1].message


def test_an_instruction_before_the_first_from_is_a_parse_error(tmp_path: Path, run_pinbox: Run) -> None:
    (tmp_path / "Dockerfile").write_text("USER root\nFROM python:3.11-slim\n")
    code, out, _ = run_pinbox("check", "--select", "parse-error", tmp_path)
    assert code == 2 and "Dockerfile:1:1: PB001 parse-error USER before the first FROM" in out


def test_a_macos_only_package_in_a_linux_run_line(tmp_path: Path) -> None:
    from pinbox.rules.requirements import PLATFORM_ONLY

    [finding] = check(tmp_path, PLATFORM_ONLY, f"{FROM}RUN pip install tensorflow-macos==2.13.0 rich\n")
    assert finding.col == 17 and "tensorflow-macos is for macOS only" in finding.message
