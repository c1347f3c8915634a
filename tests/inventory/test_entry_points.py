"""Console scripts of locked wheels: parsing, zip reading by range, hostile archives, caches."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pinbox import paths
from pinbox.errors import PinboxError
from pinbox.inventory import entry_points, remote_file
from pinbox.inventory.entry_points import Wheel, console_scripts, console_scripts_many, lookup, parse_scripts
from pinbox.inventory.uv_cache import unpacked_wheel, uv_cache_dir
from pinbox.lock.uv import uv_binary

SCRIPTS = "[console_scripts]\nserve = app.main:run\n\n[gui_scripts]\nviewer = app.gui:main\n"


def test_parse_scripts_merges_console_and_gui_scripts_and_skips_the_rest() -> None:
    text = (
        "# comment\n[console_scripts]\nb-tool = m:f\n; note\na_tool=m:g [extra]\n"
        "[gui_scripts]\nb-tool = m:h\n[pytest11]\nplugin = m:p\n[console_scripts]\nbad/name = m:x\n..=m:y\n"
    )
    assert parse_scripts(text) == ("a_tool", "b-tool")
    assert parse_scripts("") == ()


# --- a wheel server on loopback ---------------------------------------------------------------


@dataclass
class Server:
    base: str
    files: dict[str, bytes] = field(default_factory=dict)
    no_ranges: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)
    stall: set[str] = field(default_factory=set)
    sent: int = 0
    requests: int = 0

    def add(self, filename: str, data: bytes) -> str:
        self.files[f"/{filename}"] = data
        return f"{self.base}/{filename}"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server.requests += 1
            if self.path in server.redirects:
                self.send_response(302)
                self.send_header("Location", server.redirects[self.path])
                self.end_headers()
                return
            if self.path in server.stall:
                time.sleep(1.5)
            data = server.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            start, end = self._range(len(data))
            self.send_response(206 if (start, end) != (0, len(data) - 1) or self._ranged() else 200)
            if self._ranged():
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            try:
                self.wfile.write(data[start : end + 1])
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (timeout tests)
            server.sent += end - start + 1

        def _ranged(self) -> bool:
            return "Range" in self.headers and self.path not in server.no_ranges

        def _range(self, size: int) -> tuple[int, int]:
            if not self._ranged():
                return 0, size - 1
            first, _, last = self.headers["Range"].removeprefix("bytes=").partition("-")
            if not first:
                return max(0, size - int(last)), size - 1
            return int(first), min(int(last), size - 1)

    return Handler


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    state = Server("")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def make_wheel(name: str, version: str, entry_points: str | None, *, padding: int = 0) -> bytes:
    """A wheel as setuptools would write it: code first, dist-info last; `padding` bytes of noise."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}/__init__.py", "x = 1\n")
        if padding:
            zf.writestr(f"{name}/blob.bin", os.urandom(padding), compress_type=zipfile.ZIP_STORED)
        info = f"{name}-{version}.dist-info"
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        if entry_points is not None:
            zf.writestr(f"{info}/entry_points.txt", entry_points)
        zf.writestr(f"{info}/RECORD", "")
    return out.getvalue()


def wheel_at(server: Server, data: bytes, name: str = "demo", version: str = "1.0", **kw: int) -> Wheel:
    url = server.add(f"{name}-{version}-py3-none-any.whl", data)
    return Wheel(url, hashlib.sha256(data).hexdigest(), name, version, **kw)


def scripts_of(wheel: Wheel, tmp_path: Path) -> entry_points.Lookup:
    return lookup(wheel, cache_dir=tmp_path / "cache", uv_dir=lambda: None)


def patch_sizes(data: bytes, member: str, size: int) -> bytes:
    """`data` with the uncompressed size of `member` replaced in both its headers: a lying archive."""
    raw = bytearray(data)
    name = member.encode()
    pos = raw.find(name)
    while pos >= 0:
        for signature, header, offset in ((b"PK\1\2", 46, 24), (b"PK\3\4", 30, 22)):
            if raw[pos - header : pos - header + 4] == signature:
                struct.pack_into("<L", raw, pos - header + offset, size)
        pos = raw.find(name, pos + 1)
    return bytes(raw)


# --- reading wheels from the loopback server ---------------------------------------------------


def test_small_wheel_is_downloaded_whole_in_one_request(server: Server, tmp_path: Path) -> None:
    data = make_wheel("demo", "1.0", SCRIPTS)
    found = scripts_of(wheel_at(server, data, size=len(data)), tmp_path)
    assert (found.scripts, found.source, found.requests) == (("serve", "viewer"), "http-download", 1)


def test_wheel_without_entry_points_provides_nothing(server: Server, tmp_path: Path) -> None:
    assert scripts_of(wheel_at(server, make_wheel("demo", "1.0", None)), tmp_path).scripts == ()


def test_big_wheel_is_read_by_ranges_only(server: Server, tmp_path: Path) -> None:
    data = make_wheel("demo", "1.0", SCRIPTS, padding=3_000_000)
    found = scripts_of(wheel_at(server, data, size=len(data)), tmp_path)
    assert (found.scripts, found.source) == (("serve", "viewer"), "http-range")
    assert server.sent == found.transferred < 200_000


def test_server_without_ranges_gets_one_full_download(server: Server, tmp_path: Path) -> None:
    wheel = wheel_at(server, make_wheel("demo", "1.0", SCRIPTS, padding=2_000_000))
    server.no_ranges.add(wheel.url.removeprefix(server.base))
    found = scripts_of(wheel, tmp_path)
    assert (found.scripts, found.source, found.requests) == (("serve", "viewer"), "http-download", 1)


def test_a_wheel_bigger_than_the_lock_says_is_not_downloaded(server: Server, tmp_path: Path) -> None:
    found = scripts_of(
        wheel_at(server, make_wheel("demo", "1.0", SCRIPTS, padding=1_100_000), size=900), tmp_path
    )
    assert found.error and found.error.endswith("sent a whole file over 1048576 bytes (no range requests?)")


def test_central_directory_far_from_the_end_costs_one_more_range(server: Server, tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("demo-1.0.dist-info/METADATA", "Name: demo\n")
        zf.writestr("demo-1.0.dist-info/entry_points.txt", SCRIPTS)
        zf.writestr("demo-1.0.dist-info/RECORD", "")
        for i in range(3000):  # ~180 KB of central directory: more than the first read
            zf.writestr(f"demo/m{i:05}_{'x' * 20}.py", "")
    found = scripts_of(wheel_at(server, out.getvalue()), tmp_path)
    assert (found.scripts, found.source, found.requests) == (("serve", "viewer"), "http-range", 3)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: d[:-100], "no end of central directory record"),
        (lambda d: d[: len(d) // 2], "no end of central directory record"),
        (lambda d: d.replace(b"PK\1\2", b"PK\1\3", 1), "bad central directory entry signature"),
        (lambda d: patch_sizes(d, "demo-1.0.dist-info/entry_points.txt", 50), "zip bomb"),
        (
            lambda d: patch_sizes(d, "demo-1.0.dist-info/entry_points.txt", 2**31),
            "above the 1048576-byte limit",
        ),
        (lambda d: d.replace(b"demo-1.0.dist-info", b"else-1.0.dist-info"), "0 demo-1.0.dist-info folders"),
        (lambda d: b"not a zip at all", "no end of central directory record"),
    ],
)
def test_hostile_or_broken_wheels_are_errors_not_answers(
    server: Server, tmp_path: Path, mangle: object, message: str
) -> None:
    bomb = "[console_scripts]\n" + "#" * 5_000_000 + "\n"
    data = mangle(make_wheel("demo", "1.0", bomb if "bomb" in message else SCRIPTS))  # type: ignore[operator]
    found = scripts_of(wheel_at(server, data), tmp_path)
    assert found.scripts is None and found.error and message in found.error, found.error
    assert "\n" not in found.error and not list((tmp_path / "cache").glob("*.json"))


def test_honest_entry_points_over_the_limit_are_refused(server: Server, tmp_path: Path) -> None:
    data = make_wheel("demo", "1.0", "[console_scripts]\n" + "#" * 2_000_000 + "\n")
    found = scripts_of(wheel_at(server, data), tmp_path)
    assert found.error and "declares 2000019 bytes, above the 1048576-byte limit" in found.error


def test_crc_mismatch_is_an_error(server: Server, tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("demo-1.0.dist-info/METADATA", "Name: demo\n")
        zf.writestr("demo-1.0.dist-info/entry_points.txt", SCRIPTS)
    data = out.getvalue().replace(b"serve = app", b"evil! = app")
    found = scripts_of(wheel_at(server, data), tmp_path)
    assert found.error and "does not match its declared size and CRC" in found.error


def test_zip64_end_records_are_followed(server: Server, tmp_path: Path) -> None:
    data = make_wheel("demo", "1.0", SCRIPTS)
    eocd = data.rfind(b"PK\5\6")
    count, size, offset = struct.unpack_from("<HLL", data, eocd + 10)
    record = struct.pack("<4sQ2H2L4Q", b"PK\6\6", 44, 45, 45, 0, 0, count, count, size, offset)
    locator = struct.pack("<4sLQL", b"PK\6\7", 0, eocd, 1)
    end = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    found = scripts_of(wheel_at(server, data[:eocd] + record + locator + end), tmp_path)
    assert found.scripts == ("serve", "viewer"), found.error


@pytest.mark.parametrize(
    ("url", "name", "sha", "message"),
    [
        ("file:///etc/demo-1.0-py3-none-any.whl", "demo", "a" * 64, "only http(s) URLs"),
        ("ftp://h/demo-1.0-py3-none-any.whl", "demo", "a" * 64, "only http(s) URLs"),
        ("https://u:p@h/demo-1.0-py3-none-any.whl", "demo", "a" * 64, "URLs with credentials are not read"),
        ("https://h/demo-1.0-py3-none-any.whl", "other", "a" * 64, "the URL's file is not other 1.0"),
        ("https://h/demo-1.0.tar.gz", "demo", "a" * 64, "Invalid wheel filename"),
        ("https://h/demo-1.0-py3-none-any.whl", "demo", "../../etc", "is not a sha256 hex digest"),
    ],
)
def test_inputs_are_checked_before_any_request(
    tmp_path: Path, url: str, name: str, sha: str, message: str
) -> None:
    with pytest.raises(PinboxError, match=re.escape(message)):
        console_scripts(url, sha, name=name, version="1.0", cache_dir=tmp_path, use_uv_cache=False)


def test_redirects_only_to_http(server: Server, tmp_path: Path) -> None:
    good = wheel_at(server, make_wheel("demo", "1.0", SCRIPTS))
    server.redirects["/r/demo-1.0-py3-none-any.whl"] = good.url
    server.redirects["/f/demo-1.0-py3-none-any.whl"] = "file:///etc/passwd"
    server.redirects["/x/demo-1.0-py3-none-any.whl"] = "ftp://127.0.0.1/demo-1.0-py3-none-any.whl"
    errors = {}
    for prefix in "rfx":
        moved = Wheel(f"{server.base}/{prefix}/demo-1.0-py3-none-any.whl", good.sha256, "demo", "1.0")
        found = scripts_of(moved, tmp_path / prefix)
        errors[prefix] = found.error or found.scripts
    assert errors == {
        "r": ("serve", "viewer"),
        "f": "cannot read the scripts of demo-1.0-py3-none-any.whl: 127.0.0.1 answered HTTP 302",
        "x": "cannot read the scripts of demo-1.0-py3-none-any.whl: "
        "127.0.0.1 redirected to a ftp: URL that is not followed",
    }


def test_missing_file_and_stalled_server_are_one_line_errors(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_file, "TIMEOUT", 0.3)
    missing = Wheel(f"{server.base}/demo-1.0-py3-none-any.whl", "a" * 64, "demo", "1.0")
    stalled = wheel_at(server, make_wheel("demo", "2.0", SCRIPTS), version="2.0")
    server.stall.add(stalled.url.removeprefix(server.base))
    found = console_scripts_many([missing, stalled], cache_dir=tmp_path, use_uv_cache=False)
    assert (
        found["a" * 64].error
        == "cannot read the scripts of demo-1.0-py3-none-any.whl: 127.0.0.1 answered HTTP 404"
    )
    assert (found[stalled.sha256].error or "").endswith("timed out")


def test_answers_are_cached_by_sha256_and_reused_offline(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels = [
        wheel_at(server, make_wheel("demo", v, SCRIPTS if v != "3" else None), version=v) for v in "123"
    ]
    first = console_scripts_many(wheels, cache_dir=tmp_path, use_uv_cache=False)
    assert {w.source for w in first.values()} == {"http-download"}
    monkeypatch.setattr(remote_file, "_opener", _no_network)
    again = console_scripts_many(wheels, cache_dir=tmp_path, use_uv_cache=False)
    assert {k: (v.scripts, v.source) for k, v in again.items()} == {
        wheels[0].sha256: (("serve", "viewer"), "pinbox-cache"),
        wheels[1].sha256: (("serve", "viewer"), "pinbox-cache"),
        wheels[2].sha256: ((), "pinbox-cache"),
    }
    (tmp_path / f"{wheels[2].sha256}.json").write_text("{broken")
    retried = lookup(wheels[2], cache_dir=tmp_path, uv_dir=lambda: None)  # a corrupt entry is a miss
    assert retried.error and retried.error.endswith("network disabled by the test")


def test_uv_cache_entries_count_only_when_they_name_the_sha256(tmp_path: Path) -> None:
    sha = "b" * 64
    cache = tmp_path / "uv"
    folder = cache / "wheels-v8" / "index" / "0123" / "demo"
    unpacked = cache / "archive-v0" / "abc" / "Demo-1.0.dist-info"
    unpacked.mkdir(parents=True)
    folder.mkdir(parents=True)
    (unpacked / "METADATA").write_text("Name: Demo\n")
    (unpacked / "entry_points.txt").write_text(SCRIPTS)
    (folder / "1.0-py3-none-any.http").write_bytes(b"\x95\xb0abc" + sha.encode() + b"demo-1.0.whl")
    (folder / "1.0-py3-none-any").symlink_to(unpacked.parent)
    (folder / "2.0-py3-none-any.http").write_bytes(b"other" + sha.encode())  # a dangling link: a miss
    (folder / "2.0-py3-none-any").symlink_to(cache / "archive-v0" / "gone")
    assert unpacked_wheel(cache, "DEMO", sha) == unpacked.parent.resolve()
    assert unpacked_wheel(cache, "demo", "c" * 64) is None
    wheel = Wheel("https://h/demo-1.0-py3-none-any.whl", sha, "demo", "1.0")
    found = lookup(wheel, cache_dir=tmp_path / "pinbox", uv_dir=lambda: cache)
    assert (found.scripts, found.source) == (("serve", "viewer"), "uv-cache")
    (unpacked / "entry_points.txt").unlink()
    found = lookup(wheel, cache_dir=tmp_path / "other", uv_dir=lambda: cache)
    assert (found.scripts, found.source) == ((), "uv-cache")
    (folder / "1.0-py3-none-any").unlink()
    (folder / "1.0-py3-none-any").symlink_to(tmp_path)  # outside uv's cache: not trusted
    assert unpacked_wheel(cache, "demo", sha) is None


def test_inside_a_project_scope_only_pinbox_s_own_cache_is_written(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = wheel_at(server, make_wheel("demo", "1.0", SCRIPTS))
    (tmp_path / "project").mkdir()
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "own"))
    with paths.scope(tmp_path / "project"):
        found = lookup(wheel, cache_dir=tmp_path / "elsewhere", uv_dir=lambda: tmp_path / "uv")
        assert (found.scripts, found.source) == (("serve", "viewer"), "http-download")
        assert not (tmp_path / "elsewhere").exists()  # not pinbox's cache: outside the project
        found = lookup(wheel, cache_dir=paths.cache_root() / "entry-points", uv_dir=lambda: tmp_path / "uv")
        again = lookup(wheel, cache_dir=paths.cache_root() / "entry-points", uv_dir=lambda: tmp_path / "uv")
    assert again.source == "pinbox-cache"


def test_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pinbox.inventory.cache import entry_points_dir

    monkeypatch.delenv("PINBOX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert entry_points_dir() == tmp_path / "xdg" / "pinbox" / "entry-points"
    monkeypatch.setenv("PINBOX_CACHE_DIR", str(tmp_path / "mine"))
    assert entry_points_dir() == tmp_path / "mine" / "entry-points"


def test_uv_cache_dir_comes_from_the_environment_or_uv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path))
    assert uv_cache_dir() == tmp_path
    monkeypatch.delenv("UV_CACHE_DIR")
    assert uv_cache_dir() is not None


def _no_network(*args: object) -> urllib.request.OpenerDirector:
    raise OSError("network disabled by the test")


# --- the real index and a real uv cache ----------------------------------------------------------


def pypi_wheel(name: str, version: str, tag: str = "py3-none-any") -> Wheel:
    """The wheel of `name` `version` with `tag`, as PyPI's JSON simple API lists it."""
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    request = urllib.request.Request(f"https://pypi.org/simple/{name}/", headers=accept)
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    (found,) = [f for f in files if f["filename"].endswith(f"-{version}-{tag}.whl")]
    return Wheel(found["url"], found["hashes"]["sha256"], name, version, found.get("size"))


@pytest.mark.network
def test_real_wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    numpy = pypi_wheel("numpy", "2.0.0", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")
    wheels = {
        pypi_wheel("uvicorn", "0.30.1"): ("uvicorn",),
        pypi_wheel("fastapi", "0.111.0"): (),  # its `fastapi` command came from fastapi-cli then
        pypi_wheel("fastapi", "0.115.0"): ("fastapi",),
        pypi_wheel("six", "1.16.0", "py2.py3-none-any"): (),
        numpy: ("f2py", "numpy-config"),
    }
    found = console_scripts_many(wheels, cache_dir=tmp_path, use_uv_cache=False)
    assert {w.name + w.version: found[w.sha256].scripts for w in wheels} == {
        w.name + w.version: s for w, s in wheels.items()
    }
    assert numpy.size and found[numpy.sha256].source == "http-range"
    assert found[numpy.sha256].transferred < numpy.size / 50
    monkeypatch.setattr(remote_file, "_opener", _no_network)
    again = console_scripts_many(wheels, cache_dir=tmp_path, use_uv_cache=False)
    assert {v.source for v in again.values()} == {"pinbox-cache"}
    assert {k: v.scripts for k, v in again.items()} == {k: v.scripts for k, v in found.items()}


@pytest.mark.network
def test_uv_cache_holds_installed_wheels_not_compiled_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uvicorn = pypi_wheel("uvicorn", "0.30.1")
    cache = tmp_path / "uv-cache"
    env = {**os.environ, "UV_CACHE_DIR": str(cache), "UV_NO_CONFIG": "1"}
    (tmp_path / "in.txt").write_text("uvicorn==0.30.1\n")
    uv = [uv_binary(), "--quiet", "--no-progress"]
    compile_args = ["pip", "compile", str(tmp_path / "in.txt"), "--python", sys.executable]
    subprocess.run([*uv, *compile_args], env=env, check=True, capture_output=True, timeout=300)
    assert unpacked_wheel(cache, "uvicorn", uvicorn.sha256) is None  # compile reads metadata only
    venv = ["venv", str(tmp_path / "venv"), "--python", sys.executable]
    subprocess.run([*uv, *venv], env=env, check=True, capture_output=True, timeout=120)
    install = ["pip", "install", "--python", str(tmp_path / "venv"), "--no-deps", "uvicorn==0.30.1"]
    subprocess.run([*uv, *install], env=env, check=True, capture_output=True, timeout=300)
    assert unpacked_wheel(cache, "uvicorn", uvicorn.sha256) is not None
    monkeypatch.setenv("UV_CACHE_DIR", str(cache))
    monkeypatch.setattr(remote_file, "_opener", _no_network)
    found = console_scripts_many([uvicorn], cache_dir=tmp_path / "pinbox")[uvicorn.sha256]
    assert (found.scripts, found.source) == (("uvicorn",), "uv-cache")
