"""`pinbox rule`: its options and help; the work is in pinbox.commands.rule."""

from __future__ import annotations

import click

from pinbox.cli.options import CONTEXT, common, complete_rules
from pinbox.ui import UI


@click.command(context_settings=CONTEXT)
@common
@click.argument("name", required=False, shell_complete=complete_rules)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option("--markdown", is_flag=True, help="Print Markdown (with --all: the page docs/rules.md).")
@click.pass_obj
def rule(ui: UI, /, name: str | None, show_all: bool, markdown: bool) -> int:
    """Explain a rule: what it does, why, an example, the fix, and whether the fix is safe.

    \b
    Examples:
      pinbox rule copy-all-before-install
      pinbox rule PB203
      pinbox rule --all
      pinbox rule --all --markdown > docs/rules.md
    """
    from pinbox.commands import rule as rule_command

    return rule_command.run(name, show_all, markdown, ui)
