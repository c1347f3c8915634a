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
    "--gpu",
    is_flag=True,
    help="A GPU image: NVIDIA runtime settings and a GPU reservation in compose.yaml.",
)
@click.option(
    "--installer",
    type=click.Choice(["uv", "pip"]),
    default=None,
    help="Installer of the dependency stages; neither ends up in the image. "
    "[default: uv; pip for Python below 3.8, which uv cannot run on]",
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

    Reads the lock (running `pinbox lock` when it is missing or stale) and the existing
    Dockerfile, whose ENTRYPOINT/CMD, EXPOSE ports, WORKDIR and ENV are kept (each thing not kept
    is named with why; packages it installed by name go into the requirements). Without a CMD
    there, the entry point is detected: a FastAPI/Flask app, a Streamlit app, train.py,
    app.py/main.py, [project.scripts], notebooks (Jupyter), or --cmd. init stops when the image
    would not have the program it runs, with the line to add. A GPU image only when asked
    for (--gpu, a CUDA base image, a compose GPU reservation, a CUDA build in the requirements);
    CUDA wheels a package pulls in by default are named with their CPU way out.

    The Dockerfile is multi-stage: dependencies install from the hashed lock in layers (large and
    stable first), each in a stage of its own under a BuildKit cache mount; the final stage gets
    only the virtualenv and the code, and runs as a non-root user. Existing files are never
    overwritten without --force.

    \b
    Examples:
      pinbox init                       # write Dockerfile, .dockerignore, compose.yaml
      pinbox init --diff                # what would change in the existing files
      pinbox init --force --cmd "python serve.py --port 8080"
    """
    from pinbox.commands import init as init_command

    return init_command.run(init_command.InitOptions(project=project, **kwargs), ui)
