"""`pinbox check`: lint Dockerfiles, requirements, locks and compose files; `--fix` repairs."""

from __future__ import annotations

import sys
from pathlib import Path

from pinbox import paths
from pinbox.config import load_config
from pinbox.errors import EXIT_FINDINGS, EXIT_USAGE
from pinbox.fix import Fixed, fix, unified_diff
from pinbox.fsutil import write_fixed
from pinbox.record import Record
from pinbox.report import formatter, text
from pinbox.report.text import statistics, summary
from pinbox.rules import registry, runner
from pinbox.rules.context import Project, load_project
from pinbox.rules.meta import PARSE_ERROR
from pinbox.rules.model import Finding, Rule
from pinbox.ui import UI


class CheckOptions(Record):
    paths: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    format: str = "text"
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    exit_zero: bool = False
    statistics: bool = False


def _scope(given: tuple[Path, ...]) -> tuple[Path, list[Path] | None]:
    """(project root, files to check): one folder is a project; otherwise the files given, or all.
    Absolute, so that every rule finds files from the file it checks, wherever pinbox runs."""
    if len(given) == 1 and given[0].is_dir():
        return given[0].absolute(), None
    return Path.cwd(), [p.absolute() for p in given] or None


def _fix(
    root: Path,
    rules: list[Rule],
    project: Project,
    findings: list[Finding],
    opts: CheckOptions,
    explicit: list[Path] | None,
) -> Fixed:
    """Apply fixes in verified passes (see pinbox.fix)."""

    def check(overlay: dict[Path, str]) -> tuple[list[Finding], set[Path]]:
        edited = load_project(root, project.config, explicit, overlay=overlay)
        return runner.run(edited, rules), {failure.path for failure in edited.failures}

    return fix(findings, project.texts(), check, unsafe=opts.unsafe_fixes)


def _split(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """`--select a,b --select c` -> (a, b, c)."""
    return tuple(t.strip() for token in tokens for t in token.split(",") if t.strip())


def run(opts: CheckOptions, ui: UI) -> int:
    root, explicit = _scope(opts.paths)
    with paths.scope(root, given=explicit or ()):
        return _run(opts, ui, root, explicit)


def _run(opts: CheckOptions, ui: UI, root: Path, explicit: list[Path] | None) -> int:
    config = load_config(root)
    selected, ignored = _split(opts.select), _split(opts.ignore)
    registry.validate_selectors(selected, "--select")
    registry.validate_selectors(ignored, "--ignore")
    for key, tokens in (("select", config.check.select), ("ignore", config.check.ignore)):
        registry.validate_selectors(tokens, config.key(f"check.{key}"), config.source)
    for pattern, tokens in config.check.per_file_ignores:
        registry.validate_selectors(tokens, config.key(f"check.per-file-ignores.{pattern}"), config.source)
    rules = list(registry.select(selected or config.check.select, (*config.check.ignore, *ignored)))
    project = load_project(root, config, explicit)
    if not project.texts() and not project.failures and not project.dockerignores:
        ui.warn(
            f"nothing to check in {paths.shown(root)}: no Dockerfile, requirements file, lock or compose file"
        )
    findings = runner.run(project, rules)
    fixed_texts: dict[Path, str] = {}
    if opts.fix or opts.diff:
        fixed = _fix(root, rules, project, findings, opts, explicit)
        findings, changes = fixed.findings, fixed.changes
        fixed_texts = {path: after for path, (_, after) in changes.items()}
        for path, (before, after) in sorted(changes.items()):
            if opts.diff:
                ui.result(unified_diff(Path(paths.shown(path)), before, after).rstrip("\n"))
            else:
                write_fixed(path, before, after)
                ui.info(f"fixed {paths.shown(path)}")
        if opts.diff:
            return 0 if opts.exit_zero or not changes else EXIT_FINDINGS
    if opts.format == "text" and ui.terminal(sys.stdout):
        output = text.render_full(findings, {**project.texts(), **fixed_texts}, ui.colored(sys.stdout))
    elif opts.format == "text":
        output = text.render(findings, ui.colored(sys.stdout))
    else:
        output = formatter(opts.format)(findings)
    if output:
        ui.result(output.rstrip("\n"))
    if opts.statistics and findings:
        ui.result(statistics(findings).rstrip("\n"))
    if opts.format == "text":
        ui.info(summary(findings))
    if any(f.code == PARSE_ERROR.code for f in findings):
        return EXIT_USAGE
    return 0 if opts.exit_zero or not findings else EXIT_FINDINGS
