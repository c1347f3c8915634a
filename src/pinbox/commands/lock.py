"""`pinbox lock`: a hashed lock for the image's Python and platform."""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pinbox import __version__
from pinbox.config import Config, load_config
from pinbox.dockerfile import load_dockerfile
from pinbox.errors import EXIT_FINDINGS, PinboxError
from pinbox.fsutil import read_text, write_atomic
from pinbox.lock import uv
from pinbox.lock.assemble import assemble
from pinbox.lock.inputs import Inputs, detect_input, digest, read_inputs
from pinbox.lock.model import Header, Lock
from pinbox.lock.read import read_pins, recorded_target, stale_reason
from pinbox.lock.render import render_pylock, render_requirements
from pinbox.requirements.freeze import repair_freeze
from pinbox.target import Target, target_from_dockerfile, target_from_flags
from pinbox.ui import UI


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


def resolve_target(opts: LockOptions, config: Config, *, lock_path: Path | None = None) -> Target:
    """Flags, then config, then the Dockerfile's final stage, then the running interpreter."""
    python = opts.python or config.python
    platform = opts.platform or config.platform
    dockerfile = Path(opts.dockerfile) if opts.dockerfile else opts.project / "Dockerfile"
    if opts.dockerfile and not dockerfile.exists():
        raise PinboxError("Dockerfile not found", path=dockerfile)
    if dockerfile.is_file():
        return target_from_dockerfile(load_dockerfile(dockerfile), python=python, platforms=platform)
    source = "flags" if (opts.python or opts.platform) else "config" if (python or platform) else None
    if source is None and lock_path is not None and recorded_target(lock_path):
        return _target_from_key(str(recorded_target(lock_path)))
    return target_from_flags(python, platform, source or "this interpreter")


def _target_from_key(key: str) -> Target:
    from pinbox.target import Platform

    python, _, plats = key.partition(" ")
    platforms = []
    for item in plats.split(","):
        arch, _, rest = item.partition("-")
        if rest.endswith("musl"):
            platforms.append(Platform(arch, "musl"))
        else:
            major, minor = rest.removeprefix("manylinux_").split("_")[:2]
            platforms.append(Platform(arch, "glibc", (int(major), int(minor))))
    return Target(python.removeprefix("cpython-"), tuple(platforms), "the lock's header")


def _output_path(opts: LockOptions, config: Config, fmt: str) -> Path:
    name = opts.output or config.output or ("pylock.toml" if fmt == "pylock" else "requirements.lock")
    path = Path(name)
    return path if path.is_absolute() else opts.project / path


def _regenerate_command(opts: LockOptions, inputs: Inputs, fmt: str) -> str:
    words = ["pinbox", "lock"]
    pairs = [
        ("--input", opts.input),
        ("--output", opts.output),
        ("--python", opts.python),
        ("--platform", opts.platform),
        ("--exclude-newer", opts.exclude_newer),
    ]
    words += [w for flag, value in pairs if value for w in (flag, value)]
    if opts.format:
        words += ["--format", fmt]
    words += [w for e in opts.extras for w in ("--extra", e)]
    words += [w for n in opts.allow_sdist for w in ("--allow-sdist", n)]
    del inputs
    return shlex.join(words)


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
    started = time.monotonic()
    config = load_config(opts.project)
    if opts.from_freeze:
        opts = replace(opts, input=str(_repair_freeze(opts, ui)))
    fmt = opts.format or config.format
    extras = opts.extras or config.extras
    allow_sdist = opts.allow_sdist or config.allow_sdist
    exclude_newer = opts.exclude_newer or config.exclude_newer
    output = _output_path(opts, config, fmt)
    target = resolve_target(opts, config, lock_path=output)
    inputs = read_inputs(opts.project, detect_input(opts.project, opts.input or config.input), extras)
    options = {
        "extras": sorted(extras),
        "allow_sdist": sorted(allow_sdist),
        "exclude_newer": exclude_newer,
    }
    inputs_digest = digest(inputs, options)
    if opts.check:
        reason = stale_reason(output, target.key(), inputs_digest)
        if reason:
            ui.result(f"stale: {reason}")
            return EXIT_FINDINGS
        ui.info(f"{output.name} is up to date ({target.describe()})")
        return 0

    ui.info(f"target: {target.describe()}  [from {target.source}]")
    previous = {} if (opts.upgrade or not output.exists()) else read_pins(output, target)
    request = uv.Request(
        project=opts.project,
        input=inputs.path.resolve(),
        python=target.python,
        extras=extras,
        allow_sdist=allow_sdist,
        upgrade=opts.upgrade,
        upgrade_packages=opts.upgrade_packages,
        exclude_newer=exclude_newer,
        previous=previous,
    )
    with ui.spinner(f"Resolving {inputs.relative(inputs.path)} for {target.describe()}"):
        resolutions = uv.resolve(request, target.platforms)
    header = Header(
        pinbox_version=__version__,
        target=target.key(),
        inputs=tuple(inputs.relative(p) for p in inputs.files),
        digest=inputs_digest,
        command=_regenerate_command(opts, inputs, fmt),
    )
    lock = assemble(target, header, resolutions, inputs.requirements, inputs.index_options)
    text = render_pylock(lock) if fmt == "pylock" else render_requirements(lock)
    write_atomic(output, text)
    _report(ui, opts, lock, output, time.monotonic() - started)
    return 0


def _report(ui: UI, opts: LockOptions, lock: Lock, output: Path, seconds: float) -> None:
    files = sum(len(p.artifacts) for p in lock.pins)
    if opts.json:
        ui.result(
            json.dumps(
                {
                    "output": str(output),
                    "target": {
                        "python": lock.target.python,
                        "platforms": [p.docker for p in lock.target.platforms],
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
                            "from": list(p.roots),
                        }
                        for p in lock.pins
                    ],
                    "counts": {"packages": len(lock.pins), "files": files},
                    "seconds": round(seconds, 3),
                },
                indent=2,
            )
        )
        return
    ui.info(f"Locked {len(lock.pins)} packages ({files} files) into {output} in {seconds:.1f}s")
