"""What PyPI says of a project's files: the wheel a requirements-format lock pins, found by its
sha256, and when each release was uploaded (for `pinbox lock --as-of`).

A requirements lock names `name==version --hash=sha256:...` but no URL; PyPI's JSON simple API
(PEP 691) lists each file of a project with its sha256. Only pypi.org is asked, and only files on
PyPI's own file host are returned, never an index or URL a lock names: `pinbox check` runs on
strangers' pull requests, and a lock must not make it fetch from hosts it chooses. Bounded: one
request per project, the answer capped at `MAX_BYTES`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pinbox.errors import PinboxError
from pinbox.inventory import cache
from pinbox.inventory.entry_points import Wheel
from pinbox.inventory.remote_file import fetch
from pinbox.names import normalize

SIMPLE = "https://pypi.org/simple/{name}/"
PYPI_FILES = "https://files.pythonhosted.org/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")  # a normalised PEP 508 name
MAX_BYTES = 16 * 1024 * 1024  # torch's page is ~2 MB


def is_pypi(url: str) -> bool:
    """Whether an index or find-links URL is PyPI's own."""
    return urlsplit(url).hostname in ("pypi.org", "pypi.python.org", "files.pythonhosted.org")


def _files(name: str) -> list[dict[str, object]]:
    """The files of a project on PyPI (PEP 691/700 JSON), or [] for what is not a name."""
    if not _NAME.fullmatch(normalize(name)):
        return []  # not a distribution name: nothing of it is on PyPI
    body = fetch(SIMPLE.format(name=normalize(name)), {"Accept": ACCEPT}, MAX_BYTES)
    try:
        files = json.loads(body).get("files", [])
    except (ValueError, AttributeError):
        raise PinboxError(f"PyPI answered for {name} with something that is not its file list") from None
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def release_time(name: str, version: str) -> str | None:
    """When `name==version` was first uploaded to PyPI (ISO 8601, UTC), or None when PyPI has no
    such release. Release times never change, so they are cached; a version the cache does not
    know (released since) asks PyPI again."""
    key, wanted = normalize(name), _version(version)
    known = cache.load_json(cache.release_times_dir(), key)
    times = known.get("times") if known else None
    if isinstance(times, dict) and wanted in times:
        return str(times[wanted])
    found: dict[str, str] = {}
    for file in _files(name):
        release, uploaded = _release_of(str(file.get("filename", ""))), file.get("upload-time")
        if release and isinstance(uploaded, str) and (release not in found or uploaded < found[release]):
            found[release] = uploaded
    if found:
        cache.store_json(cache.release_times_dir(), key, {"times": found})
    return found.get(wanted)


def first_wheel_after(name: str, after: str, tags: frozenset[Tag]) -> str | None:
    """The upload time (ISO 8601) of the first wheel of `name` uploaded after `after` that installs
    with one of `tags`, or None."""
    found = [
        str(file["upload-time"])
        for file in _files(name)
        if str(file.get("filename", "")).endswith(".whl")
        and isinstance(file.get("upload-time"), str)
        and str(file["upload-time"]) > after
        and _installs(str(file["filename"]), tags)
    ]
    return min(found, default=None)


def _installs(filename: str, tags: frozenset[Tag]) -> bool:
    try:
        return not parse_wheel_filename(filename)[3].isdisjoint(tags)
    except (InvalidWheelFilename, InvalidVersion):
        return False


def _version(text: str) -> str:
    try:
        return str(Version(text))
    except InvalidVersion:
        return text


def _release_of(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def pypi_wheel(name: str, version: str, sha256s: Iterable[str]) -> Wheel | None:
    """The wheel of `name==version` on PyPI whose sha256 is one of `sha256s`, or None."""
    wanted = {h.lower().removeprefix("sha256:") for h in sha256s}
    for file in _files(name):
        hashes = file.get("hashes")
        if not str(file.get("filename", "")).endswith(".whl") or not isinstance(hashes, dict):
            continue
        sha = str(hashes.get("sha256", "")).lower()
        if sha in wanted and str(file.get("url", "")).startswith(PYPI_FILES) and _is(file, name, version):
            size = file.get("size")
            return Wheel(str(file["url"]), sha, name, version, size if isinstance(size, int) else None)
    return None


def _is(file: dict[str, object], name: str, version: str) -> bool:
    """Whether the file is the wheel of exactly `name==version` (a lock may pair a digest with
    another release's name or version)."""
    try:
        found, release, _, _ = parse_wheel_filename(str(file["filename"]))
        return found == canonicalize_name(name) and release == Version(version)
    except (InvalidWheelFilename, InvalidVersion):
        return False
