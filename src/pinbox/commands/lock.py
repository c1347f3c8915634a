"""`pinbox lock`: a hashed lock for the image's Python and platform."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pinbox import __version__, paths
from pinbox.config import load_config
from pinbox.errors import EXIT_FINDINGS, PinboxError
from pinbox.fsutil import read_text, write_atomic
from pinbox.lock import uv
from pinbox.lock.assemble import assemble
from pinbox.lock.changes import Changes, compare, versions_in
from pinbox.lock.dev_group import dev_lock_path, dev_only
from pinbox.lock.model import Header, Lock
from pinbox.lock.plan import (
    LockOptions,
    Plan,
    make_plan,
    output_path,
    plan_staleness,
    regenerate_command,
    with_recorded,
)
from pinbox.lock.read import read_pins
from pinbox.lock.render import render_pylock, render_requirements
from pinbox.lock.resolve import host_python, resolve
from pinbox.lock.scripts import ScriptsLookup
from pinbox.lock.validate import damage
from pinbox.platforms import this_machine
from pinbox.record import dataclass
from pinbox.redact import credentials_in, redact
from pinbox.requirements.freeze import repair_freeze
from pinbox.target import Target
from pinbox.ui import UI


def _repair_freeze(opts: LockOptions, ui: UI) -> Path:
    """Write the repaired freeze to requirements.in (never over a different one without --force)."""
    source = Path(str(opts.from_freeze))
    repaired = repair_freeze(read_text(source, what="freeze file"), source)
    out = opts.project / "requirements.in"
    text = repaired.text(source.name)
    if out.exists() and not opts.force and read_text(out) != text:
        raise PinboxError(
            "requirements.in exists and differs from the repaired freeze",
            path=out,
            hint="pass --force to overwrite it, or move it away",
        )
    for change in repaired.changes:
        result = f" -> {change.result}" if change.result else ""
        ui.info(f"{source}:{change.line}: {change.action} {change.original}{result}  ({change.reason})")
    write_atomic(out, text)
    ui.info(f"Wrote {out} ({len(repaired.lines)} lines, {len(repaired.changes)} changed or dropped)")
    return out


def run(opts: LockOptions, ui: UI) -> int:
    stdout = opts.output == "-"  # `-o -`: the lock's text on stdout, nothing written
    opts = replace(opts, output=None) if stdout else opts
    with paths.command_scope(opts.project, opts.input, opts.output, opts.dockerfile, opts.from_freeze):
        return _run(opts, ui, stdout=stdout)


def _run(opts: LockOptions, ui: UI, *, stdout: bool = False) -> int:
    started = time.monotonic()
    if opts.from_freeze:
        opts = replace(opts, input=str(_repair_freeze(opts, ui)))
    if opts.check:
        return _check(opts, ui)
    made = _from_freeze(opts, ui) if opts.from_freeze else make(opts, ui)
    old = versions_in(made.plan.output)
    if made.dev_text is not None:  # the dev group's pins are in their own file
        old = {**versions_in(dev_lock_path(made.plan.output)), **old}
    changes = compare(old, made.lock)
    if stdout:
        ui.result(made.text.rstrip("\n"))
        return 0
    if not opts.dry_run:
        write(made)
    for line in changes.lines(dry_run=opts.dry_run) if old else ():  # a first lock adds everything
        ui.info(line)
    _report(ui, opts, made, changes, time.monotonic() - started)
    return 0


def _from_freeze(opts: LockOptions, ui: UI) -> Made:
    """Lock a repaired freeze; one that cannot be locked as written (it is inconsistent itself)
    keeps its versions as preferences and moves only the pins the resolver must."""
    from pinbox.lock.reconcile import reconcile

    try:
        return make(opts, ui)
    except uv.Unresolvable:
        if not reconcile(opts, ui):
            raise
    return make(opts, ui)


def _check(opts: LockOptions, ui: UI) -> int:
    """Exit 1 when the lock is missing, damaged, or no longer matches its inputs or target."""
    config = load_config(opts.project)
    output = output_path(opts, config, opts.format or config.format)
    broken = damage(output, read_text(output, what="lock")) if output.exists() else None
    plan = None if broken else make_plan(with_recorded(opts, output))
    reason = plan_staleness(plan) if plan else None
    status = "damaged" if broken else "missing" if not output.exists() else "stale" if reason else "fresh"
    if opts.json:
        ui.result(
            json.dumps(
                {
                    "status": status,
                    "fresh": status == "fresh",
                    "output": str(output),
                    "reason": broken or reason,
                    "target": plan.target.key() if plan else None,
                },
                indent=2,
            )
        )
    elif broken:
        ui.result(f"damaged: {paths.shown(output)}: {broken}; regenerate it with `pinbox lock`")
    elif reason:
        ui.result(f"stale: {reason}")
    elif plan:
        ui.info(f"{plan.output.name} is up to date ({plan.target.describe()})")
    return 0 if status == "fresh" else EXIT_FINDINGS


@dataclass(frozen=True)
class Made:
    """A lock resolved and rendered, not yet written."""

    plan: Plan
    lock: Lock
    text: str
    dev_text: str | None = None  # requirements-dev.lock: the dev group, on top of the main lock


def make(opts: LockOptions, ui: UI) -> Made:
    """Resolve and render the lock in memory (init --diff shows it; nothing is written here)."""
    plan = make_plan(opts)
    target, inputs, output = plan.target, plan.inputs, plan.output
    refuse_credentials(inputs.index_options, inputs.path)
    ui.info(f"target: {target.describe()}  [from {target.source}]")
    previous = {} if (opts.upgrade or not output.exists()) else _previous(output, target, ui)
    scripts = ScriptsLookup()
    _say_python(target, ui)
    if plan.dev is not None:
        into = dev_lock_path(output).name if plan.format == "requirements" else f"{output.name} (group dev)"
        named = inputs.relative(plan.dev.path)
        source = f"[dependency-groups] dev of {named}" if plan.dev.kind == "pyproject" else named
        ui.info(
            f"dev group: {source} is locked with {inputs.relative(inputs.path)} into {into}; the image "
            "installs the main set only"
        )
    with ui.spinner(f"Resolving {inputs.relative(inputs.path)} for {target.describe()}"):
        resolutions, as_of, divergences = resolve(opts, plan, previous, ui, on_resolved=scripts.start)
        found = scripts.result()
    header = Header(
        pinbox_version=__version__,
        target=target.key(),
        inputs=tuple(inputs.relative(p) for p in plan.input_files),
        digest=plan.digest,
        command=regenerate_command(opts, plan.format),
        as_of=as_of.said if as_of.date else "",
    )
    main, dev = plan.inputs, plan.dev
    lock = assemble(
        target,
        header,
        resolutions,
        (*inputs.requirements, *(dev.requirements if dev else ())),
        inputs.index_options,
        found,
        dev_only=dev_only(main, dev) if dev else None,
        differs={d.name: d.said() for d in divergences},
    )
    unknown = [p for p in lock.pins if p.scripts is None]
    lock = lock._replace(header=header._replace(scripts="" if unknown else "complete"))
    unread = [p.name for p in unknown if any(a.is_wheel for a in p.artifacts)]
    built = [p.name for p in unknown if p.name not in unread]
    if unread:
        ui.detail(
            f"could not read the console scripts of {_some(unread)}; `pinbox check` tries again when "
            "an image's CMD needs them"
        )
        for error in scripts.errors[:3]:
            ui.detail(error)
    if built:
        ui.detail(f"{_some(built)} will be built from source: console scripts unknown until built")
    urls = [p.index or "" for p in lock.pins] + [a.url or "" for p in lock.pins for a in p.artifacts]
    refuse_credentials(urls, inputs.path)  # what uv resolved: indexes and each file's URL
    if plan.format == "pylock":
        return Made(plan, lock, render_pylock(lock))
    dev_text = render_requirements(lock, group="dev", main=plan.output.name) if plan.dev else None
    return Made(plan, lock, render_requirements(lock), dev_text)


def _say_python(target: Target, ui: UI) -> None:
    """Team machines are locked for the image's Python; say so when this one runs another."""
    here = this_machine()
    if any(here.same_machine(p) for p in target.dev_platforms) and host_python() != target.python:
        ui.info(
            f"the team's machines are locked for Python {target.python} (the image's); this machine "
            f"runs {host_python()}: `pinbox sync` makes a virtualenv with Python {target.python}"
        )


def _some(names: list[str]) -> str:
    """`3 package(s) (a, b, c)`, naming at most three."""
    return f"{len(names)} package(s) ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})"


def _previous(output: Path, target: Target, ui: UI) -> dict[str, dict[str, str]]:
    """The pins of the lock being replaced, kept where still allowed; a damaged lock keeps none."""
    try:
        return read_pins(output, target)
    except PinboxError as exc:
        ui.warn(f"{paths.shown(output)} cannot be read ({exc.message}); locking afresh")
        return {}


def write(made: Made) -> None:
    """Write the lock: a regular file in the project (or one named on the command line), never
    one of its own inputs."""
    paths.check_write(made.plan.output, inputs=made.plan.input_files)
    if made.dev_text is not None:
        dev = dev_lock_path(made.plan.output)
        paths.check_write(dev, inputs=made.plan.input_files)
        write_atomic(dev, made.dev_text)
    write_atomic(made.plan.output, made.text)


def refuse_credentials(urls: Iterable[str], source: Path) -> None:
    """A lock is committed and copied into images: it never stores a literal password or token."""
    for url in urls:
        if credentials_in(url):
            raise PinboxError(
                f"`{redact(url)}` carries a literal credential, which would be written into the lock",
                path=source,
                hint="write it as ${PIP_INDEX_USER}:${PIP_INDEX_PASSWORD}@... (pip and uv expand "
                "environment variables there), or use a netrc or keyring; in Docker, a BuildKit "
                "secret (RUN --mount=type=secret)",
            )


def _report(ui: UI, opts: LockOptions, made: Made, changes: Changes, seconds: float) -> None:
    lock, output = made.lock, made.plan.output
    files = sum(len(p.artifacts) for p in lock.pins)
    if opts.json:
        ui.result(
            json.dumps(
                {
                    "output": str(output),
                    "target": {
                        "python": lock.target.python,
                        "platforms": [p.docker for p in lock.target.platforms],
                        "dev_platforms": [
                            p.name for p in lock.target.all_platforms[len(lock.target.platforms) :]
                        ],
                        "tags": [p.tag for p in lock.target.platforms],
                        "source": lock.target.source,
                    },
                    "inputs": list(lock.header.inputs),
                    "pins": [
                        {
                            "name": p.name,
                            "version": p.version,
                            "files": len(p.artifacts),
                            "platforms": [x.docker for x in p.platforms],
                            "group": p.group or "main",
                            **({"differs": p.differs} if p.differs else {}),
                            "from": list(p.roots),
                        }
                        for p in lock.pins
                    ],
                    "counts": {"packages": len(lock.pins), "files": files},
                    "as_of": lock.header.as_of or None,
                    "changes": changes.as_json(),
                    "written": not opts.dry_run,
                    "seconds": round(seconds, 3),
                },
                indent=2,
            )
        )
        return
    if opts.dry_run:
        ui.info(f"Resolved {len(lock.pins)} packages ({files} files) in {seconds:.1f}s; {output} not written")
        return
    ui.info(f"Locked {len(lock.pins)} packages ({files} files) into {output} in {seconds:.1f}s")
