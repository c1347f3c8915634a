"""Rule-test helpers: write a small project, load it, run one rule, apply its fixes."""

from __future__ import annotations

from pathlib import Path

from pinbox import fix
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
    """Apply non-overlapping edits right to left, exactly as `pinbox check --fix` does."""
    return fix.apply_edits(text, edits)[0]


def filename(key: str) -> str:
    """`deps__requirements_dev_txt` -> `deps/requirements-dev.txt`."""
    *folders, name = key.split("__")
    stem, _, suffix = name.rpartition("_")
    return "/".join([*folders, f"{stem.replace('_', '-')}.{suffix}"])


def check(tmp_path: Path, rule: Rule, dockerfile: str, **files: str) -> list[Finding]:
    """The rule's findings on a Dockerfile and files named by keyword (see `filename`)."""
    names = {filename(key): text for key, text in files.items()}
    return run_rule(tmp_path, rule, {"Dockerfile": dockerfile, **names})


def lines(findings: list[Finding]) -> list[int]:
    """The line of each finding."""
    return [f.line for f in findings]


def fixed(tmp_path: Path, rule: Rule, dockerfile: str, *, unsafe: bool = False, **files: str) -> str:
    """Apply every fix the rule offers once; check idempotence and that the rule goes silent."""
    findings = check(tmp_path, rule, dockerfile, **files)
    edits = [e for f in findings if f.fix and (f.fix.safe or unsafe) for e in f.fix.edits]
    assert edits, "expected a fix"
    out = apply_edits(dockerfile, edits)
    again = check(tmp_path, rule, out, **files)
    assert not [f for f in again if f.fix and (f.fix.safe or unsafe)], "fixing again would change it"
    assert not again, f"rule still reports after the fix: {again}"
    return out
