"""The registry is data: every rule is documented, named, coded and reachable."""

from __future__ import annotations

import re

import pytest

from pinbox.rules.registry import RULES, lookup, matches, select

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")
REQUIRED = {
    "unpinned-requirement",
    "range-requirement",
    "missing-transitive-pins",
    "missing-hashes",
    "local-file-reference",
    "editable-install",
    "platform-only-package",
    "duplicate-requirement",
    "stale-lock",
    "copy-all-before-install",
    "pip-install-unpinned",
    "pip-cache-in-image",
    "requirements-not-installed-from-lock",
    "python-version-mismatch",
    "floating-base-image",
    "runs-as-root",
    "secret-in-build",
    "extra-index-url-confusion",
    "cuda-wheels-on-cpu-image",
    "opencv-needs-libgl",
    "context-bloat",
    "compose-gpu-without-cuda",
    "compose-cuda-without-gpu",
}


def test_every_required_rule_exists() -> None:
    assert {r.name for r in RULES} >= REQUIRED


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len({r.code for r in RULES}) == len(RULES) == len({r.name for r in RULES})
    for rule in RULES:
        assert re.fullmatch(r"PB\d{3}", rule.code), rule.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_every_rule_has_a_complete_doc(rule: object) -> None:
    doc = rule.doc  # type: ignore[attr-defined]
    positions = [doc.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions), f"missing sections in {rule}"
    assert positions == sorted(positions)
    assert rule.summary.endswith(".")  # type: ignore[attr-defined]
    fix = rule.fix  # type: ignore[attr-defined]
    assert fix in (None, "safe", "unsafe", "safe and unsafe")


def test_lookup_and_selection() -> None:
    rule = lookup("pip-cache-in-image")
    assert lookup(rule.code.lower()) is rule
    assert matches(rule, rule.code[:3]) and not matches(rule, "pip")
    assert rule not in select(["ALL"], [rule.name])
    assert set(select()) == set(RULES)
