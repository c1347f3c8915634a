"""The wheel a requirements-format lock pins, found on PyPI by its sha256.

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

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from pinbox.errors import PinboxError
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


def pypi_wheel(name: str, version: str, sha256s: Iterable[str]) -> Wheel | None:
    """The wheel of `name==version` on PyPI whose sha256 is one of `sha256s`, or None."""
    wanted = {h.lower().removeprefix("sha256:") for h in sha256s}
    if not _NAME.fullmatch(normalize(name)):
        return None  # not a distribution name: nothing of it is on PyPI
    url = SIMPLE.format(name=normalize(name))
    body = fetch(url, {"Accept": ACCEPT}, MAX_BYTES)
    try:
        files = json.loads(body).get("files", [])
    except (ValueError, AttributeError):
        raise PinboxError(f"PyPI answered for {name} with something that is not its file list") from None
    for file in files if isinstance(files, list) else ():
        if not isinstance(file, dict) or not str(file.get("filename", "")).endswith(".whl"):
            continue
        sha = str((file.get("hashes") or {}).get("sha256", "")).lower()
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
