"""Variables as they were at one point of a Dockerfile or a RUN, shared instead of copied.

pinbox keeps the variables each instruction (ARG, ENV) and each command of a RUN (`export`,
`set -a`) sees. A copy per point is quadratic: 10,000 `ENV` lines held 1.3 GB, a RUN exporting a
variable per command 900 MB. Instead the changes of one walk go into one append-only log, and a
point is the log and how much of it had been written then: linear memory, and reading a point back
is a few C-level dict updates. A point that changes an earlier one (not the latest) starts a new
log that continues the earlier one from there.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import field
from itertools import islice
from typing import cast

from pinbox.record import dataclass


class _Log:
    """Changes in order, `(name, value)` with None for a removed name, after the first `at`
    changes of `before`. Only ever appended to."""

    __slots__ = ("at", "before", "changes", "positions")

    def __init__(self, before: _Log | None = None, at: int = 0) -> None:
        self.changes: list[tuple[str, str | None]] = []
        self.positions: dict[str, list[int]] = {}  # name -> where in `changes` it was set or removed
        self.before = before
        self.at = at

    def extend(self, changes: Mapping[str, str | None]) -> None:
        for name, value in changes.items():
            self.positions.setdefault(name, []).append(len(self.changes))
            self.changes.append((name, value))


@dataclass(frozen=True)
class Variables:
    """The variables at one point: the first `length` changes of `log` (and what it continues).

    Equal when they are the same point of the same log, which is cheap to hash."""

    log: _Log = field(default_factory=_Log)
    length: int = 0

    def then(self, changes: Mapping[str, str | None]) -> Variables:
        """The variables after `changes` (None removes a name); this point stays as it was."""
        if not changes:
            return self
        log = self.log
        if self.length != len(log.changes):  # a later point was taken from here already
            log = _Log(log, self.length)
        log.extend(changes)
        return Variables(log, len(log.changes))

    def fork(self) -> Variables:
        """This point in a log of its own (for a command's own prefix, a nested shell): what is
        added to it never makes the shared log branch."""
        return Variables(_Log(self.log, self.length), 0)

    def get(self, name: str) -> str | None:
        """The value of one name at this point (None: unset), without building the whole dict:
        rules ask for a few names at each of thousands of points."""
        log: _Log | None = self.log
        limit = self.length
        while log is not None:
            positions = log.positions.get(name, ())
            found = bisect.bisect_left(positions, limit)  # its changes before this point
            if found:
                return log.changes[positions[found - 1]][1]
            limit = log.at  # the earlier log, up to where this one continues it
            log = log.before
        return None

    def as_dict(self) -> dict[str, str]:
        """Name -> value at this point."""
        parts = [(self.log.changes, self.length)]
        log = self.log
        while log.before is not None:
            parts.append((log.before.changes, log.at))
            log = log.before
        merged: dict[str, str | None] = {}
        for changes, count in reversed(parts):
            merged.update(islice(changes, count))
        if None in merged.values():
            return {name: value for name, value in merged.items() if value is not None}
        return cast("dict[str, str]", merged)

    def __repr__(self) -> str:
        return f"Variables({self.as_dict()!r})"
