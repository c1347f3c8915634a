"""`pinbox check`: lint Dockerfiles, requirements, locks and compose files; `--fix` repairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pinbox.config import load_config
from pinbox.errors import EXIT_FINDINGS, EXIT_USAGE
from pinbox.fix import apply_fixes, fixable, unified_diff
from pinbox.fsutil import write_atomic
from pinbox.report import FORMATS, relpath
from pinbox.report.text import statistics, summary
from pinbox.rules import registry, runner
from pinbox.rules.context import Project, load_project
from pinbox.rules.meta import PARSE_ERROR
from pinbox.rules.model import Finding, Rule
from pinbox.ui import UI

MAX_PASSES = 8


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    format: str = "text"
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    exit_zero: bool = False
    statistics: bool = False


def _scope(paths: tuple[Path, ...]) -> tuple[Path, list[Path] | None]:
    """(project root, files to check): one folder is a project; otherwise the files given, or all."""
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0], None
    return Path(), list(paths) or None


def _fix(
    root: Path,
    rules: list[Rule],
    project: Project,
    findings: list[Finding],
    opts: CheckOptions,
    explicit: list[Path] | None,
) -> tuple[Project, list[Finding], dict[Path, tuple[str, str]]]:
    """Apply fixes in passes until none applies; return the final project, findings and changes."""
    broken = {f.path.resolve() for f in project.failures}
    texts: dict[Path, str] = {}
    originals: dict[Path, str] = {}
    for _ in range(MAX_PASSES):
        changed = False
        for path, fixes in fixable(findings, unsafe=opts.unsafe_fixes).items():
            if path.resolve() in broken:
                continue  # a file that does not parse is never modified
            before = texts[path] if path in texts else path.read_text(encoding="utf-8")
            originals.setdefault(path, before)
            after = apply_fixes(before, fixes)
            if after != before:
                texts[path] = after
                changed = True
        if not changed:
            break
        project = load_project(root, project.config, explicit, overlay=texts)
        findings = runner.run(project, rules)
    changes = {p: (before, texts[p]) for p, before in originals.items() if texts.get(p, before) != before}
    return project, findings, changes


def _split(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """`--select a,b --select c` -> (a, b, c)."""
    return tuple(t.strip() for token in tokens for t in token.split(",") if t.strip())


def run(opts: CheckOptions, ui: UI) -> int:
    root, explicit = _scope(opts.paths)
    config = load_config(root)
    select = _split(opts.select) or config.check.select
    ignore = (*config.check.ignore, *_split(opts.ignore))
    registry.validate_selectors(select, "--select")
    registry.validate_selectors(ignore, "--ignore")
    rules = list(registry.select(select, ignore))
    project = load_project(root, config, explicit)
    findings = runner.run(project, rules)
    if opts.fix or opts.diff:
        project, findings, changes = _fix(root, rules, project, findings, opts, explicit)
        for path, (before, after) in sorted(changes.items()):
            if opts.diff:
                ui.result(unified_diff(Path(relpath(path, root)), before, after).rstrip("\n"))
            else:
                write_atomic(path, after)
                ui.info(f"fixed {relpath(path, root)}")
        if opts.diff:
            return 0 if opts.exit_zero or not changes else EXIT_FINDINGS
    output = FORMATS[opts.format](findings, root)
    if output:
        ui.result(output.rstrip("\n"))
    if opts.statistics and findings:
        ui.result(statistics(findings).rstrip("\n"))
    if opts.format == "text":
        ui.info(summary(findings))
    if any(f.code == PARSE_ERROR.code for f in findings):
        return EXIT_USAGE
    return 0 if opts.exit_zero or not findings else EXIT_FINDINGS
