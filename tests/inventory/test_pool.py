"""Work on daemon threads: results in order, the caller's path policy, bugs raised."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pinbox import paths
from pinbox.inventory.pool import Pending


def test_results_come_back_in_the_order_of_the_items() -> None:
    assert Pending(lambda n: n * n, range(50), 7).wait() == [n * n for n in range(50)]
    assert Pending(lambda n: n, [], 4).wait() == []


def test_workers_are_daemons_and_keep_the_callers_path_policy(tmp_path: Path) -> None:
    seen: list[tuple[bool, bool]] = []

    def probe(_: int) -> None:
        seen.append((threading.current_thread().daemon, paths.inside(Path("/etc/passwd"))))

    with paths.scope(tmp_path):
        Pending(probe, range(4), 2).wait()
    assert seen == [(True, False)] * 4  # outside the project, as in the calling thread


def test_a_bug_in_a_worker_is_raised_by_wait() -> None:
    def broken(n: int) -> int:
        return 1 // (n - 3)

    with pytest.raises(ZeroDivisionError):
        Pending(broken, range(10), 3).wait()
