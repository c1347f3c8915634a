"""Atomic writes that never leave half a file, and reads that fail with PinboxError."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinbox import fsutil
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text, write_atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- write_atomic ---------------------------------------------------------------------------


def test_write_creates_file_with_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "lock.txt"
    write_atomic(path, "a==1\nb==2 ✓\n")
    assert path.read_bytes() == "a==1\nb==2 ✓\n".encode()
    assert names(tmp_path) == ["lock.txt"]


def test_write_replaces_existing_content(tmp_path: Path) -> None:
    path = tmp_path / "lock.txt"
    path.write_text("old and longer content\n", encoding="utf-8")
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"


def test_write_relative_path_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic(Path("out.txt"), "x\n")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "x\n"


@pytest.mark.parametrize("file_mode", [0o600, 0o640, 0o755])
def test_write_preserves_mode(tmp_path: Path, file_mode: int) -> None:
    path = tmp_path / "script.sh"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(file_mode)
    write_atomic(path, "new\n")
    assert mode(path) == file_mode


@pytest.mark.usefixtures("umask_022")
def test_new_file_gets_default_mode_not_mkstemp_0600(tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    write_atomic(path, "x\n")
    assert mode(path) == 0o644


def _no_umask(_mask: int) -> int:
    raise AssertionError("os.umask changes the umask of every thread and child process")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.usefixtures("umask_022")
def test_new_file_mode_reads_the_umask_without_setting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(os, "umask", _no_umask)
        write_atomic(tmp_path / "new.txt", "x\n")
    assert mode(tmp_path / "new.txt") == 0o644


@pytest.mark.usefixtures("umask_022")
def test_without_proc_the_umask_is_read_once_and_never_opened_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_to: list[int] = []
    real_umask = os.umask

    def umask(mask: int) -> int:
        set_to.append(mask)
        return real_umask(mask)

    monkeypatch.setattr(fsutil, "_STATUS", str(tmp_path / "no-proc"))
    monkeypatch.setattr(fsutil, "_UMASK", [])
    with monkeypatch.context() as patched:
        patched.setattr(os, "umask", umask)
        for name in ("a.txt", "b.txt", "c.txt"):
            write_atomic(tmp_path / name, "x\n")
            assert mode(tmp_path / name) == 0o644
    assert set_to == [0o077, 0o022]  # once, and never world-writable meanwhile


def _fail(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "replacement", "exc"),
    [
        ("replace", _fail, PinboxError),
        ("fsync", _fail, PinboxError),
        ("fsync", _interrupt, KeyboardInterrupt),
    ],
)
def test_failed_write_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, replacement: object, exc: type
) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("original\n", encoding="utf-8")
    monkeypatch.setattr(os, target, replacement)
    with pytest.raises(exc):
        write_atomic(path, "replacement\n")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "original\n"
    assert names(tmp_path) == ["requirements.txt"]


def test_unencodable_text_keeps_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("original\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "bad \ud800 surrogate\n")
    assert path.read_text(encoding="utf-8") == "original\n"
    assert names(tmp_path) == ["requirements.txt"]


def test_failed_first_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", _fail)
    with pytest.raises(PinboxError, match="cannot write: No space left on device"):
        write_atomic(tmp_path / "new.txt", "x\n")
    assert names(tmp_path) == []


# --- read_text ------------------------------------------------------------------------------


def test_read_text(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"a==1\r\nb==2\n")
    assert read_text(path) == "a==1\r\nb==2\n"


def test_read_text_drops_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"\xef\xbb\xbfnumpy==1.26\n")
    assert read_text(path) == "numpy==1.26\n"


def read_error(path: Path, **kwargs: int) -> PinboxError:
    with pytest.raises(PinboxError) as info:
        read_text(path, what="requirements file", **kwargs)
    assert info.value.path == path
    return info.value


def test_read_missing(tmp_path: Path) -> None:
    assert read_error(tmp_path / "nope.txt").message == "requirements file not found"


def test_read_directory(tmp_path: Path) -> None:
    assert read_error(tmp_path).message == "requirements file is a directory, expected a file"


def test_read_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.txt"
    path.write_text("x\n", encoding="utf-8")

    def deny(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", deny)
    assert read_error(path).message == "cannot read requirements file: Permission denied"


@pytest.mark.parametrize("data", [b"\x00", b"PK\x03\x04\x00\x00binary", b"text\nthen\x00nul"])
def test_read_binary(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(data)
    assert read_error(path).message == "requirements file is binary, expected text"


@pytest.mark.parametrize(
    ("data", "line", "byte"),
    [
        (b"\xff", 1, "0xff"),
        (b"a==1\nb==2\nc\xe9==3\n", 3, "0xe9"),
        (b"ok\n" * 9 + b"\xc3(\n", 10, "0xc3"),
    ],
)
def test_read_invalid_utf8_names_the_line(tmp_path: Path, data: bytes, line: int, byte: str) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(data)
    err = read_error(path)
    assert err.line == line
    assert err.message == f"requirements file is not valid UTF-8 (byte {byte})"


def test_read_too_large(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"x" * (2 * 2**20 + 1))
    err = read_error(path, max_bytes=2 * 2**20)
    assert "larger than the 2 MiB limit" in err.message


def test_read_exactly_max_bytes_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"x" * 64)
    assert read_text(path, max_bytes=64) == "x" * 64
