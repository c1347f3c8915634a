"""Value classes that cost little to define: `Record` (a NamedTuple) and `dataclass`.

Python 3.11 writes and compiles source text for each NamedTuple and dataclass a module defines;
with ~80 of them, defining classes was a third of a one-file `pinbox check`. Both names here are,
to type checkers, exactly the standard ones, and cut only what the interpreter does at start-up.

`class Point(Record): x: int` is `typing.NamedTuple` to type checkers. At run time it is the
`collections.namedtuple` typing would make, with the body's methods, properties, docstring,
defaults and annotations, but the annotations are not evaluated: under `from __future__ import
annotations` typing compiles each one into a `ForwardRef`, ~100 us a record. Records cannot be
generic or inherit fields.

`@dataclass(frozen=True)` from here is `dataclasses.dataclass` to type checkers, which refuse any
assignment to a frozen instance's fields (`mypy --strict` checks all of pinbox in CI). At run time
the frozen guards are left out (the `__setattr__`/`__delattr__` they generate cost ~200 us a class)
and the instance is hashed by its fields, as a frozen one is; every class shares one `__repr__`
(what the generated one would say) instead of compiling its own. For values that need an instance
`__dict__` (`cached_property`), a weak reference or a mutable default; the rest are Records.
"""

from __future__ import annotations

import collections
import dataclasses
import reprlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataclasses import dataclass
    from typing import NamedTuple as Record
else:

    def dataclass(cls=None, /, *, frozen=False, eq=True, repr=True, **options):
        """`dataclasses.dataclass`, with `frozen` checked statically only and one shared `__repr__`."""

        def make(cls):
            cls = dataclasses.dataclass(eq=eq, unsafe_hash=frozen and eq, repr=False, **options)(cls)
            if repr and "__repr__" not in cls.__dict__:
                cls.__repr__ = _repr
            return cls

        return make if cls is None else make(cls)

    @reprlib.recursive_repr()
    def _repr(self):
        """What dataclasses' generated `__repr__` says, from one function for every class."""
        shown = (f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
        return f"{type(self).__qualname__}({', '.join(shown)})"

    # What the class statement leaves in its namespace that is not the record's to keep.
    _SPECIAL = frozenset({"__module__", "__annotations__", "__orig_bases__"})
    # What namedtuple defines and a record's body must not replace (typing refuses the same).
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults"}
        | {"_make", "_replace", "_asdict", "_source"}
    )

    class _RecordMeta(type):
        def __new__(cls, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
            if bases != (Record,):
                raise TypeError("a Record inherits from Record alone")
            annotations: dict[str, Any] = ns.get("__annotations__", {})
            with_default = [name for name in annotations if name in ns]
            if with_default != list(annotations)[len(annotations) - len(with_default) :]:
                raise TypeError(f"{typename}: a field without a default follows one with a default")
            record = collections.namedtuple(
                typename,
                list(annotations),
                defaults=[ns[name] for name in with_default],
                module=ns["__module__"],
            )
            record.__annotations__ = annotations
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"{typename}: cannot overwrite the record's {key}")
                if key not in _SPECIAL and key not in annotations:
                    setattr(record, key, value)
            return record

    Record = type.__new__(_RecordMeta, "Record", (), {"__module__": __name__})

__all__ = ["Record", "dataclass"]
