"""The smoke test `pinbox build` runs on the image it built: import the top-level modules of every
top-level requirement in a container of the new image (no network), and name what breaks.

The modules come from the installed distributions' own metadata in the image (`top_level.txt`,
else their files), never from a guess at the name. A failing import is blamed on the
distribution its error points into: one named in the message (`numpy.dtype size changed`,
`cannot import name 'url_quote' from 'werkzeug.urls'`), else the deepest frame of another
distribution in the traceback.
"""

from __future__ import annotations

import hashlib
import json
import subprocess

from pinbox.engine.docker import DockerClient
from pinbox.errors import PinboxError
from pinbox.inventory import cache
from pinbox.record import dataclass

TIMEOUT = 600  # seconds for all the imports together
FORMAT = 1  # of the test and its cache entries: a new test never trusts an old answer

_SCRIPT = r"""
import importlib, importlib.util, json, os, re, sys, traceback
try:
    import importlib.metadata as md
except ImportError:
    print(json.dumps({"skipped": "the image's Python has no importlib.metadata (3.8 or newer)"}))
    sys.exit(0)
asked = json.loads(sys.argv[1])
floor = None
if asked["floor"] is not None:  # before any import writes bytecode: what the install left
    wanted, seen = set(asked["floor"]), set()
    for dist in md.distributions():
        if re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower() in wanted:
            for f in dist.files or ():
                p = str(dist.locate_file(f))
                seen.add(p)
                if p.endswith(".py"):
                    seen.add(importlib.util.cache_from_source(p))
    floor = sum(os.path.getsize(p) for p in seen if os.path.isfile(p) and not os.path.islink(p))
owners = md.packages_distributions() if hasattr(md, "packages_distributions") else {}
def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()
def modules(dist):
    text = dist.read_text("top_level.txt") or ""
    found = text.split()
    if not found:
        for f in dist.files or ():
            if len(f.parts) == 1 and f.parts[0].endswith(".py"):
                found.append(f.parts[0][:-3])
            elif len(f.parts) > 1 and f.parts[1] == "__init__.py":
                found.append(f.parts[0])
    skip = ("test", "tests")
    return sorted({m for m in found if m.isidentifier() and not m.startswith("_") and m not in skip})
def blamed(own, exc):
    text = str(exc)
    named = [d for top, ds in owners.items() for d in ds if re.search(r"\b%s\b" % re.escape(top), text)]
    frames = []
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = frame.filename.replace(os.sep, "/")
        if "/site-packages/" in path:
            top = path.split("/site-packages/", 1)[1].split("/")[0]
            frames += owners.get(top[:-3] if top.endswith(".py") else top, [])
    for name in named + frames:
        if norm(name) != own:
            return name
    return None
out = {"imported": [], "broken": [], "missing": [], "floor": floor}
answer = os.dup(1)  # what a package prints on import goes nowhere: the answer is one line
quiet = os.open(os.devnull, os.O_WRONLY)
os.dup2(quiet, 1)
os.dup2(quiet, 2)
for name in asked["imports"]:
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        out["missing"].append(name)
        continue
    own = norm(dist.metadata["Name"])
    for module in modules(dist):
        try:
            importlib.import_module(module)
        except BaseException as exc:
            other = blamed(own, exc)
            out["broken"].append({
                "requirement": dist.metadata["Name"], "version": dist.version, "module": module,
                "error": ("%s: %s" % (type(exc).__name__, exc))[:400],
                "blamed": other, "blamed_version": md.version(other) if other else None,
            })
            break
    else:
        out["imported"].append(name)
sys.stdout.flush()
os.write(answer, (json.dumps(out) + "\n").encode())
"""


@dataclass(frozen=True)
class Broken:
    requirement: str
    version: str
    module: str
    error: str
    blamed: str | None
    blamed_version: str | None

    def line(self) -> str:
        said = f"`import {self.module}` ({self.requirement} {self.version}) raised {self.error}"
        if self.blamed:
            said += f"; it points into {self.blamed} {self.blamed_version}"
        return said


@dataclass(frozen=True)
class Smoke:
    imported: tuple[str, ...] = ()
    broken: tuple[Broken, ...] = ()
    missing: tuple[str, ...] = ()
    skipped: str | None = None
    unchanged: tuple[str, ...] = ()  # not imported again: their closure is the one that passed
    floor: int | None = None  # bytes the locked distributions installed, when asked


def smoke_test(client: DockerClient, ref: str, names: list[str], floor: list[str] | None = None) -> Smoke:
    """Import every name's modules in a container of `ref` (network off; the image's own user);
    with `floor`, also measure the bytes those distributions installed (their RECORDs and the
    bytecode of their modules), before any import, in the same container. What the imports print
    is discarded inside the container, so the answer read back is one bounded line."""
    if not names and floor is None:
        return Smoke(skipped="no top-level requirements")
    asked = json.dumps({"imports": names, "floor": sorted(floor) if floor is not None else None})
    args = ["run", "--rm", "--network", "none", "--entrypoint", "python", ref, "-c", _SCRIPT, asked]
    try:
        done = subprocess.run(
            client.command(*args), env=client.environ(), capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise PinboxError(f"the smoke test of {ref} did not finish in {TIMEOUT} s") from None
    try:
        data = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (ValueError, IndexError):
        data = None
    if not isinstance(data, dict):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return Smoke(skipped=f"python did not run in the image ({' '.join(tail)[:200] or 'no output'})")
    if "skipped" in data:
        return Smoke(skipped=str(data["skipped"]))
    measured = data.get("floor")
    return Smoke(
        tuple(data["imported"]),
        tuple(Broken(**b) for b in data["broken"]),
        tuple(data["missing"]),
        floor=measured if isinstance(measured, int) else None,
    )


@dataclass(frozen=True)
class Baseline:
    """The last smoke test that passed for an image's dependencies: the pins it had, the names."""

    pins: dict[str, str]
    imported: tuple[str, ...]


def baseline_key(basis: str) -> str:
    """`basis`: what the dependencies are made of besides the lock (for a Dockerfile pinbox
    generated: the base image's ID and the text up to the last dependency layer), else the image's
    ID: a code edit changes neither."""
    return hashlib.sha256(json.dumps([FORMAT, basis]).encode()).hexdigest()


def load_baseline(key: str) -> Baseline | None:
    known = cache.load_json(cache.smoke_dir(), key)
    pins, imported = (known.get("pins"), known.get("imported")) if known else (None, None)
    if not isinstance(pins, dict) or not isinstance(imported, list):
        return None
    return Baseline({str(k): str(v) for k, v in pins.items()}, tuple(str(n) for n in imported))


def to_test(
    names: list[str], pins: dict[str, str], roots: dict[str, set[str]], baseline: Baseline | None
) -> list[str]:
    """The names whose closure changed since the baseline (every name without one): a name not
    tested then, or one that pulled in a pin added, removed or moved since."""
    if baseline is None:
        return names
    changed = {n for n in pins.keys() | baseline.pins.keys() if pins.get(n) != baseline.pins.get(n)}
    affected = {root for name in changed for root in roots.get(name, {name})}
    return [n for n in names if n not in baseline.imported or n in affected]


def remember(key: str, smoke: Smoke, pins: dict[str, str], names: list[str]) -> None:
    """A test that passed with nothing missing becomes the baseline."""
    if not smoke.broken and not smoke.missing and not smoke.skipped:
        cache.store_json(cache.smoke_dir(), key, {"pins": pins, "imported": names})


def failure(smoke: Smoke, ref: str, source: str) -> PinboxError:
    """The error for imports that fail: one line each, and the way out."""
    first = smoke.broken[0]
    pair = (
        f"pin {first.blamed} to a release {first.requirement} {first.version} works with (an older one) "
        f"in {source}, or upgrade {first.requirement}; then `pinbox lock`"
        if first.blamed
        else f"see the error above; fix the requirement in {source} and `pinbox lock`"
    )
    return PinboxError(
        f"the image {ref} is built, but its smoke test failed:\n"
        + "\n".join(f"  {b.line()}" for b in smoke.broken),
        exit_code=1,
        hint=f"{pair} (`pinbox build --no-smoke` skips this test)",
    )
