"""Argument parsing only: build options, call a command, map every failure to an exit code.

Exit codes: 0 ok, 1 findings or a stale lock, 2 usage or input error, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM). Every error is one `error:` line (plus hints); an error no input should
cause is reported as a bug with exit 2, never as a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
from collections.abc import Sequence

import click

from pinbox import __version__
from pinbox.cli.options import CONTEXT, common
from pinbox.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_USAGE, PinboxError, Terminated
from pinbox.ui import UI

ISSUES = "https://github.com/pinbox-dev/pinbox/issues"


COMMANDS = ("lock", "sync", "check", "rule", "init", "build", "completion")


class Commands(click.Group):
    """Each command's module is imported only when that command runs (or help lists them all):
    `pinbox check` does not pay for `build`'s or `lock`'s options at start-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = getattr(importlib.import_module(f"pinbox.cli.{cmd_name}"), cmd_name)
        gc.freeze()  # what start-up made lives until exit: no collection need look at it again
        gc.enable()  # pinbox.entry held the collector off while the code loaded
        return command


@click.group(cls=Commands, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="pinbox")
@common
@click.pass_context
def app(ctx: click.Context) -> None:
    """Reproducible Python dependencies for ML projects, from laptop to CI to Docker image.

    \b
    Start here:
      pinbox lock                 hashed requirements.lock for the image's Python and platform
      pinbox lock --check         exit 1 if the lock no longer matches its inputs or target
      pinbox sync                 make .venv match the lock on this laptop or CI runner
      pinbox check [--fix]        lint (and repair) Dockerfiles, requirements, locks, compose files
      pinbox rule NAME            explain a check rule
      pinbox init                 write a best-practice Dockerfile, .dockerignore, compose.yaml
      pinbox build                build it with BuildKit from a fresh lock; report sizes and cache
      pinbox completion bash      shell completion (also zsh, fish)

    Run `pinbox COMMAND --help` for each command's options and examples.
    """
    ctx.ensure_object(UI)


def _say(ui: UI, message: str) -> None:
    """Print an error; when even stderr is gone there is nobody to tell."""
    with contextlib.suppress(PinboxError, OSError):
        ui.error(message)


def _interrupted(exc: BaseException) -> int | None:
    """The exit code of a Ctrl-C or SIGTERM that a C extension wrapped (CPython's SystemError "returned
    a result with an exception set" carries it as its cause, at the end of a chain), else None."""
    visited: set[int] = set()
    seen: BaseException | None = exc
    while seen is not None and id(seen) not in visited:  # BuildKit's parser chains one per object
        visited.add(id(seen))
        if isinstance(seen, KeyboardInterrupt):
            return EXIT_INTERRUPTED
        if isinstance(seen, Terminated):
            return EXIT_TERMINATED
        seen = seen.__cause__ or seen.__context__
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code instead of raising (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    ui = UI()
    try:
        code = app.main(args=args, prog_name="pinbox", standalone_mode=False, obj=ui)
    except PinboxError as exc:
        _say(ui, exc.render())
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        _say(ui, exc.format_message())
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say(ui, "interrupted")
        return EXIT_INTERRUPTED
    except Terminated:
        return EXIT_TERMINATED
    except RecursionError:
        _say(ui, "the input is nested too deeply to read")
        return EXIT_USAGE
    except Exception as exc:  # the last resort: a bug, never a traceback
        code = _interrupted(exc)
        if code is not None:  # Ctrl-C or SIGTERM inside a C extension (BuildKit's parser)
            return code
        _say(ui, f"pinbox failed unexpectedly ({type(exc).__name__}: {exc}); please report it at {ISSUES}")
        return EXIT_USAGE
    return code if isinstance(code, int) else 0
