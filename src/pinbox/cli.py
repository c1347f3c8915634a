"""Argument parsing only: build options, call a command, map errors to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from pinbox import __version__
from pinbox.errors import EXIT_INTERRUPTED, EXIT_USAGE, PinboxError
from pinbox.ui import UI

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
F = TypeVar("F", bound=Callable[..., Any])


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(UI).verbosity = -1


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        ctx.ensure_object(UI).verbosity = value


def verbosity(command: F) -> F:
    """-q/-v, accepted before or after the subcommand (`pinbox -q lock` = `pinbox lock -q`)."""
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


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="pinbox")
@verbosity
@click.pass_context
def app(ctx: click.Context) -> None:
    """Reproducible Python dependencies for ML projects, from laptop to CI to Docker image.

    \b
    Start here:
      pinbox lock                 hashed requirements.lock for the image's Python and platform
      pinbox lock --check         exit 1 if the lock no longer matches its inputs or target
      pinbox check [--fix]        lint (and repair) Dockerfiles, requirements, locks, compose files
      pinbox rule NAME            explain a check rule
      pinbox init                 write a best-practice Dockerfile, .dockerignore, compose.yaml
      pinbox build                build it with BuildKit from a fresh lock; report sizes and cache

    Run `pinbox COMMAND --help` for each command's options and examples.
    """
    ctx.ensure_object(UI)


@app.command(context_settings=CONTEXT)
@verbosity
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
    help="Lock file to write (default: requirements.lock, or pylock.toml with --format pylock).",
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
    help="Let NAME install from its source distribution, built in the image (repeatable).",
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
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.pass_obj
def lock(ui: UI, /, project: Path, input_: str | None, fmt: str | None, as_json: bool, **kwargs: Any) -> int:
    """Write a hashed lock for the image's Python and platform.

    The target is the image, not this machine: pinbox reads the Python version and platform
    from the Dockerfile's final stage (FROM python:3.11-slim means CPython 3.11 on glibc Linux),
    or takes --python/--platform. Only the wheels installable there are hashed, so the lock
    installs with `pip install --require-hashes --no-deps -r requirements.lock`.

    \b
    Examples:
      pinbox lock                                  # Dockerfile + requirements.txt -> requirements.lock
      pinbox lock --python 3.11 --platform linux/amd64,linux/arm64
      pinbox lock --check                          # in CI: fail when the lock is stale
      pinbox lock --from-freeze frozen.txt         # repair a laptop's pip freeze, then lock
      pinbox lock -P numpy                         # bump numpy only
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
        **kwargs,
    )
    return lock_command.run(opts, ui)


@app.command(context_settings=CONTEXT)
@verbosity
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Only these rules: code (PB203), name (pip-cache-in-image) or prefix (PB2). Repeatable.",
)
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules (same forms). Repeatable.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
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


@app.command(context_settings=CONTEXT)
@verbosity
@click.argument("name", required=False)
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


@app.command(context_settings=CONTEXT)
@verbosity
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


@app.command(context_settings=CONTEXT)
@verbosity
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code instead of raising (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app.main(args=args, prog_name="pinbox", standalone_mode=False)
    except PinboxError as exc:
        UI().error(exc.render())
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except KeyboardInterrupt:
        UI().info("interrupted")
        return EXIT_INTERRUPTED
    return code if isinstance(code, int) else 0
