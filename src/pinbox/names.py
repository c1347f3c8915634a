"""Distribution names compared as PEP 503 says: runs of `-`, `_`, `.` are one `-`, case ignored.

The same rule as `packaging.utils.canonicalize_name` (a test holds them equal), without importing
packaging's tag machinery at start-up: `pinbox check` on one Dockerfile needs only this.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")


def normalize(name: str) -> str:
    """`Foo_Bar.baz` -> `foo-bar-baz`."""
    return _SEPARATORS.sub("-", name).lower()
