"""Where pinbox may read and write: the one path policy every command goes through.

A command runs inside a scope: the project root, and the paths the user named on the command
line. A file is read or written only when its real path (symlinks resolved) is inside the root,
is a file the user named, or is inside a folder the user named; configuration files, requirement
includes and lock headers never widen that. Threads start outside every scope: run their work
through `in_scope`. Outputs are regular files (never a device, FIFO, folder or symlink) in a
folder that exists. Outside a scope (pinbox used as a library) nothing is restricted.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import ParamSpec, TypeVar

from pinbox.errors import PinboxError
from pinbox.record import Record

HINT = "pinbox reads and writes only inside the project folder, and the files you name on the command line"


class Scope(Record):
    root: Path  # real path
    given: frozenset[Path]  # real paths named on the command line
    folders: frozenset[Path] = frozenset()  # those of them that are folders: they cover their contents

    def allows(self, real: Path) -> bool:
        if real in self.given or real.is_relative_to(self.root):
            return True
        return any(real.is_relative_to(folder) for folder in (*self.folders, *_TOOL_FOLDERS))


_P = ParamSpec("_P")
_T = TypeVar("_T")
_SCOPE: ContextVar[Scope | None] = ContextVar("pinbox_scope", default=None)
_TOOL_FOLDERS: set[Path] = set()  # real paths of folders pinbox chose itself, never from project files
_TOOL_GIVEN: set[Path] = set()  # the same folders as given


def cache_root() -> Path:
    """pinbox's own cache: `$PINBOX_CACHE_DIR`, else `$XDG_CACHE_HOME/pinbox`, else `~/.cache/pinbox`.
    It is readable and writable in every scope."""
    chosen = os.environ.get("PINBOX_CACHE_DIR")
    root = (
        Path(chosen)
        if chosen
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pinbox"
    )
    return tool_folder(root)


def tool_folder(folder: Path) -> Path:
    """Let every scope use `folder`, a cache pinbox or its tools keep (from the environment, never
    from a project's files)."""
    if folder not in _TOOL_GIVEN:  # asked for again and again (each cached table): resolve once
        _TOOL_GIVEN.add(folder)
        _TOOL_FOLDERS.add(real(folder))
    return folder


def real(path: Path) -> Path:
    """The absolute path with every symlink resolved (a loop or dangling link resolves as far as it can)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))  # noqa: PTH100 - normalises `..` without touching the disk


@contextlib.contextmanager
def scope(root: Path, given: Iterable[Path] = ()) -> Iterator[Scope]:
    """Run the enclosed code with reads and writes limited to `root` and the `given` paths."""
    named = frozenset(real(p) for p in given)
    current = Scope(real(root), named, frozenset(p for p in named if p.is_dir()))
    token = _SCOPE.set(current)
    try:
        yield current
    finally:
        _SCOPE.reset(token)


@contextlib.contextmanager
def command_scope(project: Path, *given: str | Path | None) -> Iterator[Scope]:
    """The scope of a command run on `project` with these paths typed on its command line (None:
    not given). Paths named by configuration or a lock header are not passed here: they never widen
    what may be read or written."""
    with scope(project, [Path(p) for p in given if p]) as found:
        yield found


def in_scope(fn: Callable[_P, _T]) -> Callable[_P, _T]:
    """`fn`, to be called from another thread under the scope current now (a thread starts with
    no scope, where everything would be allowed). Safe to call from many threads at once."""
    captured = contextvars.copy_context()

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        return captured.copy().run(fn, *args, **kwargs)  # a context is entered by one thread at a time

    return run


def inside(path: Path, *, given: bool = True) -> bool:
    """May `path` be read or written in the current scope (`given`: do paths named on the command
    line count)?"""
    found = _SCOPE.get()
    if found is None:
        return True
    where = real(path)
    return found.allows(where) if given else where.is_relative_to(found.root)


def shown(path: Path | str) -> str:
    """A path as pinbox prints it everywhere: relative to the current directory when inside it
    (as ruff does, so annotations land on the right file in a monorepo), else absolute."""
    return _shown(str(path), os.getcwd())  # noqa: PTH109 - a str key for the cache


@functools.lru_cache(maxsize=1024)
def _shown(path: str, cwd: str) -> str:
    absolute = Path(os.path.normpath(os.path.join(cwd, path)))  # noqa: PTH118 - no symlink resolution
    try:
        return absolute.relative_to(cwd).as_posix() or "."
    except ValueError:
        return absolute.as_posix()


def check_read(path: Path, what: str) -> Path:
    """`path`, when the current scope lets pinbox read it; else an error that shows nothing of it."""
    if not inside(path):
        raise PinboxError(f"{what} is outside the project; not read", path=path, hint=HINT)
    return path


def check_folder(folder: Path) -> Path:
    """A folder pinbox manages (creates, fills, prunes): inside the scope and not a symlink."""
    if folder.is_symlink():
        raise PinboxError("is a symlink; pinbox does not write through links", path=folder)
    if not inside(folder):
        raise PinboxError("is outside the project; not written", path=folder, hint=HINT)
    if folder.exists() and not folder.is_dir():
        raise PinboxError("is not a folder", path=folder)
    return folder


def check_write(path: Path, *, inputs: Iterable[Path] = (), given: bool = True) -> Path:
    """`path`, when it may be written: inside the scope (with `given` False, inside the project
    itself: `--fix` never writes out of it), not a symlink, device, FIFO or folder, not one of
    `inputs`, in a folder that exists."""
    if not inside(path, given=given):
        raise PinboxError("is outside the project; not written", path=path, hint=HINT)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise PinboxError(f"cannot write: {exc.strerror or exc}", path=path) from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise PinboxError("is a symlink; pinbox does not write through links", path=path)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise PinboxError("is a directory, expected a file", path=path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise PinboxError("is not a regular file (a pipe or device); not written", path=path)
    if any(real(path) == real(p) for p in inputs):
        raise PinboxError("is also an input; writing it would destroy it", path=path)
    parent = path.parent
    if not parent.is_dir():
        raise PinboxError(f"cannot write: the folder {parent} does not exist", path=path)
    return path
