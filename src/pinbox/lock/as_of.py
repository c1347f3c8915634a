"""Time-consistent resolution: a requirements file of old exact pins resolves its unpinned
packages as of the time those pins were current, not today.

Why: metadata allows what reality does not. `pandas==1.4.4` accepts numpy 2.x and `flask==2.2.2`
accepts werkzeug 3.x, and both fail at import. The releases that existed when the newest pinned
release came out are the ones its authors (and its users then) ran with.

`--as-of auto` (the default): when every top-level requirement is an exact pin (a pinned
requirements file, the tutorial's `pandas==2.0.3` style), the unpinned packages are exactly the
transitive ones, and the cut-off is the day after the newest pinned release was uploaded to PyPI.
The same pins always give the same cut-off, so a re-lock next year resolves as this one did;
fresh pins give a cut-off of about today. A file that leaves some top-level packages unpinned asks
for their newest releases, and gets no cut-off. `--as-of now` turns it off; `--as-of DATE` sets it. What
the user pinned never moves: each pinned package is exempt from the cut-off (uv's
`--exclude-newer-package`), so a wheel added to an old release later still counts. A package
with no wheel for the target before the cut-off (the pins predate the image's Python: markupsafe
had no CPython 3.11 wheel in August 2022) gets a cut-off of its own, the day after its first wheel
for the target, and the output and the header say so. Upload times come from PyPI (immutable,
cached); another index, or none reachable, means no cut-off, said once.
"""

from __future__ import annotations

import contextlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags

from pinbox.errors import PinboxError
from pinbox.names import normalize
from pinbox.record import dataclass
from pinbox.target import Platform

NO_LIMIT = "2999-12-31"  # uv's per-package exclude-newer for what the user pinned
# Build backends an --allow-sdist build needs: their releases of the time may not build today's
# packaging metadata (a 2015 setuptools cannot satisfy `setuptools>=40.8.0`), so they are exempt.
BUILD_TOOLS = (
    "setuptools", "wheel", "hatchling", "flit-core", "poetry-core", "pdm-backend", "setuptools-scm",
    "scikit-build-core", "cython", "maturin", "meson-python", "packaging",
)  # fmt: skip
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class AsOf:
    date: str | None = None  # the cut-off (uv's --exclude-newer), None: resolve as today
    why: str = ""  # for the output and the lock's header
    pinned: tuple[str, ...] = ()  # exempt from the cut-off
    note: str | None = None  # why auto found no cut-off, when that is worth saying
    later: tuple[tuple[str, str], ...] = ()  # (package, its own cut-off): no wheel before the cut-off
    builds: bool = False  # --allow-sdist: the build backends are exempt too

    @property
    def exempt(self) -> tuple[str, ...]:
        """uv's `--exclude-newer-package NAME=DATE` values."""
        if not self.date:
            return ()
        free = [*self.pinned, *(t for t in BUILD_TOOLS if self.builds and t not in self.pinned)]
        return (*(f"{name}={NO_LIMIT}" for name in free), *(f"{n}={d}" for n, d in self.later))

    @property
    def said(self) -> str:
        """For the output and the lock's header."""
        later = "".join(f"; {n} as of {d} (its first wheel for the target)" for n, d in self.later)
        return f"{self.date} ({self.why}{later})"


def check_choice(value: str) -> str:
    """`auto`, `now` or a date (YYYY-MM-DD), else a usage error."""
    if value in ("auto", "now"):
        return value
    if _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise PinboxError(f"--as-of {value!r}: expected auto, now or a date (YYYY-MM-DD)")


def _parsed(requirements: tuple[str, ...]) -> list[Requirement]:
    found = []
    for text in requirements:
        with contextlib.suppress(InvalidRequirement):  # uv names it; not this module's to judge
            found.append(Requirement(text))
    return found


def exact_pins(requirements: tuple[str, ...]) -> dict[str, str]:
    """name -> version of the top-level requirements pinned with `==` to one version."""
    pins: dict[str, str] = {}
    for req in _parsed(requirements):
        specs = list(req.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
            pins[str(normalize(req.name))] = specs[0].version
    return pins


def infer(choice: str, requirements: tuple[str, ...], index_options: tuple[str, ...]) -> AsOf:
    """The cut-off for these inputs (see the module's doc)."""
    pins = exact_pins(requirements)
    if choice == "now":
        return AsOf()
    if choice != "auto":
        return AsOf(choice, f"--as-of {choice}", tuple(pins))
    if not pins or len(pins) < len({str(normalize(r.name)) for r in _parsed(requirements)}):
        return AsOf()  # some top-level package asks for its newest release
    from pinbox.inventory.pypi import is_pypi

    urls = [o.split(None, 1)[1] for o in index_options if o.startswith("--index-url ") and " " in o]
    if any(not is_pypi(u) for u in urls) or any(o.startswith("--no-index") for o in index_options):
        return AsOf(
            note="--as-of auto: the pins' upload dates come from PyPI, and this lock uses another index"
        )
    from pinbox.inventory.pypi import release_time

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            times = dict(zip(pins, pool.map(lambda item: release_time(*item), pins.items()), strict=True))
    except PinboxError as exc:
        return AsOf(note=f"--as-of auto: cannot read the pins' upload dates from PyPI ({exc.message})")
    known = {name: when for name, when in times.items() if when}
    if not known:
        return AsOf()
    newest = max(known, key=lambda name: known[name])
    uploaded = datetime.fromisoformat(known[newest].replace("Z", "+00:00")).astimezone(timezone.utc).date()
    cutoff = (uploaded + timedelta(days=1)).isoformat()
    why = f"newest pinned release is {newest} {pins[newest]} ({uploaded.isoformat()})"
    return AsOf(cutoff, why, tuple(pins))


def later_for(as_of: AsOf, package: str, python: str, platforms: tuple[Platform, ...]) -> AsOf | None:
    """`as_of` with a cut-off of its own for `package`, which has no wheel for the target before
    the cut-off: the day after its first wheel for every platform; None when there is none."""
    from pinbox.inventory.pypi import first_wheel_after

    if not as_of.date or package in as_of.pinned or any(n == package for n, _ in as_of.later):
        return None
    firsts = [first_wheel_after(package, as_of.date, supported_tags(python, p)) for p in platforms]
    if not all(firsts):
        return None
    day = datetime.fromisoformat(max(f for f in firsts if f).replace("Z", "+00:00")).date()
    return replace(as_of, later=(*as_of.later, (package, (day + timedelta(days=1)).isoformat())))


def supported_tags(python: str, platform: Platform) -> frozenset[Tag]:
    """The wheel tags CPython `python` installs on `platform` (manylinux down to 2_5, or musllinux)."""
    version = tuple(int(part) for part in python.split(".")[:2])
    if platform.libc == "musl":
        plats = [f"musllinux_1_{minor}_{platform.arch}" for minor in (2, 1, 0)]
    else:
        major, minor = platform.glibc
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
        plats = [f"manylinux_{major}_{m}_{platform.arch}" for m in range(minor, 4, -1)]
        plats += [f"{name}_{platform.arch}" for m, name in legacy.items() if m <= minor]
    return frozenset([*cpython_tags(version, platforms=plats), *compatible_tags(version, platforms=plats)])
