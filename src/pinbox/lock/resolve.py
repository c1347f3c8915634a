"""One resolution for `pinbox lock`: the inputs through uv for each platform, with the cut-off of a
time-consistent resolution (pinbox.lock.as_of), the versions of another tool's lock as
constraints (pinbox.lock.truth), and a cut-off of its own for a package that had no wheel for the
target before the cut-off.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError
from pinbox.lock import uv
from pinbox.lock.as_of import AsOf, check_choice, infer, later_for
from pinbox.lock.container import Container, find_container
from pinbox.lock.plan import LockOptions, Plan
from pinbox.lock.truth import Truth
from pinbox.lock.unify import Divergence, unify
from pinbox.ui import UI
from pinbox.venv import runs


def resolve(
    opts: LockOptions,
    plan: Plan,
    previous: dict[str, dict[str, str]],
    ui: UI,
    on_resolved: Callable[[list[tuple[dict[str, Any], ...]]], None] | None = None,
) -> tuple[list[uv.Resolution], AsOf, list[Divergence]]:
    """The resolutions for every platform (the image's, then the team's machines), the cut-off they
    were made with, and the packages left at other versions on some platforms."""
    target, inputs = plan.target, plan.inputs
    as_of = _as_of(opts, plan, ui)
    request = uv.Request(
        project=opts.project,
        input=inputs.path.resolve(),
        python=target.full_python,
        extras=plan.extras,
        allow_sdist=plan.allow_sdist,
        upgrade=opts.upgrade,
        upgrade_packages=opts.upgrade_packages,
        exclude_newer=plan.exclude_newer or as_of.date,
        exclude_newer_packages=as_of.exempt,
        previous=previous,
        index_options=inputs.index_options,
        # absolute, as `input` is: uv runs in the project, pinbox maybe elsewhere
        more_inputs=(plan.dev.path.resolve(),) if plan.dev and plan.dev.kind == "requirements" else (),
        groups=("dev",) if plan.dev and plan.dev.kind == "pyproject" else (),
    )
    if plan.allow_sdist:
        python, container = _builder(plan, ui)
        request = replace(request, build_python=python, container=container)
    blockers: list[uv.NoWheel] = []

    def image_resolved(packages: list[tuple[dict[str, Any], ...]]) -> None:
        if on_resolved is not None:  # console scripts matter in the image only
            on_resolved(packages[: len(target.platforms)])

    with tempfile.TemporaryDirectory(prefix="pinbox-resolve-") as tmp:
        if plan.truth:
            request = replace(request, constraints=_constraints(plan.truth, Path(tmp), ui))
        while True:
            try:
                resolutions = uv.resolve(request, target.all_platforms, on_resolved=image_resolved)
                resolutions, divergences, moved = unify(request, resolutions, target.platforms, Path(tmp))
                if moved and on_resolved is not None:  # the image's versions changed: look again
                    on_resolved([r.packages for r in resolutions[: len(target.platforms)]])
            except uv.NoWheel as exc:
                later = later_for(as_of, exc.package, target.full_python, target.all_platforms)
                if later is not None:  # under a cut-off: that package as of its first wheel
                    as_of = later
                    request = replace(request, exclude_newer_packages=as_of.exempt)
                    day = as_of.later[-1][1]
                    ui.info(
                        f"{exc.package} has no wheel for the target before {as_of.date}: as of {day} for it"
                    )
                    continue
                if any(b.package == exc.package for b in blockers) or len(blockers) >= MAX_BLOCKERS:
                    raise _all(blockers) from None
                blockers.append(exc)  # leave it out and look for the next one, to name them all
                request = replace(request, overrides=_left_out(blockers, Path(tmp)))
                continue
            if blockers:
                raise _all(blockers)
            for line in moved:
                ui.warn(line)
            for divergence in divergences:
                ui.warn(f"versions differ by platform: {divergence.said()}")
            return resolutions, as_of, divergences


MAX_BLOCKERS = 25


def _why(needed_by: str) -> str:
    return "a requirement of yours" if needed_by == "you" else f"needed by {needed_by}"


def _left_out(blockers: list[uv.NoWheel], folder: Path) -> Path:
    """uv overrides that leave packages out (a marker no interpreter has)."""
    path = folder / "overrides.txt"
    path.write_text("".join(f"{b.package} ; python_version < '0'\n" for b in blockers))
    return path


def _all(blockers: list[uv.NoWheel]) -> PinboxError:
    """One error for every package without a wheel for the target, with what needs each."""
    if len(blockers) == 1:
        return blockers[0]
    first = blockers[0].message.splitlines()[0]
    target = first.split(" for ", 1)[1] if " for " in first else "the target"
    lines = [f"  {b.package} ({_why(b.needed_by)})" if b.needed_by else f"  {b.package}" for b in blockers]
    names = " ".join(f"--allow-sdist {b.package}" for b in blockers)
    return PinboxError(
        f"{len(blockers)} packages have no wheel for {target}:\n" + "\n".join(lines),
        hint=f"pick versions that ship wheels for the target, or build them from source in the image "
        f"({names})",
    )


def _as_of(opts: LockOptions, plan: Plan, ui: UI) -> AsOf:
    """The cut-off of a time-consistent resolution (none when --exclude-newer sets one)."""
    if plan.exclude_newer:
        return AsOf()
    requirements = (*plan.inputs.requirements, *(plan.dev.requirements if plan.dev else ()))
    as_of = infer(check_choice(opts.as_of or "auto"), requirements, plan.inputs.index_options)
    as_of = replace(as_of, builds=bool(plan.allow_sdist))
    if as_of.note:
        ui.info(as_of.note)
    if as_of.date:
        ui.info(f"resolved as of {as_of.date}: {as_of.why} (--as-of now resolves as today)")
    return as_of


def _constraints(truth: Truth, folder: Path, ui: UI) -> Path:
    """The versions of uv.lock / poetry.lock / Pipfile.lock, as a constraints file for uv."""
    ui.info(f"versions from {truth.path.name}: {len(truth.versions)} packages kept (change them there)")
    if truth.ambiguous:
        shown = ", ".join(truth.ambiguous[:3]) + (", ..." if len(truth.ambiguous) > 3 else "")
        ui.info(f"{truth.path.name} locks {shown} at several versions (by marker): resolved for the target")
    path = folder / "constraints.txt"
    path.write_text(truth.constraints())
    return path


def _builder(plan: Plan, ui: UI) -> tuple[str, Container | None]:
    """Where --allow-sdist packages are built to read their dependencies: with the image's Python X.Y
    only (this one, or `pythonX.Y` on PATH), else in a container of the image's base when an engine
    answers; never with another Python: a setup.py run by the wrong Python can fail, or answer for
    the wrong interpreter."""
    minor = ".".join(plan.target.python.split(".")[:2])
    names = ", ".join(plan.allow_sdist)
    here = host_python()
    found = sys.executable if here == minor else shutil.which(f"python{minor}")
    if found and (here == minor or runs(found, minor)):
        ui.info(
            f"--allow-sdist {names}: built for their dependencies with {found} (Python {minor}, the image's)"
        )
        return found, None
    image = plan.target.base or f"python:{minor}-slim"
    container = find_container(image)
    if container is not None:
        ui.info(
            f"--allow-sdist {names}: built for their dependencies in a container of {image} "
            f"(this machine has no Python {minor}, the image's)"
        )
        return minor, container
    raise PinboxError(
        f"--allow-sdist {names}: reading their dependencies means building them, and this machine has no "
        f"Python {minor} (the image's) to build with, nor a Docker engine to build in {image}; pinbox "
        f"never builds them with Python {here}",
        hint=f"install Python {minor} here (`uv python install {minor}`, pyenv) so that `python{minor}` "
        "is on PATH, start a Docker engine, or pick versions that ship wheels for the target",
    )


def host_python() -> str:
    """This interpreter's X.Y."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"
