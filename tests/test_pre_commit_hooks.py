"""The pre-commit hooks file names real commands and matches the files pinbox checks."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from pinbox.rules.discover import kind_of

HOOKS = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())


def test_hooks_run_pinbox_subcommands() -> None:
    from pinbox.cli import app

    assert {h["id"] for h in HOOKS} == {"pinbox-check", "pinbox-lock-check"}
    for hook in HOOKS:
        words = shlex.split(hook["entry"])
        assert words[0] == "pinbox" and words[1] in app.list_commands(click.Context(app))
        assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_check_hook_pattern_matches_what_check_discovers() -> None:
    pattern = re.compile(next(h for h in HOOKS if h["id"] == "pinbox-check")["files"])
    for name in (
        "Dockerfile",
        "api.Dockerfile",
        "Dockerfile.gpu",
        "requirements.txt",
        "requirements-dev.in",
        "requirements.lock",
        "pylock.toml",
        "compose.yaml",
        "docker-compose.yml",
        ".dockerignore",
        "svc/requirements.txt",
        "dockerfile",
        "Dockerfile-gpu",
        "Containerfile",
        "docker-compose.gpu.yml",
        "compose-dev.yaml",
    ):
        assert pattern.search(name), name
        assert kind_of(Path(name)) is not None, name
    for name in ("README.md", "train.py", "setup.cfg"):
        assert not pattern.search(name), name
        assert kind_of(Path(name)) is None, name


def test_configuration_files_trigger_the_check_hook() -> None:
    pattern = re.compile(next(h for h in HOOKS if h["id"] == "pinbox-check")["files"])
    for name in ("pyproject.toml", "svc/pinbox.toml"):
        assert pattern.search(name), name


ROOT = Path(__file__).parent.parent


def readme_snippet() -> dict[str, object]:
    """The .pre-commit-config.yaml snippet of the README, parsed."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```yaml\n# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    config: dict[str, object] = yaml.safe_load(block)
    return config


def test_readme_snippet_names_this_version_s_tag_and_every_hook() -> None:
    """The snippet's rev is this version's release tag (CI clones carry no tags: whether the tag
    exists is a release step, `scripts/release-check`, not a property of the code)."""
    from pinbox import __version__

    [repo] = readme_snippet()["repos"]  # type: ignore[misc]
    assert repo["rev"] == f"v{__version__}"
    assert {h["id"] for h in repo["hooks"]} == {h["id"] for h in HOOKS}


@pytest.mark.network
def test_readme_snippet_runs_with_pre_commit(tmp_path: Path) -> None:
    """pre-commit itself installs the README's hooks and runs them on a project: this clone at its
    HEAD (the hooks tested are the ones committed)."""
    import shutil
    import subprocess
    import sys

    [repo] = readme_snippet()["repos"]  # type: ignore[misc]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    config = {"repos": [{**repo, "repo": str(ROOT), "rev": head.stdout.strip()}]}
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (project / "Dockerfile").write_text("FROM python:3.11-slim\nUSER app\nRUN pip install flask\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_GLOBAL": "/dev/null"}
    git = shutil.which("git") or "git"
    for args in (["init", "-q"], ["add", "."]):
        subprocess.run([git, *args], cwd=project, check=True, env=env)
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "pinbox-check", "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pip-install-unpinned" in done.stdout and "pinbox check" in done.stdout
