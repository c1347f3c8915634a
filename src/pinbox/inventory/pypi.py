"""The wheel a requirements-format lock pins, found on PyPI by its sha256.

A requirements lock names `name==version --hash=sha256:...` but no URL; PyPI's JSON simple API
(PEP 691) lists each file of a project with its sha256. Only pypi.org is asked, never an index a
lock names: `pinbox check` runs on strangers' pull requests, and a lock must not make it fetch
from arbitrary hosts. Bounded: one request per project, the answer capped at `MAX_BYTES`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from pinbox.errors import PinboxError
from pinbox.inventory.entry_points import Wheel
from pinbox.inventory.remote_file import _get, _read
from pinbox.names import normalize

SIMPLE = "https://pypi.org/simple/{name}/"
PYPI_FILES = "https://files.pythonhosted.org/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")  # a normalised PEP 508 name
MAX_BYTES = 16 * 1024 * 1024  # torch's page is ~2 MB


def pypi_wheel(name: str, version: str, sha256s: Iterable[str]) -> Wheel | None:
    """The wheel of `name==version` on PyPI whose sha256 is one of `sha256s`, or None."""
    wanted = {h.lower().removeprefix("sha256:") for h in sha256s}
    if not _NAME.fullmatch(normalize(name)):
        return None  # not a distribution name: nothing of it is on PyPI
    url = SIMPLE.format(name=normalize(name))
    with _get(url, {"Accept": ACCEPT}) as response:
        body = _read(response, MAX_BYTES + 1, url)
    if len(body) > MAX_BYTES:
        raise PinboxError(f"PyPI's page of {name} is larger than {MAX_BYTES // 2**20} MiB")
    try:
        files = json.loads(body).get("files", [])
    except (ValueError, AttributeError):
        raise PinboxError(f"PyPI answered for {name} with something that is not its file list") from None
    for file in files if isinstance(files, list) else ():
        if not isinstance(file, dict) or not str(file.get("filename", "")).endswith(".whl"):
            continue
        sha = str((file.get("hashes") or {}).get("sha256", "")).lower()
        if sha in wanted and str(file.get("url", "")).startswith(PYPI_FILES):
            size = file.get("size")
            return Wheel(str(file["url"]), sha, name, version, size if isinstance(size, int) else None)
    return None
