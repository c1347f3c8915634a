"""File helpers: atomic writes and safe reads with errors users can act on."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pinbox.errors import PinboxError

MAX_TEXT_BYTES = 10 * 1024 * 1024


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, _mode_of(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file, turning every way it can fail into a PinboxError."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise PinboxError(f"{what} not found", path=path) from None
    except IsADirectoryError:
        raise PinboxError(f"{what} is a directory, expected a file", path=path) from None
    except OSError as exc:
        raise PinboxError(f"cannot read {what}: {exc.strerror}", path=path) from None
    if len(data) > max_bytes:
        raise PinboxError(
            f"{what} is {len(data) / 2**20:.1f} MiB, larger than the {max_bytes / 2**20:g} MiB limit",
            path=path,
        )
    if b"\0" in data[:8192]:
        raise PinboxError(f"{what} is binary, expected text", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PinboxError(
            f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line
        ) from None
    return text
