"""`pinbox sync`: make a virtualenv match the lock exactly, for this machine.

uv does the work (`uv pip sync --require-hashes`): missing packages are installed, extra ones
removed, other versions replaced, every file checked against the lock's hashes. pinbox decides
what to sync: the lock must cover this machine (its image platforms or the team's), the
virtualenv must run the lock's Python (one is made with it when missing), and the dev group
(requirements-dev.lock) is included unless --no-dev. A project that is a package is installed
into it, editable and without dependencies, after the sync.

Only light modules load before uv starts; what checks the lock's freshness loads while uv works.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pinbox import paths
from pinbox.config import FORMATS, load_config
from pinbox.errors import EXIT_FINDINGS, PinboxError
from pinbox.fsutil import read_text
from pinbox.lock.dev_group import GROUP, dev_lock_path
from pinbox.lock.header import is_pylock, parse_header
from pinbox.lock.uv_batch import uv_binary, uv_env
from pinbox.lock.uv_errors import indented
from pinbox.names import normalize
from pinbox.platforms import Platform, this_machine
from pinbox.record import Record
from pinbox.structured import load_toml
from pinbox.target import Target, target_from_key
from pinbox.ui import UI
from pinbox.venv import find_python, venv_python, venv_version

_CHANGE = re.compile(r"^\s*([+\-~])\s+([A-Za-z0-9][A-Za-z0-9._-]*)(?:==(\S+))?")


class SyncOptions(Record):
    project: Path = Path()
    lock: str | None = None
    venv: str | None = None
    dev: bool = True
    check: bool = False
    offline: bool = False


def run(opts: SyncOptions, ui: UI) -> int:
    with paths.command_scope(opts.project, opts.lock, opts.venv):
        return _run(opts, ui)


def _run(opts: SyncOptions, ui: UI) -> int:
    lock = _lock_path(opts)
    target = _target(lock)
    here = _covering(target, lock)
    venv = Path(opts.venv) if opts.venv else opts.project / ".venv"
    venv = venv if venv.is_absolute() else Path.cwd() / venv
    uv = uv_binary()
    files, groups = _sources(lock, opts.dev)
    shown = " + ".join(paths.shown(f) for f in files) + (f" (group {GROUP})" if groups else "")
    if opts.check:
        return _check(uv, venv, target, files, groups, opts, ui, shown)
    python = _ensure_venv(uv, venv, target.python, ui)
    running = _start(
        uv, ["pip", "sync", *_flags(python, groups, opts.offline), *map(str, files)], opts.project
    )
    with running:  # while uv works: is the lock still fresh?
        from pinbox.lock.plan import staleness  # reads the inputs: loaded while uv works

        try:
            stale = staleness(opts.project, lock)
        except PinboxError as exc:  # its inputs do not read: the lock is what there is to sync to
            stale = f"cannot tell whether the lock is fresh ({exc.message})"
        if stale:
            ui.warn(f"{stale}: syncing to it as it is")
        done = _finish(running)
    if done.returncode != 0:
        raise PinboxError(f"uv could not sync {paths.shown(venv)}:\n{_indent(done.stderr)}")
    for line in _changes(done.stderr):
        ui.detail(line)
    project = _package(opts.project)
    if project:
        _install_project(uv, python, opts, project)
    ui.info(
        f"{paths.shown(venv)} matches {shown} for {here.name}, Python {target.python}"
        + (f", with {project} (editable)" if project else "")
    )
    return 0


def _lock_path(opts: SyncOptions) -> Path:
    """--lock, else the project's: the configured one, or whichever format `pinbox lock` wrote."""
    config = load_config(opts.project)
    if opts.lock:
        lock = Path(opts.lock) if Path(opts.lock).is_absolute() else Path.cwd() / opts.lock
    else:
        names = [config.lock_file()] if config.output else [config.lock_file(f) for f in FORMATS]
        lock = next((p for p in map(opts.project.joinpath, names) if p.is_file()), opts.project / names[0])
    if not lock.is_file():
        raise PinboxError(
            f"no lock at {paths.shown(lock)}",
            hint="make one with `pinbox lock` (add this machine with --dev-platform), or pass --lock FILE",
        )
    return lock


def _target(lock: Path) -> Target:
    key = parse_header(read_text(lock, what="lock")).get("target")
    if not key:
        raise PinboxError(
            "the lock has no pinbox header naming its target, so pinbox cannot tell whether it fits this "
            "machine",
            path=lock,
            hint="regenerate it with `pinbox lock`",
        )
    return target_from_key(key)


def _covering(target: Target, lock: Path) -> Platform:
    """This machine's platform among the lock's, or an error naming the command that adds it."""
    here = this_machine()
    for platform in target.all_platforms:
        if platform.same_machine(here):
            return platform
    covered = ", ".join(p.name for p in target.all_platforms)
    raise PinboxError(
        f"{paths.shown(lock)} does not cover this machine ({here.name}); it is for {covered}",
        hint=f"add it and lock again: `pinbox lock --dev-platform {here.name}` (or [tool.pinbox] "
        f'dev-platforms = ["{here.name}"] in pyproject.toml)',
    )


def _sources(lock: Path, dev: bool) -> tuple[list[Path], tuple[str, ...]]:
    """The files to sync from and the pylock groups to include."""
    if is_pylock(lock):
        data = load_toml(read_text(lock, what="lock"), lock, "lock")
        has_dev = GROUP in (data.get("dependency-groups") or [])
        return [lock], (GROUP,) if dev and has_dev else ()
    dev_lock = dev_lock_path(lock)
    files = [dev_lock] if dev and dev_lock.is_file() else [lock]
    from pinbox.requirements import load_requirements

    for path in files:  # uv reads them and what they include: only what the path policy lets pinbox read
        load_requirements(path)
    return files, ()


def _flags(python: Path, groups: tuple[str, ...], offline: bool) -> list[str]:
    flags = ["--require-hashes", "--python", str(python), "--color", "never"]
    flags += [w for g in groups for w in ("--group", g)]
    return flags + (["--offline"] if offline else [])


def _unusable(venv: Path, minor: str) -> PinboxError | None:
    """Why an existing `venv` cannot be synced to a lock for Python `minor` (it is never replaced
    silently), or None."""
    found = venv_version(venv)
    if found is None:
        return PinboxError(
            f"{paths.shown(venv)} exists but is not a virtualenv (no readable pyvenv.cfg)",
            hint="move it away, or pass --venv PATH",
        )
    if found != minor:
        return PinboxError(
            f"{paths.shown(venv)} runs Python {found}, and the lock is for Python {minor} (the image's)",
            hint=f"remove it (`pinbox sync` then makes one with Python {minor}), or pass --venv PATH",
        )
    return None


def _ensure_venv(uv: str, venv: Path, minor: str, ui: UI) -> Path:
    """The virtualenv's interpreter; the virtualenv is made with Python `minor` when missing."""
    if venv.exists():
        problem = _unusable(venv, minor)
        if problem is not None:
            raise problem
        return venv_python(venv)
    python = find_python(minor, uv)
    paths.check_write(venv)
    done = _uv(uv, ["venv", "--quiet", "--python", python, str(venv)], venv.parent)
    if done.returncode != 0:
        raise PinboxError(f"uv could not make a virtualenv at {paths.shown(venv)}:\n{_indent(done.stderr)}")
    ui.info(f"made {paths.shown(venv)} with Python {minor} ({python})")
    return venv_python(venv)


def _check(
    uv: str,
    venv: Path,
    target: Target,
    files: list[Path],
    groups: tuple[str, ...],
    opts: SyncOptions,
    ui: UI,
    shown: str,
) -> int:
    """Print what a sync would change; exit 1 when anything would."""
    if not venv.exists():
        ui.result(f"drift: {paths.shown(venv)} does not exist; `pinbox sync` makes it")
        return EXIT_FINDINGS
    problem = _unusable(venv, target.python)
    if problem is not None:
        ui.result(f"drift: {problem.message}")
        return EXIT_FINDINGS
    args = ["pip", "sync", "--dry-run", *_flags(venv_python(venv), groups, opts.offline), *map(str, files)]
    done = _uv(uv, args, opts.project)
    if done.returncode != 0:
        raise PinboxError(f"uv could not plan a sync of {paths.shown(venv)}:\n{_indent(done.stderr)}")
    project = _package(opts.project)
    changes = [c for c in _changes(done.stderr) if project is None or _name(c) != project]
    for line in changes:
        ui.result(line)
    if changes:
        ui.info(
            f"{paths.shown(venv)} differs from {shown} ({len(changes)} changes); `pinbox sync` applies them"
        )
        return EXIT_FINDINGS
    ui.info(f"{paths.shown(venv)} matches {shown}")
    return 0


def _changes(stderr: str) -> list[str]:
    """uv's plan lines: `+ name==1.0` install, `- name==1.0` remove, `~ name` reinstall."""
    return [line.strip() for line in stderr.splitlines() if _CHANGE.match(line)]


def _name(change: str) -> str:
    found = _CHANGE.match(change)
    return str(normalize(found.group(2))) if found else ""


def _package(project: Path) -> str | None:
    """The project's distribution name when it is a package (pyproject.toml with [build-system]
    and [project] name), else None."""
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        return None
    data = load_toml(read_text(pyproject, what="pyproject.toml"), pyproject)
    meta = data.get("project")
    name = meta.get("name") if isinstance(meta, dict) else None
    if "build-system" not in data or not isinstance(name, str):
        return None
    return str(normalize(name))


def _install_project(uv: str, python: Path, opts: SyncOptions, name: str) -> None:
    args = ["pip", "install", "--quiet", "--no-deps", "--python", str(python), "--editable", "."]
    done = _uv(uv, [*args, *(["--offline"] if opts.offline else [])], opts.project)
    if done.returncode != 0:
        raise PinboxError(f"uv could not install {name} (editable):\n{_indent(done.stderr)}")


def _start(uv: str, args: list[str], cwd: Path) -> subprocess.Popen[str]:
    try:
        return subprocess.Popen(
            [uv, *args], cwd=cwd, env=uv_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as exc:
        raise PinboxError(f"cannot run uv ({uv}): {exc.strerror or exc}") from None


def _finish(running: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = running.communicate()
    return subprocess.CompletedProcess(running.args, running.returncode, out, err)


def _uv(uv: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    with _start(uv, args, cwd) as running:
        return _finish(running)


def _indent(text: str) -> str:
    """The end of uv's output (what it concluded), indented."""
    return indented("\n".join(text.strip().splitlines()[-12:]))
