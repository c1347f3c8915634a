"""Which requirements the smoke test imports again: those whose closure changed since it passed."""

from __future__ import annotations

import pytest

from pinbox.engine import smoke

NAMES = ["pandas", "scikit-learn", "flask"]
PINS = {"pandas": "2.0.3", "numpy": "1.25.2", "scikit-learn": "1.3.0", "flask": "3.0.3", "werkzeug": "3.0.1"}
ROOTS = {
    "pandas": {"pandas"},
    "numpy": {"pandas", "scikit-learn"},
    "scikit-learn": {"scikit-learn"},
    "flask": {"flask"},
    "werkzeug": {"flask"},
}


def test_everything_without_a_baseline() -> None:
    assert smoke.to_test(NAMES, PINS, ROOTS, None) == NAMES


@pytest.mark.parametrize(
    ("pins", "names", "expected"),
    [
        (PINS, NAMES, []),  # a code edit: nothing to import again
        ({**PINS, "werkzeug": "3.1.3"}, NAMES, ["flask"]),  # a transitive pin moved
        ({**PINS, "numpy": "1.26.4"}, NAMES, ["pandas", "scikit-learn"]),  # shared by two
        ({**PINS, "tqdm": "4.66.4"}, [*NAMES, "tqdm"], ["tqdm"]),  # a new requirement
        ({k: v for k, v in PINS.items() if k != "werkzeug"}, NAMES, ["flask"]),  # a pin gone
    ],
    ids=["unchanged", "moved", "shared", "added", "removed"],
)
def test_only_what_changed(pins: dict[str, str], names: list[str], expected: list[str]) -> None:
    baseline = smoke.Baseline(PINS, tuple(NAMES))
    roots = {**ROOTS, "tqdm": {"tqdm"}}
    assert smoke.to_test(names, pins, roots, baseline) == expected


def test_only_a_passing_test_becomes_the_baseline() -> None:
    key = smoke.baseline_key("basis")
    broken = smoke.Broken("Flask", "2.2.2", "flask", "ImportError: x", "Werkzeug", "3.1.3")
    smoke.remember(key, smoke.Smoke(("pandas",), (broken,)), PINS, NAMES)
    assert smoke.load_baseline(key) is None
    smoke.remember(key, smoke.Smoke(("pandas",), missing=("flask",)), PINS, NAMES)
    assert smoke.load_baseline(key) is None
    smoke.remember(key, smoke.Smoke(tuple(NAMES)), PINS, NAMES)
    assert smoke.load_baseline(key) == smoke.Baseline(PINS, tuple(NAMES))
    assert smoke.load_baseline(smoke.baseline_key("another basis")) is None


def test_the_floor_is_remembered_by_its_key() -> None:
    from pinbox.engine import images

    key = smoke.baseline_key("floor test")
    assert images.cached_floor(key) is None
    images.remember_floor(key, 450_500_000)
    assert images.cached_floor(key) == 450_500_000
