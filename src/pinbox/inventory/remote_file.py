"""A file on an HTTP(S) server, read in byte ranges, or downloaded once when ranges are not offered.

Requests go through urllib with the environment's proxies and the system CA bundle, but with no
handler for file:, ftp: or data: URLs, and with redirects followed only to http(s) (never from https
down to http). Every request has a timeout, every body is read with a cap, and a full download is
spooled to a temporary file past 1 MiB and stopped at `MAX_DOWNLOAD` (at 1 MiB when the lock said
the file was smaller). URLs with credentials are refused: messages name only the host.
"""

from __future__ import annotations

import functools
import http.client
import re
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any
from urllib.parse import urlsplit

from pinbox import __version__
from pinbox.errors import PinboxError

TIMEOUT = 30.0  # seconds per connect or read
DEADLINE = 300.0  # seconds for a whole download
TAIL = 128 * 1024  # first read: the end records, and often the whole central directory
SMALL = 1024 * 1024  # a file known to be this small is fetched whole: one request beats several
MAX_DOWNLOAD = 64 * 1024 * 1024  # when a server ignores Range, download at most this much
_CHUNK = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class RemoteFile:
    """A remote file of known size; `read` fetches ranges it has not seen yet."""

    def __init__(self, url: str, size: int, tail: bytes = b"", *, spool: IO[bytes] | None = None) -> None:
        self.url = url
        self.size = size
        self.requests = 1
        self.transferred = size if spool else len(tail)
        self._tail_start = size - len(tail)  # bytes read so far, kept contiguous up to the end
        self._tail = tail
        self._spool = spool

    @property
    def ranged(self) -> bool:
        """Whether less than the whole file was read."""
        return self.transferred < self.size

    def read(self, start: int, length: int) -> bytes:
        """Exactly `length` bytes from `start`."""
        end = start + length
        if not 0 <= start <= end <= self.size:
            raise PinboxError(f"read of bytes {start}-{end} outside a file of {self.size} bytes")
        if self._spool is not None:
            self._spool.seek(start)
            return self._spool.read(length)
        if start < self._tail_start <= end:  # grow the kept tail: zip readers move backwards
            self._tail = self._fetch(start, self._tail_start) + self._tail
            self._tail_start = start
        if start >= self._tail_start:
            return self._tail[start - self._tail_start : end - self._tail_start]
        return self._fetch(start, end)

    def _fetch(self, start: int, end: int) -> bytes:
        with _get(self.url, {"Range": f"bytes={start}-{end - 1}"}) as response:
            self.requests += 1
            if response.status != 206 or _content_range(response, self.url) != (start, end - 1, self.size):
                raise PinboxError(f"{host(self.url)} did not answer a range request with that range")
            data = _read(response, end - start, self.url)
        self.transferred += len(data)
        if len(data) != end - start:
            raise PinboxError(f"{host(self.url)} sent {len(data)} bytes for a range of {end - start}")
        return data


@contextmanager
def open_remote(url: str, *, size_hint: int | None = None) -> Iterator[RemoteFile]:
    """The file at `url`: its last `TAIL` bytes are read now, or all of it when that is cheaper."""
    check_url(url)
    whole = size_hint is not None and size_hint <= SMALL
    with tempfile.SpooledTemporaryFile(max_size=SMALL) as spool:
        with _get(url, {} if whole else {"Range": f"bytes=-{TAIL}"}) as response:
            if response.status == 206:
                remote = RemoteFile(url, *_tail(response, url))
            else:  # asked for all of it, or the server ignores ranges and sends all of it
                remote = RemoteFile(
                    url, _download(response, spool, url, SMALL if whole else MAX_DOWNLOAD), spool=spool
                )
        yield remote


def fetch(url: str, headers: Mapping[str, str], max_bytes: int) -> bytes:
    """The whole body at `url`; an error when it is larger than `max_bytes`."""
    check_url(url)
    with _get(url, headers) as response:
        body = _read(response, max_bytes + 1, url)
    if len(body) > max_bytes:
        raise PinboxError(f"{host(url)} sent more than {max_bytes // 2**20} MiB")
    return body


def check_url(url: str) -> None:
    """Refuse anything but an absolute http(s) URL without credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PinboxError(f"only http(s) URLs are read, not {parts.scheme or 'relative'} ones")
    if "@" in parts.netloc:
        raise PinboxError("URLs with credentials are not read")


def host(url: str) -> str:
    """The host of `url`, for messages: never its user, password or query."""
    return urlsplit(url).hostname or "the server"


def _tail(response: http.client.HTTPResponse, url: str) -> tuple[int, bytes]:
    """(file size, last bytes) from the answer to a request for the last `TAIL` bytes."""
    start, end, size = _content_range(response, url)
    if end != size - 1 or end - start + 1 > TAIL:
        raise PinboxError(f"{host(url)} answered a request for the end of a file with another part")
    tail = _read(response, end - start + 1, url)
    if len(tail) != end - start + 1:
        raise PinboxError(f"{host(url)} sent {len(tail)} bytes for a range of {end - start + 1}")
    return size, tail


def _download(response: http.client.HTTPResponse, out: IO[bytes], url: str, limit: int) -> int:
    """Copy the whole body, at most `limit` bytes, to `out`; its size."""
    declared = response.getheader("Content-Length")
    too_big = f"{host(url)} sent a whole file over {limit} bytes (no range requests?)"
    if declared and declared.isdigit() and int(declared) > limit:
        raise PinboxError(too_big)
    total = 0
    deadline = time.monotonic() + DEADLINE
    while chunk := _read(response, _CHUNK, url, deadline):
        total += len(chunk)
        if total > limit:
            raise PinboxError(too_big)
        out.write(chunk)
    if declared and declared.isdigit() and int(declared) != total:
        raise PinboxError(f"the download from {host(url)} ended after {total} of {declared} bytes")
    return total


def _read(response: http.client.HTTPResponse, limit: int, url: str, deadline: float | None = None) -> bytes:
    """Up to `limit` bytes of the body, within `TIMEOUT` per read and `DEADLINE` in all."""
    deadline = deadline or time.monotonic() + DEADLINE
    parts: list[bytes] = []
    got = 0
    try:
        while got < limit and (part := response.read1(min(limit - got, _CHUNK))):
            parts.append(part)
            got += len(part)
            if time.monotonic() > deadline:
                raise PinboxError(f"{host(url)} is sending too slowly (over {DEADLINE:g} s)")
    except (OSError, http.client.HTTPException) as exc:
        raise PinboxError(f"reading from {host(url)} failed: {exc}") from None
    return b"".join(parts)


def _content_range(response: http.client.HTTPResponse, url: str) -> tuple[int, int, int]:
    match = _CONTENT_RANGE.fullmatch((response.getheader("Content-Range") or "").strip())
    if not match:
        raise PinboxError(f"{host(url)} sent a partial answer without a usable Content-Range")
    start, end, size = (int(g) for g in match.groups())
    if not start <= end < size:
        raise PinboxError(f"{host(url)} sent an impossible Content-Range")
    return start, end, size


@contextmanager
def _get(url: str, headers: Mapping[str, str]) -> Iterator[http.client.HTTPResponse]:
    request = urllib.request.Request(
        url, headers={"User-Agent": f"pinbox/{__version__}", "Accept-Encoding": "identity", **headers}
    )
    try:
        response = _opener().open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise PinboxError(f"{host(url)} answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise PinboxError(f"cannot reach {host(url)}: {exc.reason}") from None
    except OSError as exc:
        raise PinboxError(f"cannot reach {host(url)}: {exc}") from None
    except (http.client.HTTPException, ValueError) as exc:  # not str(exc): it may hold the URL
        raise PinboxError(f"cannot reach {host(url)}: {type(exc).__name__}") from None
    with response:
        if response.getheader("Content-Encoding", "identity").lower() != "identity":
            raise PinboxError(f"{host(url)} sent an encoded body though none was asked for")
        yield response


_ADDRESSES: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
_RESOLVING = threading.Lock()


def _connect(
    address: tuple[str, int], timeout: float | None = None, source: tuple[str, int] | None = None
) -> socket.socket:
    """socket.create_connection, with each host looked up once per process and one lookup at a
    time: resolvers that drop queries sent side by side (a 5 s stall each) are common in CI."""
    with _RESOLVING:
        if address not in _ADDRESSES:
            _ADDRESSES[address] = socket.getaddrinfo(*address, type=socket.SOCK_STREAM)
        found = _ADDRESSES[address]
    error: OSError | None = None
    for family, kind, proto, _, where in found:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source:
                sock.bind(source)
            sock.connect(where)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"no address for {address[0]}")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=_tls())


def _opener() -> urllib.request.OpenerDirector:
    """urllib's default opener minus file:, ftp: and data:, with safer redirects.

    Built per request so that proxy variables are read when used, as urlopen does.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        _HTTPHandler(),
        _HTTPSHandler(context=_tls()),
        urllib.request.HTTPDefaultErrorHandler(),
        _Redirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


_TLS_LOCK = threading.Lock()


@functools.cache
def _tls_once() -> ssl.SSLContext:
    return ssl.create_default_context()  # the system bundle, or SSL_CERT_FILE / SSL_CERT_DIR


def _tls() -> ssl.SSLContext:
    """One TLS context for every request: loading the CA bundle costs ~20 ms of CPU, and lookups
    run on several threads at once (functools.cache alone would let each of them load it)."""
    with _TLS_LOCK:
        return _tls_once()


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        old, new = urlsplit(req.full_url).scheme, urlsplit(newurl).scheme
        if (
            new not in ("http", "https")
            or (old == "https" and new != "https")
            or "@" in urlsplit(newurl).netloc
        ):
            fp.close()
            raise PinboxError(f"{host(req.full_url)} redirected to a {new}: URL that is not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
