"""Golden fixes: every case under golden/<rule-name>/<case>/ is fixed through `pinbox check --fix`.

A case holds `input/` (a small project) and `expected/` (the files that the fix changes, as they
must read after it); an empty `unsafe` file means the case needs `--unsafe-fixes`. Each case
proves three things: the output matches, fixing again changes nothing, and the rule is silent.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.glob("*/*") if (p / "input").is_dir())
Run = Callable[..., tuple[int, str, str]]


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden_fix(case: Path, tmp_path: Path, run_pinbox: Run) -> None:
    rule = case.parent.name
    project = tmp_path / "project"
    shutil.copytree(case / "input", project)
    before = _snapshot(project)
    flags = ["--unsafe-fixes"] if (case / "unsafe").exists() else []
    code, out, err = run_pinbox("check", "--fix", *flags, "--select", rule, "--exit-zero", project)
    assert code == 0, err
    after = _snapshot(project)
    expected = _snapshot(case / "expected")
    assert expected, "a golden case must change at least one file"
    for name, text in expected.items():
        assert after[name] == text, f"{name} after --fix differs from expected/{name}"
    for name, text in before.items():
        if name not in expected:
            assert after[name] == text, f"{name} changed but has no expected/{name}"
    # idempotent: a second fix changes nothing
    run_pinbox("check", "--fix", *flags, "--select", rule, "--exit-zero", project)
    assert _snapshot(project) == after
    # and the rule no longer reports
    code, out, _ = run_pinbox("check", "--select", rule, project)
    assert code == 0, out


def test_every_fixable_rule_has_a_golden_case() -> None:
    from pinbox.rules.registry import RULES

    with_cases = {c.parent.name for c in CASES}
    missing = [r.name for r in RULES if r.fix and r.name not in with_cases]
    assert not missing, f"fixable rules without golden cases: {missing}"
