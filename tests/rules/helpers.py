"""Rule-test helpers: write a small project, load it, run one rule, apply its fixes."""

from __future__ import annotations

from pathlib import Path

from pinbox.config import Config
from pinbox.rules.context import Project, load_project
from pinbox.rules.model import Edit, Finding, Rule


def project(tmp_path: Path, files: dict[str, str]) -> Project:
    """Write `files` (relative path -> text) under tmp_path and load them as a project."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return load_project(tmp_path, Config())


def run_rule(tmp_path: Path, rule: Rule, files: dict[str, str]) -> list[Finding]:
    """The rule's findings on a project made of `files`, sorted by position."""
    return sorted(rule.check(project(tmp_path, files)), key=Finding.sort_key)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits right to left (what `pinbox check --fix` does)."""
    for edit in sorted(edits, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text
