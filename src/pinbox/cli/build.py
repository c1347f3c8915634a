"""`pinbox build`: its options and help; the work is in pinbox.commands.build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pinbox.cli.options import CONTEXT, common
from pinbox.ui import UI


@click.command(context_settings=CONTEXT)
@common
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("-t", "--tag", metavar="NAME[:TAG]", help="Image name (default: the folder's name, :latest).")
@click.option("-f", "--dockerfile", metavar="FILE", help="Dockerfile (default: PROJECT/Dockerfile).")
@click.option("--platform", metavar="LIST", help="Build for these platforms; each must be in the lock.")
@click.option("--cache-from", multiple=True, metavar="REF", help="Reuse build cache from a registry image.")
@click.option(
    "--cache-to", metavar="REF", help="Push build cache to a registry (inline cache on Docker 20.10)."
)
@click.option("--push", is_flag=True, help="Push the image after building.")
@click.option("--relock", is_flag=True, help="Refresh a stale lock first instead of refusing to build.")
@click.option("--network", metavar="MODE", help="Network for RUN steps (docker build --network).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def build(ui: UI, /, project: Path, as_json: bool, cache_from: tuple[str, ...], **kwargs: Any) -> int:
    """Build the project's image with BuildKit from a fresh lock, and report what it cost.

    Refuses a stale lock (or refreshes it with --relock), rewrites the lock fragments of a
    generated Dockerfile, builds with a BuildKit-capable client (set PINBOX_DOCKER to choose),
    and ends with the time, the cached steps, the image and layer sizes, and the dependency
    layers against the installed size of the locked packages.

    \b
    Examples:
      pinbox build -t iris:dev
      pinbox build --cache-from registry.local/iris:cache --cache-to registry.local/iris:cache
      pinbox build --relock --push -t registry.local/iris:1.2
    """
    from pinbox.commands import build as build_command

    opts = build_command.BuildOptions(project=project, json=as_json, cache_from=cache_from, **kwargs)
    return build_command.run(opts, ui)
