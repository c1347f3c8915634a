"""One small member of a zip archive, read from its end through any source of byte ranges.

Only what is needed to find and inflate one file is parsed: the end-of-central-directory record (and
its zip64 form), the central directory, and that member's local header. Every offset and size read
from the archive is checked against the archive's size and the caller's limits before anything is
read or inflated, so a hostile archive costs at most those limits.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Protocol

from pinbox.errors import PinboxError
from pinbox.record import dataclass

# Layouts from APPNOTE.TXT (the same as zipfile's private struct strings).
_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record, 22 bytes + comment
_LOCATOR = struct.Struct("<4sLQL")  # zip64 end of central directory locator, just before _EOCD
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory record
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header + name, extra, comment
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header + name, extra, then the data

_SIGS = {_EOCD: b"PK\5\6", _LOCATOR: b"PK\6\7", _EOCD64: b"PK\6\6", _CENTRAL: b"PK\1\2", _LOCAL: b"PK\3\4"}
_MAX_COMMENT = 0xFFFF
_STORED, _DEFLATED = 0, 8
_ENCRYPTED, _UTF8 = 0x1, 0x800
_LOCAL_EXTRA_GUESS = 64  # read this much local extra field with the header to save a round trip


class ByteSource(Protocol):
    """A file of known size that can be read at any offset."""

    @property
    def size(self) -> int: ...

    def read(self, start: int, length: int) -> bytes:
        """Exactly `length` bytes from `start`, or a PinboxError."""
        ...


@dataclass(frozen=True)
class Entry:
    """One file as the central directory describes it."""

    name: str
    raw_name: bytes
    offset: int  # of its local header
    method: int
    flags: int
    crc: int
    compressed: int
    uncompressed: int


def invalid(what: str) -> PinboxError:
    return PinboxError(f"not a valid zip archive: {what}")


def central_directory(src: ByteSource, *, max_bytes: int) -> list[Entry]:
    """Every entry of the archive's central directory, refusing one larger than `max_bytes`."""
    offset, size = _locate_central_directory(src)
    if size > max_bytes:
        raise PinboxError(f"its central directory is {size} bytes, above the {max_bytes}-byte limit")
    return list(_entries(src.read(offset, size)))


def read_member(src: ByteSource, entry: Entry, *, max_bytes: int) -> bytes:
    """The inflated content of `entry`, refusing more than `max_bytes` declared or produced."""
    if entry.flags & _ENCRYPTED or entry.method not in (_STORED, _DEFLATED):
        raise invalid(f"{entry.name} is encrypted or uses compression method {entry.method}")
    if max(entry.uncompressed, entry.compressed) > max_bytes:
        raise PinboxError(
            f"{entry.name} declares {entry.uncompressed} bytes, above the {max_bytes}-byte limit"
        )
    data = _member_data(src, entry)
    out = _inflate(data, max_bytes) if entry.method == _DEFLATED else data
    if len(out) != entry.uncompressed or zlib.crc32(out) != entry.crc:
        raise invalid(f"{entry.name} does not match its declared size and CRC")
    return out


def _fields(layout: struct.Struct, data: bytes, at: int, what: str) -> tuple[int, ...]:
    """The numeric fields of the `layout` record at `at`, after checking its signature."""
    if at < 0 or at + layout.size > len(data):
        raise invalid(f"truncated {what}")
    signature, *fields = layout.unpack_from(data, at)
    if signature != _SIGS[layout]:
        raise invalid(f"bad {what} signature")
    return tuple(fields)


def _locate_central_directory(src: ByteSource) -> tuple[int, int]:
    """(offset, size) of the central directory, which must end where its end records begin."""
    tail_start = max(0, src.size - _EOCD.size - _MAX_COMMENT)
    tail = src.read(tail_start, src.size - tail_start)
    at = _find_eocd(tail)
    size, offset = _fields(_EOCD, tail, at, "end of central directory")[4:6]
    end = tail_start + at
    locator = at - _LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == _SIGS[_LOCATOR]:
        offset, size, end = _zip64_directory(src, _fields(_LOCATOR, tail, locator, "zip64 locator")[1])
    if offset + size != end:
        raise invalid("the central directory does not end where the end record begins")
    return offset, size


def _find_eocd(tail: bytes) -> int:
    """Position of the last end record in `tail` whose comment runs exactly to the end."""
    at = tail.rfind(_SIGS[_EOCD])
    while at >= 0:
        if at + _EOCD.size <= len(tail):
            comment = int.from_bytes(tail[at + _EOCD.size - 2 : at + _EOCD.size], "little")
            if at + _EOCD.size + comment == len(tail):
                return at
        at = tail.rfind(_SIGS[_EOCD], 0, at)
    raise invalid("no end of central directory record (truncated download?)")


def _zip64_directory(src: ByteSource, record_at: int) -> tuple[int, int, int]:
    """(offset, size, end) of the central directory that the zip64 record at `record_at` describes."""
    if record_at + _EOCD64.size > src.size:
        raise invalid("zip64 end record outside the file")
    size, offset = _fields(_EOCD64, src.read(record_at, _EOCD64.size), 0, "zip64 end record")[7:9]
    return offset, size, record_at


def _entries(data: bytes) -> Iterator[Entry]:
    pos = 0
    while pos < len(data):
        f = _fields(_CENTRAL, data, pos, "central directory entry")
        flags, method, crc, csize, usize, name_len, extra_len, comment_len = f[4:6] + f[8:14]
        start = pos + _CENTRAL.size
        pos = start + name_len + extra_len + comment_len
        if pos > len(data):
            raise invalid("truncated central directory entry")
        raw = data[start : start + name_len]
        usize, csize, offset = _zip64_sizes(
            data[start + name_len : start + name_len + extra_len], usize, csize, f[17]
        )
        name = raw.decode("utf-8" if flags & _UTF8 else "cp437", "replace")
        yield Entry(name, raw, offset, method, flags, crc, csize, usize)


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    """(uncompressed, compressed, offset), each saturated one taken from the zip64 extra field."""
    out = [usize, csize, offset]
    wanted = [i for i, v in enumerate(out) if v == 0xFFFFFFFF]
    pos = 0
    while wanted and pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, pos)
        body = extra[pos + 4 : pos + 4 + length]
        if kind == 1:
            for n, i in enumerate(wanted[: len(body) // 8]):
                out[i] = int.from_bytes(body[8 * n : 8 * n + 8], "little")
            break
        pos += 4 + length
    return out[0], out[1], out[2]


def _member_data(src: ByteSource, entry: Entry) -> bytes:
    """The stored bytes of `entry`, after checking that its local header names the same file."""
    fixed = _LOCAL.size + len(entry.raw_name)
    if entry.offset + fixed + entry.compressed > src.size:
        raise invalid(f"{entry.name} lies outside the file")
    want = min(fixed + _LOCAL_EXTRA_GUESS + entry.compressed, src.size - entry.offset)
    head = src.read(entry.offset, want)
    extra_len = _fields(_LOCAL, head, 0, f"local header of {entry.name}")[10]
    if head[_LOCAL.size : fixed] != entry.raw_name:
        raise invalid(f"the local header of {entry.name} names another file")
    start, end = fixed + extra_len, fixed + extra_len + entry.compressed
    if entry.offset + end > src.size:
        raise invalid(f"{entry.name} lies outside the file")
    if end <= len(head):
        return head[start:end]
    return src.read(entry.offset + start, entry.compressed)


def _inflate(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise invalid(f"corrupt deflate data ({exc})") from None
    if len(out) > max_bytes:
        raise PinboxError(f"a member inflates to more than {max_bytes} bytes (zip bomb?)")
    if not inflater.eof:
        raise invalid("truncated deflate data")
    return out
