"""The build state before each instruction: shared between instructions, not copied for each."""

from __future__ import annotations

import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from pinbox.dockerfile import parse_dockerfile
from pinbox.dockerfile.variables import Variables


def test_states_share_their_variables() -> None:
    count = 1500
    lines = "".join(f"ENV A{i}=${{A{i - 1}}}1\n" for i in range(1, count))  # each from the one before
    model = parse_dockerfile(f"FROM x\nENV A0=1\n{lines}RUN y\n")
    tracemalloc.start()
    try:
        states = model.states
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # a copy of every variable per ENV line: 30 MB
    last = states[model.instructions[-1]].variables
    assert len(last) == count and last["A3"] == "1111"


def test_variables_at_a_point_stay_as_they_were() -> None:
    start = Variables().then({"A": "1"})
    later = start.then({"B": "2"})
    branch = start.then({"A": None, "C": "3"})  # from an earlier point: a log of its own
    own = later.fork().then({"D": "4"})
    assert [v.as_dict() for v in (start, later, branch, own)] == [
        {"A": "1"},
        {"A": "1", "B": "2"},
        {"C": "3"},
        {"A": "1", "B": "2", "D": "4"},
    ]
    assert later.then({"E": "5"}).as_dict() == {"A": "1", "B": "2", "E": "5"}


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=20),  # which earlier point to continue from
            st.booleans(),  # fork first
            st.dictionaries(st.sampled_from("ABCD"), st.none() | st.sampled_from(["1", "2"]), max_size=3),
        ),
        max_size=25,
    )
)
def test_one_name_reads_as_the_whole_dict_says(steps: list[tuple[int, bool, dict[str, str | None]]]) -> None:
    points = [Variables()]
    for earlier, fork, changes in steps:
        start = points[earlier % len(points)]
        points.append((start.fork() if fork else start).then(changes))
    for point in points:
        whole = point.as_dict()
        assert {name: point.get(name) for name in "ABCD"} == {name: whole.get(name) for name in "ABCD"}
