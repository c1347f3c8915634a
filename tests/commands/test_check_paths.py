"""`pinbox check` from anywhere: every rule finds files from the file it checks, and every output
format prints paths relative to the current folder (as ruff does), so annotations land on the
right file in a monorepo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from pinbox import __version__
from pinbox.lock.header import render_header
from pinbox.lock.model import Header
from pinbox.lock.plan import LockOptions, make_plan

Run = Callable[..., tuple[int, str, str]]
DOCKERFILE = (
    "FROM python:3.11-slim\nCOPY requirements.lock .\nRUN pip install -r requirements.lock\nUSER app\n"
)


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """repo/services/api: a Dockerfile installing a fresh pinbox lock (without --require-hashes)."""
    project = tmp_path / "repo" / "services" / "api"
    project.mkdir(parents=True)
    (tmp_path / "repo" / "docs").mkdir()
    (project / "requirements.in").write_text("numpy==1.26.4\n")
    plan = make_plan(LockOptions(project=project))
    header = Header(__version__, plan.target.key(), ("requirements.in",), plan.digest, "pinbox lock")
    (project / "requirements.lock").write_text(
        render_header(header) + "numpy==1.26.4 --hash=sha256:" + "a" * 64 + "\n"
    )
    (project / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def shown_paths(fmt: str, out: str) -> set[str]:
    if fmt == "text":
        return {line.split(":", 1)[0] for line in out.splitlines()}
    if fmt == "json":
        return {f["path"] for f in json.loads(out)}
    if fmt == "github":
        return {line.split("file=", 1)[1].split(",", 1)[0] for line in out.splitlines()}
    log = json.loads(out)
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    found = set()
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        found.add(unquote(urlparse(urljoin(base, location["uri"])).path))
    return found


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
@pytest.mark.parametrize(
    ("where", "arg", "prefix"),
    [
        ("repo/services/api", ".", ""),
        ("repo", "services/api", "services/api/"),
        ("repo/docs", "../services/api", None),  # a sibling folder: absolute paths
        ("repo", "ABSOLUTE", "services/api/"),
    ],
)
def test_paths_from_anywhere_in_every_format(
    monorepo: Path,
    run_pinbox: Run,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    where: str,
    arg: str,
    prefix: str | None,
) -> None:
    project = monorepo / "repo" / "services" / "api"
    monkeypatch.chdir(monorepo / where)
    target = str(project) if arg == "ABSOLUTE" else arg
    code, out, err = run_pinbox("check", "--select", "PB109,PB205", "--format", fmt, target)
    assert code == 1, err
    expected_file = (project / "Dockerfile").as_posix()
    if fmt == "sarif":
        assert shown_paths(fmt, out) == {expected_file}
        return
    shown = f"{prefix}Dockerfile" if prefix is not None else expected_file
    assert shown_paths(fmt, out) == {shown}  # PB205 on the Dockerfile; no PB109: the lock is fresh


def test_files_given_one_by_one_resolve_from_the_file_they_are_in(
    monorepo: Path, run_pinbox: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(monorepo / "repo")
    code, out, _ = run_pinbox(
        "check", "--select", "PB109,PB205", "services/api/Dockerfile", "services/api/requirements.lock"
    )
    assert (code, [line.split(" ")[1] for line in out.splitlines()]) == (1, ["PB205"])


def test_a_stale_lock_is_found_from_another_folder(
    monorepo: Path, run_pinbox: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (monorepo / "repo" / "services" / "api" / "requirements.in").write_text("numpy==2.0.0\n")
    monkeypatch.chdir(monorepo / "repo" / "docs")
    code, out, _ = run_pinbox("check", "--select", "PB109", "../services/api")
    assert code == 1 and "requirements.in changed since requirements.lock was made" in out
    assert "does not exist" not in out
