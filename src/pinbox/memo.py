"""Remember what a function computed from an object, for as long as that object lives.

Rules ask for the same derived facts again and again (a lock's packages per pin, a RUN's cache
purges per install); the objects they come from are frozen but not cheaply hashable (they hold
dicts, or long tuples that would be hashed on every call). So the key is the object's identity,
dropped when the object goes (an id may then be reused by another object).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def per_object(fn: Callable[[T], R]) -> Callable[[T], R]:
    """`fn(obj)`, computed once per live object."""
    found: dict[int, R] = {}

    @functools.wraps(fn)
    def cached(obj: T) -> R:
        key = id(obj)
        if key not in found:
            found[key] = fn(obj)
            weakref.finalize(obj, found.pop, key, None)
        return found[key]

    return cached
