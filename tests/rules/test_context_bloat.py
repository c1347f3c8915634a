"""The build context's size and context-bloat (PB305): a small tree in, sizes and findings out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.dockerfile.ignore import DockerIgnore, parse_dockerignore
from pinbox.rules import context_bloat
from pinbox.rules.context_bloat import measure
from pinbox.rules.model import Finding, Severity
from tests.rules.helpers import run_rule

SLIM = "FROM python:3.11-slim\n"


def tree(root: Path, files: dict[str, int]) -> Path:
    for name, size in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x" * size)
    return root


def test_measure_applies_ignores_and_exceptions(tmp_path: Path) -> None:
    tree(tmp_path, {"app.py": 10, ".git/HEAD": 100, "data/a.csv": 1000, "data/keep/b.csv": 7, "m.pt": 50})
    sized = measure(tmp_path, parse_dockerignore("data\n!data/keep\n"), context_bloat.bloat_table())
    assert (sized.size, sized.files, sized.truncated) == (167, 4, False)
    assert [(o.path, o.size) for o in sized.offenders] == [(".git/", 100), ("m.pt", 50), ("data/", 7)]


def test_measure_stops_counting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_bloat, "MAX_FILES", 3)
    tree(tmp_path, {f"f{i}": 1 for i in range(5)})
    sized = measure(tmp_path, DockerIgnore(), ())
    assert sized.truncated and sized.files == 3
    (finding,) = bloat(tmp_path, {})
    assert "in more than 3 files" in finding.message


# context-bloat: the rule ---------------------------------------------------------------------


def bloat(tmp_path: Path, files: dict[str, str], text: str = SLIM + "COPY . .\n") -> list[Finding]:
    return run_rule(tmp_path, context_bloat.CONTEXT_BLOAT, {"Dockerfile": text, **files})


def test_context_without_dockerignore(tmp_path: Path) -> None:
    (finding,) = bloat(tmp_path, {".git/HEAD": "ref: refs/heads/main\n"})
    assert (finding.path.name, finding.line, finding.severity) == ("Dockerfile", 1, Severity.WARNING)
    assert ".git/ (21 bytes, repository history)" in finding.message and "`.git`" in finding.message


def test_small_clean_context_without_dockerignore_is_info(tmp_path: Path) -> None:
    (finding,) = bloat(tmp_path, {"app.py": "print()\n"})
    assert finding.severity is Severity.INFO and "no .dockerignore" in finding.message


@pytest.mark.parametrize("row", context_bloat.bloat_table(), ids=lambda r: r.pattern.text)
def test_every_bloat_row_is_reported(tmp_path: Path, row: context_bloat.Bloat) -> None:
    name = row.pattern.text.replace("**/", "sub/").replace("*", "model")
    name = name if "*." in row.pattern.text else f"{name}/file"
    (finding,) = bloat(tmp_path, {".dockerignore": "# nothing yet\n", name: "x"})
    assert finding.path.name == ".dockerignore" and row.why in finding.message
    assert f"`{row.pattern.text}`" in finding.message
    assert not bloat(tmp_path, {".dockerignore": row.pattern.text + "\n"})


def test_root_anchored_pycache_lets_nested_caches_in(tmp_path: Path) -> None:
    files = {".dockerignore": "__pycache__\n", "src/pkg/__pycache__/m.pyc": "x" * 10}
    (finding,) = bloat(tmp_path, files)
    assert "src/pkg/__pycache__/ (10 bytes" in finding.message and "`**/__pycache__`" in finding.message


def test_copied_paths_are_needed(tmp_path: Path) -> None:
    text = SLIM + "COPY data/ /app/data\nCOPY ./models/best.pt /app/\nCOPY . .\n"
    files = {".dockerignore": ".git\n", "data/x.csv": "1", "models/best.pt": "w"}
    assert not bloat(tmp_path, files, text)


def test_dockerfile_specific_ignore_wins(tmp_path: Path) -> None:
    files = {".dockerignore": "", "Dockerfile.dockerignore": ".git\n", ".git/HEAD": "x"}
    assert not bloat(tmp_path, files)
