"""The pre-commit hooks file names real commands and matches the files pinbox checks."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from pinbox.rules.discover import kind_of

HOOKS = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())


def test_hooks_run_pinbox_subcommands() -> None:
    from pinbox.cli import app

    assert {h["id"] for h in HOOKS} == {"pinbox-check", "pinbox-lock-check"}
    for hook in HOOKS:
        words = shlex.split(hook["entry"])
        assert words[0] == "pinbox" and words[1] in app.commands  # type: ignore[attr-defined]
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
    ):
        assert pattern.search(name), name
        assert kind_of(Path(name)) is not None, name
    for name in ("README.md", "train.py", "setup.cfg"):
        assert not pattern.search(name), name
        assert kind_of(Path(name)) is None, name
