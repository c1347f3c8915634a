"""`pinbox check`: its options and help; the work is in pinbox.commands.check."""

from __future__ import annotations

from pathlib import Path

import click

from pinbox.cli.options import CONTEXT, common, complete_rules
from pinbox.report import FORMATS
from pinbox.ui import UI


@click.command(context_settings=CONTEXT)
@common
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Only these rules: code (PB203), name (pip-cache-in-image) or prefix (PB2). Repeatable.",
    shell_complete=complete_rules,
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE",
    help="Skip these rules (same forms). Repeatable.",
    shell_complete=complete_rules,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes to the files.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.pass_obj
def check(
    ui: UI,
    /,
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    **flags: bool,
) -> int:
    """Lint Dockerfiles, requirements files, locks and compose files for reproducibility.

    With no PATH, checks the current folder (Dockerfile, *.Dockerfile, Dockerfile.*, requirements
    files, locks, compose.yaml, .dockerignore). Findings print as `path:line:col: CODE name message`;
    `[*]` marks a safe fix. Silence one line with `# pinbox: ignore[rule-name]` on it or above it.

    \b
    Examples:
      pinbox check                         # the project in this folder
      pinbox check --fix                   # apply safe fixes; --unsafe-fixes for the rest
      pinbox check --diff                  # show what --fix would change
      pinbox check --select PB2 --format sarif > pinbox.sarif
      pinbox rule pip-cache-in-image       # why a rule exists and how to fix it
    """
    from pinbox.commands import check as check_command
    from pinbox.commands.check import CheckOptions

    opts = CheckOptions(paths=paths, select=select, ignore=ignore, format=fmt, **flags)
    return check_command.run(opts, ui)
