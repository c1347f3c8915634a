"""`pinbox sync`: its options and help; the work is in pinbox.commands.sync."""

from __future__ import annotations

from pathlib import Path

import click

from pinbox.cli.options import CONTEXT, common
from pinbox.ui import UI


@click.command(context_settings=CONTEXT)
@common
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--venv", metavar="PATH", help="The virtualenv to sync (default: .venv in the project).")
@click.option("--lock", metavar="FILE", help="The lock (default: the project's, as `pinbox lock` writes it).")
@click.option("--no-dev", is_flag=True, help="Leave out the dev group (requirements-dev.lock).")
@click.option(
    "--check",
    "--dry-run",
    "check",
    is_flag=True,
    help="Print what a sync would change and exit 1 if anything would; change nothing.",
)
@click.option("--offline", is_flag=True, help="Use only uv's cache: no network.")
@click.pass_obj
def sync(
    ui: UI, /, project: Path, venv: str | None, lock: str | None, no_dev: bool, check: bool, offline: bool
) -> int:
    """Make a virtualenv match the lock exactly, for this machine.

    Installs what is missing, removes what the lock does not have and replaces other versions,
    with every file checked against the lock's hashes (uv pip sync --require-hashes). The lock must
    cover this machine: lock with `--dev-platform macos/arm64` (or [tool.pinbox] dev-platforms)
    for the team's laptops. A missing virtualenv is made with the lock's Python, found on this
    machine (never downloaded). The dev group is included unless --no-dev; a project that is a
    package is installed editable, without dependencies.

    \b
    Examples:
      pinbox sync                       # .venv = requirements-dev.lock (or requirements.lock)
      pinbox sync --check               # in CI or pre-commit: exit 1 when .venv drifted
      pinbox sync --no-dev --venv /opt/venv
      pinbox sync --offline             # from uv's cache only
      pinbox sync && pytest             # CI: the tests run on what the image runs
    """
    from pinbox.commands import sync as sync_command  # commands load lazily: fast start-up

    opts = sync_command.SyncOptions(
        project=project, lock=lock, venv=venv, dev=not no_dev, check=check, offline=offline
    )
    return sync_command.run(opts, ui)
