"""Distribution names compared as PEP 503 says: runs of `-`, `_`, `.` are one `-`, case ignored;
and the distribution a pip argument names.

The same rule as `packaging.utils.canonicalize_name` (a test holds them equal), without importing
packaging's tag machinery at start-up: `pinbox check` on one Dockerfile needs only this.
"""

from __future__ import annotations

import re

_SEPARATORS = r"[-_.]+"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def normalize(name: str) -> str:
    """`Foo_Bar.baz` -> `foo-bar-baz`."""
    return re.sub(_SEPARATORS, "-", name).lower()


def package_name(word: str) -> str | None:
    """The distribution a package argument of pip names, normalised (`Flask[async]>=2` -> `flask`);
    None for a URL or what does not start like a name."""
    found = _NAME.match(word.strip("'\""))
    return normalize(found.group(0)) if found and "://" not in word else None
