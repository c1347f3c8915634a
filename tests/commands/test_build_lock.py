"""`pinbox build`'s lock: a fresh one is used, a stale one refused or (--relock) made once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from pinbox.commands import build
from pinbox.commands import lock as lock_command
from pinbox.errors import EXIT_FINDINGS, PinboxError
from pinbox.lock.model import Lock
from pinbox.lock.plan import LockOptions, Plan
from pinbox.ui import UI


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.in").write_text("six==1.16.0\n")  # no lock yet: stale
    return tmp_path


def test_a_stale_lock_is_refused_without_relock(project: Path) -> None:
    with pytest.raises(PinboxError, match="refusing to build") as caught:
        build._fresh_lock(build.BuildOptions(project=project), project / "requirements.lock", UI())
    assert caught.value.exit_code == EXIT_FINDINGS


def test_relock_plans_once_and_builds_from_the_lock_it_wrote(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans: list[Plan] = []
    written: list[lock_command.Made] = []
    real_make_plan = build.make_plan

    def make_plan(opts: LockOptions) -> Plan:
        plans.append(real_make_plan(opts))
        return plans[-1]

    def make(opts: LockOptions, ui: UI) -> lock_command.Made:  # resolving is not what is tested
        return lock_command.Made(replace(plans[0]), cast(Lock, SimpleNamespace(pins=[])), "")

    monkeypatch.setattr(build, "make_plan", make_plan)
    monkeypatch.setattr(lock_command, "make", make)
    monkeypatch.setattr(lock_command, "write", written.append)
    opts = build.BuildOptions(project=project, relock=True)
    plan = build._fresh_lock(opts, project / "requirements.lock", UI())
    assert len(plans) == 1  # to learn the lock is stale; the new lock's plan comes with it
    assert len(written) == 1 and plan is written[0].plan
