"""pinbox.record: Record is typing.NamedTuple and dataclass is dataclasses.dataclass, made cheaper."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from dataclasses import dataclass as std_dataclass
from dataclasses import field, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import pytest

from pinbox.record import Record, dataclass


class Typed(NamedTuple):  # what typing makes of the same fields (methods are plain attributes)
    x: int
    label: str | None
    tags: tuple[str, ...] = ()
    weight: float = 1.0


class Cheap(Record):
    """A point."""

    x: int
    label: str | None
    tags: tuple[str, ...] = ()
    weight: float = 1.0

    @property
    def twice(self) -> int:
        return 2 * self.x

    def moved(self, by: int) -> Cheap:
        return self._replace(x=self.x + by)

    @classmethod
    def origin(cls) -> Cheap:
        return cls(0, None)

    LIMIT = 10


def test_a_record_behaves_as_the_typing_namedtuple() -> None:
    typed, cheap = Typed(3, "a", ("t",), 1.0), Cheap(3, "a", ("t",))
    assert isinstance(cheap, tuple)
    assert tuple(cheap) == tuple(typed) == (3, "a", ("t",), 1.0)
    assert Cheap._fields == Typed._fields
    assert Cheap._field_defaults == Typed._field_defaults == {"tags": (), "weight": 1.0}
    assert Cheap.__doc__ == "A point."
    assert (cheap.twice, cheap.moved(2).x, Cheap.origin(), Cheap.LIMIT) == (6, 5, Cheap(0, None), 10)
    assert type(cheap.moved(1)) is Cheap
    assert repr(cheap) == repr(typed).replace("Typed", "Cheap")
    assert cheap._asdict() == typed._asdict()
    assert hash(cheap) == hash(tuple(typed))
    assert Cheap.__module__ == __name__ and Cheap.__qualname__ == "Cheap"
    assert pickle.loads(pickle.dumps(cheap)) == cheap
    assert list(Cheap.__annotations__) == ["x", "label", "tags", "weight"]
    assert Cheap.__annotations__["label"] == "str | None"  # kept as written, never evaluated
    with pytest.raises(AttributeError):
        cheap.x = 4  # type: ignore[misc]


def test_a_record_has_no_instance_dict() -> None:
    assert not hasattr(Cheap(1, None), "__dict__")


def test_a_field_without_default_after_one_with_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default follows"):

        class Bad(Record):  # type: ignore[misc]
            a: int = 0
            b: int


def test_a_record_cannot_replace_what_namedtuple_defines() -> None:
    with pytest.raises(AttributeError, match="_replace"):

        class Bad(Record):
            a: int

            def _replace(self, **kwargs: object) -> Bad:  # type: ignore[override]
                return self


def test_a_record_inherits_from_record_alone() -> None:
    with pytest.raises(TypeError, match="Record alone"):

        class Bad(Record, cached_property):  # type: ignore[misc]
            a: int


@std_dataclass(frozen=True)
class StdValue:
    name: str
    tags: tuple[str, ...] = ()
    hidden: int = field(default=0, repr=False)


@dataclass(frozen=True)
class Value:
    name: str
    tags: tuple[str, ...] = ()
    hidden: int = field(default=0, repr=False)

    @cached_property
    def shout(self) -> str:
        return self.name.upper()


@dataclass(frozen=True, eq=False)
class Identity:
    name: str


def test_a_frozen_dataclass_compares_hashes_and_shows_as_the_standard_one() -> None:
    std, value = StdValue("a", ("x",), 3), Value("a", ("x",), 3)
    assert repr(value) == repr(std).replace("StdValue", "Value") == "Value(name='a', tags=('x',))"
    assert value == Value("a", ("x",), 3) and value != Value("b")
    assert hash(value) == hash(Value("a", ("x",), 3))
    assert {value: 1}[Value("a", ("x",), 3)] == 1
    assert replace(value, name="b") == Value("b", ("x",), 3)
    assert value.shout == "A" and value.__dict__["shout"] == "A"  # cached_property has its __dict__


def test_eq_false_keeps_identity() -> None:
    one = Identity("a")
    assert one != Identity("a") and one == one
    assert hash(one) == object.__hash__(one)
    assert repr(one) == "Identity(name='a')"


def test_a_recursive_value_shows_without_recursing() -> None:
    @dataclass(eq=False)
    class Node:
        child: object = None

    node = Node()
    node.child = node
    assert repr(node).endswith("Node(child=...)")


def test_the_type_checker_refuses_assigning_a_frozen_field(tmp_path: Path) -> None:
    """Frozen is enforced statically (mypy --strict runs on pinbox in CI), so this must fail there."""
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from pinbox.record import dataclass\n"
        "@dataclass(frozen=True)\n"
        "class V:\n"
        "    name: str\n"
        "V('a').name = 'b'\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert 'Property "name" defined in "V" is read-only' in done.stdout


def test_pinbox_defines_its_values_through_pinbox_record() -> None:
    """A module that imports the standard ones again pays their start-up cost again."""
    standard = {("dataclasses", "dataclass"), ("typing", "NamedTuple")}
    source = Path(__file__).parents[1] / "src" / "pinbox"
    offenders = [
        f"{path.relative_to(source)}: {node.module}.{alias.name}"
        for path in sorted(source.rglob("*.py"))
        if path.name != "record.py"
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if (node.module, alias.name) in standard
    ]
    assert offenders == []
