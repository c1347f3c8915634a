"""`pinbox completion SHELL`: the shell's completion script (commands, options, rule names)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from pinbox.cli.options import CONTEXT, common
from pinbox.ui import UI

SHELLS = ("bash", "zsh", "fish")


@click.command(context_settings=CONTEXT)
@common
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_obj
def completion(ui: UI, /, shell: str) -> int:
    """Print the completion script for SHELL; commands, options and rule names complete.

    \b
    Install it:
      bash   pinbox completion bash > ~/.local/share/bash-completion/completions/pinbox
      zsh    pinbox completion zsh > "${fpath[1]}/_pinbox"
      fish   pinbox completion fish > ~/.config/fish/completions/pinbox.fish
    """
    from pinbox.cli import app

    kind = get_completion_class(shell)
    if kind is None:  # pragma: no cover - every choice is a shell click knows
        raise click.BadParameter(shell)
    ui.result(kind(app, {}, "pinbox", "_PINBOX_COMPLETE").source().rstrip("\n"))
    return 0
