"""`pinbox lock`: its options and help; the work is in pinbox.commands.lock."""

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
    "-i",
    "--input",
    "input_",
    metavar="FILE",
    help="requirements.in/.txt or pyproject.toml (default: the first found, in that order).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Lock file to write (default: requirements.lock, or pylock.toml with --format pylock); "
    "`-` prints it on stdout and writes nothing.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["requirements", "pylock"]),
    help="requirements: hashed requirements file for pip; pylock: PEP 751 pylock.toml.",
)
@click.option("--python", metavar="X.Y", help="Python of the image (default: from the Dockerfile).")
@click.option(
    "--platform",
    metavar="LIST",
    help="Image platforms, e.g. linux/amd64,linux/arm64 (default: Dockerfile, else host).",
)
@click.option(
    "--dev-platform",
    "dev_platforms",
    multiple=True,
    metavar="LIST",
    help="Team machines to lock for too, with the image's Python and the same versions: "
    "macos/arm64, macos/amd64 (@13.0: oldest macOS), windows/amd64, linux/amd64, linux/arm64 "
    "(comma-separated or repeated; default: [tool.pinbox] dev-platforms).",
)
@click.option("-f", "--dockerfile", metavar="FILE", help="Dockerfile to read the target from.")
@click.option(
    "--extra",
    "extras",
    multiple=True,
    metavar="NAME",
    help="pyproject optional-dependencies group to include (repeatable).",
)
@click.option(
    "--allow-sdist",
    multiple=True,
    metavar="NAME",
    help="Let NAME install from its source distribution, built in the image (repeatable). Its "
    "dependencies are read by building it with the image's Python: here when this machine has it, "
    "else in a container of the image's base.",
)
@click.option("-U", "--upgrade", is_flag=True, help="Ignore the existing lock's pins; take the newest.")
@click.option(
    "-P",
    "--upgrade-package",
    "upgrade_packages",
    multiple=True,
    metavar="NAME",
    help="Upgrade only NAME, keep every other pin (repeatable).",
)
@click.option(
    "--exclude-newer",
    metavar="DATE",
    help="Resolve as of DATE (2024-03-01 or RFC 3339), to reproduce an old lock.",
)
@click.option(
    "--as-of",
    metavar="auto|now|DATE",
    help="Resolve unpinned packages as of a date. auto (default): when exact pins are older than 90 "
    "days, as of the day after the newest was uploaded, so old pins get the releases they were "
    "made with; now: as of today.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 if the lock no longer matches its inputs or target. No network.",
)
@click.option(
    "--from-freeze",
    metavar="FILE",
    help="Repair a `pip freeze` (conda, editables, macOS/Windows-only packages) into "
    "requirements.in, then lock it.",
)
@click.option("--force", is_flag=True, help="With --from-freeze: overwrite an existing requirements.in.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Resolve and print what would change (added, updated, removed); write nothing.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout (also with --check)."
)
@click.pass_obj
def lock(ui: UI, /, project: Path, input_: str | None, fmt: str | None, as_json: bool, **kwargs: Any) -> int:
    """Write a hashed lock for the image's Python and platform.

    The target is the image, not this machine: pinbox reads the Python version and platform
    from the Dockerfile's final stage (FROM python:3.11-slim means CPython 3.11 on glibc Linux),
    or takes --python/--platform. Only the wheels installable there are hashed, so the lock
    installs with `pip install --require-hashes --no-deps -r requirements.lock`.

    With --dev-platform (or [tool.pinbox] dev-platforms) the same lock also covers the team's
    laptops and CI runners, with the same versions wherever a version has files for every platform;
    requirements-dev.in (or [dependency-groups] dev) is locked with it into requirements-dev.lock,
    which the image never installs. `pinbox sync` makes a virtualenv match it.

    \b
    Examples:
      pinbox lock                                  # Dockerfile + requirements.txt -> requirements.lock
      pinbox lock --python 3.11 --platform linux/amd64,linux/arm64
      pinbox lock --dev-platform macos/arm64,windows/amd64   # laptops too: `pinbox sync` there
      pinbox lock --check                          # in CI: fail when the lock is stale
      pinbox lock --from-freeze frozen.txt         # repair a laptop's pip freeze, then lock
      pinbox lock -P numpy                         # bump numpy only
      pinbox lock -U --dry-run                     # what an upgrade would change
      pinbox lock -o - | less                      # the lock on stdout
    """
    from pinbox.commands import lock as lock_command  # commands load lazily: fast start-up
    from pinbox.lock.plan import LockOptions

    opts = LockOptions(
        project=project,
        input=input_,
        format=fmt,
        json=as_json,
        extras=tuple(kwargs.pop("extras")),
        allow_sdist=tuple(kwargs.pop("allow_sdist")),
        upgrade_packages=tuple(kwargs.pop("upgrade_packages")),
        dev_platforms=tuple(kwargs.pop("dev_platforms")),
        **kwargs,
    )
    return lock_command.run(opts, ui)
