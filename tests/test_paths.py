"""The path policy: what a scope lets pinbox read and write, in every thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pinbox import paths
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """project/, other/ (a folder with a file and a subfolder), lone.txt, beside.txt."""
    for name in ("project/a.txt", "other/b.txt", "other/sub/c.txt", "lone.txt", "beside.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    return tmp_path


def test_a_named_folder_covers_what_is_inside_it(tree: Path) -> None:
    with paths.scope(tree / "project", [tree / "project" / ".." / "other"]):
        assert read_text(tree / "other" / "b.txt") == "other/b.txt"
        assert paths.inside(tree / "other" / "sub" / "c.txt")
        assert paths.inside(tree / "other" / "new.txt")  # a file to be written there
        assert not paths.inside(tree / "lone.txt")


def test_a_named_file_covers_only_itself(tree: Path) -> None:
    with paths.scope(tree / "project", [tree / "lone.txt"]):
        assert read_text(tree / "lone.txt") == "lone.txt"
        with pytest.raises(PinboxError, match="outside the project"):
            read_text(tree / "beside.txt")
        assert not paths.inside(tree / "lone.txt" / "x")


def test_a_link_into_a_named_folder_from_outside_is_judged_by_where_it_points(tree: Path) -> None:
    (tree / "other" / "escape").symlink_to(tree / "beside.txt")
    with paths.scope(tree / "project", [tree / "other"]):
        assert not paths.inside(tree / "other" / "escape")


def test_a_named_folder_does_not_let_a_fix_write_there(tree: Path) -> None:
    with paths.scope(tree / "project", [tree / "other"]):
        assert not paths.inside(tree / "other" / "b.txt", given=False)


def test_check_reads_every_folder_named_on_the_command_line(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pinbox.cli import main

    for folder in ("other", "beside"):
        (tree / folder).mkdir(exist_ok=True)
        (tree / folder / "Dockerfile").write_text("FROM python:3.11-slim\nUSER app\n")
    monkeypatch.chdir(tree / "project")
    main(["check", "--select", "PB301", "../other", "../beside"])
    out = capsys.readouterr().out
    assert "outside the project" not in out
    assert out.count("PB301") == 2


def test_a_thread_starts_outside_the_scope(tree: Path) -> None:
    seen: list[bool] = []
    with paths.scope(tree / "project"):
        thread = threading.Thread(target=lambda: seen.append(paths.inside(tree / "lone.txt")))
        thread.start()
        thread.join()
    assert seen == [True]  # why in_scope exists


def test_in_scope_carries_the_scope_into_threads(tree: Path) -> None:
    with paths.scope(tree / "project"):
        allowed = paths.in_scope(paths.inside)
    with ThreadPoolExecutor(max_workers=8) as pool:  # one wrapper, many threads at once
        outside = list(pool.map(allowed, [tree / "lone.txt"] * 64))
        within = list(pool.map(allowed, [tree / "project" / "a.txt"] * 64))
    assert (set(outside), set(within)) == ({False}, {True})
    assert paths.inside(tree / "lone.txt")  # the caller's own context is left as it was


def test_in_scope_keeps_the_name_and_passes_arguments_and_errors(tree: Path) -> None:
    with paths.scope(tree / "project"):
        read = paths.in_scope(read_text)
    assert read.__name__ == "read_text"
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert pool.submit(read, tree / "project" / "a.txt", what="file").result() == "project/a.txt"
        with pytest.raises(PinboxError, match="outside the project"):
            pool.submit(read, tree / "lone.txt").result()
