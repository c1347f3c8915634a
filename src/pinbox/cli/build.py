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
@click.option(
    "--build-arg",
    "build_args",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a build argument (repeatable).",
)
@click.option("--target", metavar="STAGE", help="Build up to this stage only (no smoke test).")
@click.option("--no-cache", is_flag=True, help="Build every step afresh, without the build cache.")
@click.option(
    "--progress",
    type=click.Choice(["auto", "plain", "tty"]),
    default="auto",
    show_default=True,
    help="auto/tty: a line per finished step (with a spinner on a terminal); plain: BuildKit's log too.",
)
@click.option(
    "--secret",
    "secrets",
    multiple=True,
    metavar="id=NAME,src=FILE",
    help="A BuildKit secret (a private index's credentials): RUN --mount=type=secret,id=NAME reads it; "
    "it never enters a layer (repeatable).",
)
@click.option(
    "--no-smoke",
    "smoke",
    is_flag=True,
    flag_value=False,
    default=True,
    help="Skip the smoke test (importing every top-level requirement in the new image).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary (or the error) as JSON.")
@click.pass_obj
def build(
    ui: UI,
    /,
    project: Path,
    as_json: bool,
    cache_from: tuple[str, ...],
    build_args: tuple[str, ...],
    secrets: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Build the project's image with BuildKit from a fresh lock, and report what it cost.

    Refuses a stale lock (or refreshes it with --relock), rewrites the lock fragments of a
    generated Dockerfile, builds with a BuildKit-capable client (set PINBOX_DOCKER to choose),
    then smoke-tests the image: every top-level requirement's modules (read from the installed
    distributions' metadata) are imported in a container of it, and a failing import names the
    package and the dependency its error points into. Ends with the time, the cached steps, the
    image and layer sizes, and the dependency layers against the installed size of the locked
    packages.

    \b
    Examples:
      pinbox build -t iris:dev
      pinbox build --cache-from registry.local/iris:cache --cache-to registry.local/iris:cache
      pinbox build --relock --push -t registry.local/iris:1.2
      pinbox build --secret id=pip,src=$HOME/.netrc --build-arg MODEL=small
    """
    from pinbox.commands import build as build_command

    opts = build_command.BuildOptions(
        project=project,
        json=as_json,
        cache_from=cache_from,
        build_args=build_args,
        secrets=secrets,
        **kwargs,
    )
    return build_command.run(opts, ui)
