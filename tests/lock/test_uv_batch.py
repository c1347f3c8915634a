"""One compile per platform with the index read once (pinbox.lock.uv_batch), with uv's answers set."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from pinbox.lock import uv_batch

MISSED = "hint: Packages were unavailable because the network was disabled."


class FakeUv:
    def __init__(self, offline_fails: dict[str, str]) -> None:
        self.offline_fails = offline_fails  # platform -> stderr of its offline compile
        self.calls: list[list[tuple[str, bool]]] = []

    def __call__(
        self, binary: str, jobs: Sequence[tuple[list[str], Path]], container: object = None, envs: object = ()
    ) -> list[subprocess.CompletedProcess[str]]:
        batch = [(args[0], "--offline" in args) for args, _ in jobs]
        self.calls.append(batch)
        out = []
        for platform, offline in batch:
            err = self.offline_fails.get(platform, "") if offline else ""
            out.append(subprocess.CompletedProcess(platform, 1 if err else 0, "", err))
        return out


def _jobs(*platforms: str) -> list[tuple[list[str], Path]]:
    return [([p], Path()) for p in platforms]


def test_the_first_platform_reads_the_index_and_the_others_use_what_it_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeUv({})
    monkeypatch.setattr(uv_batch, "run_uv", fake)
    results = uv_batch.compile_each("uv", _jobs("linux", "mac", "win"), None, [{}, {}, {}])
    assert [r.returncode for r in results] == [0, 0, 0]
    assert fake.calls == [[("linux", False)], [("mac", True), ("win", True)]]


def test_a_cache_miss_is_asked_online_and_a_real_failure_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeUv({"mac": MISSED, "win": "error: No solution found: no version of x fits"})
    monkeypatch.setattr(uv_batch, "run_uv", fake)
    results = uv_batch.compile_each("uv", _jobs("linux", "mac", "win"), None, [{}, {}, {}])
    assert fake.calls[-1] == [("mac", False)]  # only the miss goes to the network
    assert [r.returncode for r in results] == [0, 0, 1]


def test_when_this_run_read_the_index_already_every_platform_compiles_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeUv({})
    monkeypatch.setattr(uv_batch, "run_uv", fake)
    uv_batch.compile_each("uv", _jobs("linux", "mac"), None, [{}, {}], fetched=True)
    assert fake.calls == [[("linux", True), ("mac", True)]]


def test_packages_only_other_platforms_need_are_read_from_the_index_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = FakeUv({})
    monkeypatch.setattr(uv_batch, "run_uv", fake)
    linux = [{"name": "numpy"}]
    win = [{"name": "numpy"}, {"name": "Colorama"}]
    assert uv_batch.refresh_unseen(
        "uv", tmp_path, [linux, win], ["--index-url https://x/simple"], tmp_path, None
    )
    assert (tmp_path / "unseen.in").read_text() == "--index-url https://x/simple\ncolorama\n"
    assert not uv_batch.refresh_unseen("uv", tmp_path, [linux, linux], [], tmp_path, None)
    assert len(fake.calls) == 1
