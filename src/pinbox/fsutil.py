"""Reading and writing files: the one way pinbox does either.

Reads take regular files only (a FIFO, device or folder is refused before anything blocks),
check the size cap before reading and read at most that much, and go through the path policy
(`pinbox.paths`). Writes are atomic (temporary file in the same folder, fsync, rename), keep the
file's mode and its UTF-8 BOM, and never follow a symlink.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import stat
import threading
from pathlib import Path

from pinbox import paths
from pinbox.errors import PinboxError

MAX_TEXT_BYTES = 10 * 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def _os_error(exc: OSError, what: str, path: Path) -> PinboxError:
    if isinstance(exc, FileNotFoundError):
        return PinboxError(f"{what} not found", path=path)
    if isinstance(exc, IsADirectoryError):
        return PinboxError(f"{what} is a directory, expected a file", path=path)
    if exc.errno == errno.ELOOP:
        return PinboxError(f"{what} is a symlink loop", path=path)
    return PinboxError(f"cannot read {what}: {exc.strerror or exc}", path=path)


def read_bytes(path: Path, *, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, read only if the path policy allows it."""
    path = paths.check_read(Path(path), what)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_error(exc, what, path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PinboxError(f"{what} is a directory, expected a file", path=path)
        if not stat.S_ISREG(info.st_mode):
            raise PinboxError(f"{what} is not a regular file (a pipe or device); not read", path=path)
        if info.st_size > max_bytes:
            raise _too_large(what, path, info.st_size, max_bytes)
        chunks, left = [], max_bytes + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise _os_error(exc, what, path) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _too_large(what, path, len(data), max_bytes)
    return data


def _too_large(what: str, path: Path, size: int, limit: int) -> PinboxError:
    shown = f"{size / 2**20:.1f} MiB" if size > limit + 1 else "more"
    return PinboxError(f"{what} is {shown}, larger than the {limit / 2**20:g} MiB limit", path=path)


# byte order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def encoding_of(data: bytes) -> tuple[str, bytes]:
    """(codec, byte order mark) of a file: UTF-8 unless a BOM says UTF-16/32, as pip reads them
    (PowerShell's `pip freeze > requirements.txt` writes UTF-16)."""
    return next(((codec, bom) for bom, codec in _BOMS if data.startswith(bom)), ("utf-8", b""))


def decode(data: bytes, *, what: str, path: Path) -> str:
    """The text without its BOM; binary or invalid text is an error with the line."""
    codec, bom = encoding_of(data)
    body = data[len(bom) :]
    if codec == "utf-8" and b"\0" in body[:8192]:
        raise PinboxError(f"{what} is binary, expected text", path=path)
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise PinboxError(
            f"{what} is not valid {codec.upper().replace('-LE', '').replace('-BE', '')} "
            f"(byte 0x{body[exc.start]:02x})",
            path=path,
            line=line,
        ) from None
    if "\0" in text[:8192]:
        raise PinboxError(f"{what} is binary, expected text", path=path)
    return text


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file (BOM dropped), turning every way it can fail into a PinboxError."""
    return decode(read_bytes(path, what=what, max_bytes=max_bytes), what=what, path=Path(path))


def write_atomic(path: Path, text: str | bytes, *, bom: bool = False, encoding: str = "utf-8") -> None:
    """Write `text` (or bytes, as they are) to `path` so that readers see the old file or the new
    one, never half."""
    import tempfile  # writing is rare: keep start-up light

    path = paths.check_write(Path(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise PinboxError(f"cannot write here: {exc.strerror or exc}", path=path) from None
    try:
        data = text if isinstance(text, bytes) else (("\ufeff" if bom else "") + text).encode(encoding)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, _mode_of(path))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise PinboxError(f"cannot write: {exc.strerror or exc}", path=path) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_fixed(path: Path, before: str, after: str) -> None:
    """Write a fixed file: only if it still holds `before`, in its own encoding and BOM."""
    data = read_bytes(path, what="file")
    if decode(data, what="file", path=path) != before:
        raise PinboxError("changed on disk while pinbox was checking it; not written", path=path)
    codec, bom = encoding_of(data)
    paths.check_write(path, given=False)  # a fix never writes out of the project, even through a link
    write_atomic(path, after, bom=bool(bom), encoding=codec)


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_umask()


_STATUS = "/proc/self/status"  # Linux: its `Umask:` line
_UMASK_LOCK = threading.Lock()
_UMASK: list[int] = []  # elsewhere, the umask read the only way there is, once


def _umask() -> int:
    """The process umask, read without changing it: other threads create files meanwhile, and
    children started then would inherit a umask of 0."""
    try:
        with open(_STATUS, encoding="ascii", errors="replace") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:  # no /proc (macOS): set and restore it once, not on every write
        if not _UMASK:
            _UMASK.append(os.umask(0o077))
            os.umask(_UMASK[0])
        return _UMASK[0]
