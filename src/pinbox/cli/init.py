"""`pinbox init`: its options and help; the work is in pinbox.commands.init."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pinbox.cli.options import CONTEXT, common
from pinbox.ui import UI


@click.command(context_settings=CONTEXT)
@common
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--cmd", metavar="COMMAND", help='What the image runs, e.g. "python serve.py" (default: detected).'
)
@click.option(
    "--gpu", is_flag=True, help="Reserve a GPU in compose.yaml even if the lock has no CUDA wheels."
)
@click.option(
    "--installer",
    type=click.Choice(["uv", "pip"]),
    default="uv",
    show_default=True,
    help="Installer used in the builder stage (neither ends up in the image).",
)
@click.option(
    "--base", metavar="IMAGE", help="Base image (default: the project's python image, or python:X.Y-slim)."
)
@click.option("--image", metavar="NAME", help="Image name in compose.yaml (default: the folder's name).")
@click.option("--force", is_flag=True, help="Overwrite existing Dockerfile, .dockerignore and compose.yaml.")
@click.option("--diff", is_flag=True, help="Show what would change; write nothing.")
@click.pass_obj
def init(ui: UI, /, project: Path, **kwargs: Any) -> int:
    """Write the Dockerfile, .dockerignore and compose.yaml this project should have.

    Reads the lock (running `pinbox lock` when it is missing or stale), the entry point
    (train.py, a FastAPI/Flask app, app.py/main.py, [project.scripts], or --cmd), GPU need (CUDA
    wheels in the lock) and the system libraries the wheels need. The Dockerfile is multi-stage:
    dependencies install from the hashed lock in layers (large and stable first) under a BuildKit
    cache mount, the final stage gets only the virtualenv and the code, and runs as a non-root
    user. Existing files are never overwritten without --force.

    \b
    Examples:
      pinbox init                       # write Dockerfile, .dockerignore, compose.yaml
      pinbox init --diff                # what would change in the existing files
      pinbox init --force --cmd "python serve.py --port 8080"
    """
    from pinbox.commands import init as init_command

    return init_command.run(init_command.InitOptions(project=project, **kwargs), ui)
