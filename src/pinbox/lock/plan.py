"""What a lock run needs, worked out once: options, target, inputs, output and digest.

Shared by `pinbox lock`, `pinbox lock --check` and the `stale-lock` rule, so that all three agree
on when a lock is fresh.
"""

from __future__ import annotations

import shlex
from dataclasses import fields, replace
from pathlib import Path

from pinbox.config import Config, load_config
from pinbox.dockerfile import load_dockerfile
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.lock.dev_group import find_dev
from pinbox.lock.inputs import Inputs, detect_input, digest, read_inputs
from pinbox.lock.read import recorded_target, stale_reason
from pinbox.lock.truth import Truth, find_truth
from pinbox.platforms import parse_dev_platforms
from pinbox.record import dataclass
from pinbox.target import (
    Target,
    find_dockerfile,
    target_from_dockerfile,
    target_from_flags,
    target_from_key,
)


@dataclass(frozen=True)
class LockOptions:
    project: Path = Path()
    input: str | None = None
    output: str | None = None
    format: str | None = None
    python: str | None = None
    platform: str | None = None
    dockerfile: str | None = None
    extras: tuple[str, ...] = ()
    allow_sdist: tuple[str, ...] = ()
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    exclude_newer: str | None = None
    check: bool = False
    from_freeze: str | None = None
    force: bool = False
    json: bool = False
    dry_run: bool = False
    as_of: str | None = None  # auto (None), now, or YYYY-MM-DD: see pinbox.lock.as_of
    dev_platforms: tuple[str, ...] = ()  # the team's machines (--dev-platform)


def resolve_target(opts: LockOptions, config: Config, *, lock_path: Path | None = None) -> Target:
    """Flags, then config, then the Dockerfile's final stage, then the running interpreter."""
    python = opts.python or config.python
    platform = opts.platform or config.platform
    dockerfile = Path(opts.dockerfile) if opts.dockerfile else find_dockerfile(opts.project)
    if opts.dockerfile and dockerfile and not dockerfile.exists():
        raise PinboxError("Dockerfile not found", path=dockerfile)
    target = _image_target(opts, config, python, platform, dockerfile, lock_path)
    given = opts.dev_platforms or config.dev_platforms
    where = "--dev-platform" if opts.dev_platforms else config.key("dev-platforms")
    return target._replace(dev_platforms=parse_dev_platforms(given, where)) if given else target


def _image_target(
    opts: LockOptions,
    config: Config,
    python: str | None,
    platform: str | None,
    dockerfile: Path | None,
    lock_path: Path | None,
) -> Target:
    if dockerfile is not None and dockerfile.is_file():
        return target_from_dockerfile(load_dockerfile(dockerfile), python=python, platforms=platform)
    source = "flags" if (opts.python or opts.platform) else "config" if (python or platform) else None
    recorded = recorded_target(lock_path) if source is None and lock_path is not None else None
    if recorded:
        try:
            return target_from_key(recorded)._replace(dev_platforms=())
        except PinboxError:
            pass  # a damaged header never blocks regenerating the lock: lock for this interpreter
    return target_from_flags(python, platform, source or "this interpreter")


def output_path(opts: LockOptions, config: Config, fmt: str) -> Path:
    name = opts.output or config.lock_file(fmt)
    path = Path(name)
    return path if path.is_absolute() else opts.project / path


def regenerate_command(opts: LockOptions, fmt: str) -> str:
    words = ["pinbox", "lock"]
    pairs = [
        ("--input", opts.input),
        ("--output", opts.output),
        ("--python", opts.python),
        ("--platform", opts.platform),
        ("--exclude-newer", opts.exclude_newer),
        ("--as-of", opts.as_of),
    ]
    words += [w for flag, value in pairs if value for w in (flag, value)]
    if opts.format:
        words += ["--format", fmt]
    words += [w for e in opts.extras for w in ("--extra", e)]
    words += [w for n in opts.allow_sdist for w in ("--allow-sdist", n)]
    words += [w for n in opts.dev_platforms for w in ("--dev-platform", n)]
    return shlex.join(words)


# flags of the regenerate command that change what is resolved, and LockOptions fields they set
_RECORDED = {
    "--input": "input",
    "--output": "output",
    "--python": "python",
    "--platform": "platform",
    "--exclude-newer": "exclude_newer",
    "--as-of": "as_of",
    "--format": "format",
    "--extra": "extras",
    "--allow-sdist": "allow_sdist",
    "--dockerfile": "dockerfile",
    "--dev-platform": "dev_platforms",
}


def recorded_options(text: str, project: Path) -> LockOptions:
    """The options of the command a lock's header says regenerates it."""
    lines = text.split("\n")
    command = lines[1].lstrip("#").strip() if len(lines) > 1 else ""
    try:
        words = shlex.split(command)[2:] if command.startswith("pinbox lock") else []
    except ValueError:
        words = []  # a damaged header: regenerating starts from what is given now
    values: dict[str, object] = {}
    for flag, value in zip(words[::2], words[1::2], strict=False):
        name = _RECORDED.get(flag)
        if name in ("extras", "allow_sdist", "dev_platforms"):
            values[name] = (*values.get(name, ()), value)  # type: ignore[misc]
        elif name == "as_of" and not _valid_as_of(value):
            continue  # a damaged header never blocks regenerating: the default (auto) instead
        elif name:
            values[name] = value
    return LockOptions(project=project, **values)  # type: ignore[arg-type]


def _valid_as_of(value: str) -> bool:
    from pinbox.lock.as_of import check_choice

    try:
        check_choice(value)
    except PinboxError:
        return False
    return True


def with_recorded(opts: LockOptions, lock_path: Path) -> LockOptions:
    """Fill the options not given now from the ones the lock was made with."""
    if not lock_path.exists():
        return opts
    recorded = recorded_options(read_text(lock_path, what="lock"), opts.project)
    defaults = LockOptions()
    changes = {
        f.name: getattr(recorded, f.name)
        for f in fields(LockOptions)
        if f.name in _RECORDED.values() and getattr(opts, f.name) == getattr(defaults, f.name)
    }
    return replace(opts, **changes)


@dataclass(frozen=True)
class Plan:
    config: Config
    format: str
    output: Path
    target: Target
    inputs: Inputs
    digest: str
    extras: tuple[str, ...]
    allow_sdist: tuple[str, ...]
    exclude_newer: str | None
    truth: Truth | None = None  # uv.lock, poetry.lock or Pipfile.lock: its versions are kept
    dev: Inputs | None = None  # the dev group (requirements-dev.in, [dependency-groups] dev)

    @property
    def input_files(self) -> tuple[Path, ...]:
        """Every file the lock is made from, as its header lists them."""
        dev = tuple(f for f in self.dev.files if f not in self.inputs.files) if self.dev else ()
        return (*self.inputs.files, *dev, *([self.truth.path] if self.truth else []))


def make_plan(opts: LockOptions) -> Plan:
    """Read config, target and inputs (no network)."""
    config = load_config(opts.project)
    fmt = opts.format or config.format
    extras = opts.extras or config.extras
    allow_sdist = opts.allow_sdist or config.allow_sdist
    exclude_newer = opts.exclude_newer or config.exclude_newer
    output = output_path(opts, config, fmt)
    target = resolve_target(opts, config, lock_path=output)
    inputs = read_inputs(opts.project, detect_input(opts.project, opts.input or config.input), extras)
    options: dict[str, object] = {
        "extras": sorted(extras),
        "allow_sdist": sorted(allow_sdist),
        "exclude_newer": exclude_newer,
    }
    options |= {"as_of": opts.as_of} if opts.as_of else {}  # only when given: older locks stay fresh
    truth = find_truth(opts.project)
    options |= {"truth": [truth.path.name, truth.digest]} if truth else {}
    dev = find_dev(opts.project, inputs)
    options |= {"dev": dev.canonical} if dev else {}
    return Plan(
        config,
        fmt,
        output,
        target,
        inputs,
        digest(inputs, options),
        extras,
        allow_sdist,
        exclude_newer,
        truth,
        dev,
    )


def staleness(project_root: Path, lock_path: Path) -> str | None:
    """Why a pinbox lock no longer matches its inputs or target (one line), or None if fresh. A dev
    group's lock (requirements-dev.lock) is judged with the main lock it was made with."""
    from pinbox.lock.dev_group import main_lock_of

    output = lock_path if lock_path.is_absolute() else project_root / lock_path
    output = main_lock_of(output) or output
    rel = output.relative_to(project_root) if output.is_relative_to(project_root) else output
    opts = with_recorded(LockOptions(project=project_root, output=str(rel)), output)
    return plan_staleness(make_plan(opts))


def plan_staleness(plan: Plan) -> str | None:
    """Why the plan's lock (and its dev group's, when the project has one) is stale, or None."""
    reason = stale_reason(plan.output, plan.target.key(), plan.digest)
    if reason is None and plan.dev is not None and plan.format == "requirements":
        from pinbox.lock.dev_group import dev_lock_path

        reason = stale_reason(dev_lock_path(plan.output), plan.target.key(), plan.digest)
    return reason
