"""One resolution for `pinbox lock`: the inputs through uv for each platform, with the cut-off of a
time-consistent resolution (pinbox.lock.as_of), the versions of another tool's lock as
constraints (pinbox.lock.truth), and a cut-off of its own for a package that had no wheel for the
target before the cut-off.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pinbox.lock import uv
from pinbox.lock.as_of import AsOf, check_choice, infer, later_for
from pinbox.lock.plan import LockOptions, Plan
from pinbox.lock.truth import Truth
from pinbox.ui import UI


def resolve(
    opts: LockOptions,
    plan: Plan,
    previous: dict[str, dict[str, str]],
    ui: UI,
    on_resolved: Callable[[list[tuple[dict[str, Any], ...]]], None] | None = None,
) -> tuple[list[uv.Resolution], AsOf]:
    """The resolutions for every platform, and the cut-off they were made with."""
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
    )
    folder = tempfile.TemporaryDirectory(prefix="pinbox-truth-") if plan.truth else contextlib.nullcontext()
    with folder as tmp:
        if plan.truth and tmp:
            request = replace(request, constraints=_constraints(plan.truth, Path(tmp), ui))
        while True:
            try:
                return uv.resolve(request, target.platforms, on_resolved=on_resolved), as_of
            except uv.NoWheel as exc:  # under a cut-off: that package as of its first wheel
                later = later_for(as_of, exc.package, target.full_python, target.platforms)
                if later is None:
                    raise
                as_of = later
                request = replace(request, exclude_newer_packages=as_of.exempt)
                day = as_of.later[-1][1]
                ui.info(f"{exc.package} has no wheel for the target before {as_of.date}: as of {day} for it")


def _as_of(opts: LockOptions, plan: Plan, ui: UI) -> AsOf:
    """The cut-off of a time-consistent resolution (none when --exclude-newer sets one)."""
    if plan.exclude_newer:
        return AsOf()
    as_of = infer(check_choice(opts.as_of or "auto"), plan.inputs.requirements, plan.inputs.index_options)
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
