"""Options every command takes (-q/-v, --color), accepted before or after the subcommand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from pinbox.ui import COLORS, UI

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
F = TypeVar("F", bound=Callable[..., Any])


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(UI).verbosity = -1


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        ctx.ensure_object(UI).verbosity = value


def _set_color(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(UI).color = value


def common(command: F) -> F:
    """-q/-v and --color, before or after the subcommand (`pinbox -q lock` = `pinbox lock -q`)."""
    command = click.option(
        "--color",
        type=click.Choice(COLORS),
        expose_value=False,
        callback=_set_color,
        help="Colour output: auto (terminals, unless NO_COLOR; FORCE_COLOR forces it), always or never.",
    )(command)
    command = click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_set_verbose,
        help="Say more about what is happening (repeatable).",
    )(command)
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="Print only results and errors.",
    )(command)


def complete_rules(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of rule names and codes (`pinbox rule pip-<TAB>`, `--select PB2<TAB>`)."""
    from pinbox.rules.registry import RULES

    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    names = [*(r.name for r in RULES), *(r.code for r in RULES)]
    return [prefix + name for name in names if name.lower().startswith(last.lower())]
