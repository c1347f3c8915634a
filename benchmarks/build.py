"""Benchmark image builds of examples/iris-app: a naive Dockerfile, the tutorial's, and pinbox's.

Usage: python benchmarks/build.py [--rounds N] [--json FILE]

Method
  * Variants, each built in its own scratch copy of examples/iris-app (never the example itself):
    naive (`COPY . .` then `pip install -r requirements.txt`), tutorial (the example's own
    Dockerfile: requirements first, `--no-cache-dir`) and pinbox (`pinbox lock`, `pinbox init
    --force`, `pinbox build -t TAG --json`, its smoke test included). naive and tutorial build
    with `DOCKER_BUILDKIT=1 /usr/bin/docker build --network host --progress plain`; pinbox build
    with the default network and PINBOX_DOCKER=/usr/bin/docker.
  * pinbox's bytecode is compiled first, as an installed wheel has it (see check.py).
  * Every scratch copy gets `# bench <nonce>` appended to requirements.txt, so no round (nor the
    warm-up) can reuse another's layers: the same tqdm line would otherwise hit round 1's cache.
  * Warm-up: one untimed build of each variant first (base image, network, page cache warm).
  * Scenarios per variant and round, in this order: cold; no change; code edit (a unique comment
    appended to train.py); add dependency (`tqdm==4.66.4` appended to requirements.txt; pinbox
    then runs `pinbox lock`, timed as part of the scenario, before `pinbox build`).
  * Cold: `--no-cache` for naive and tutorial. pinbox build has no --no-cache, so the generated
    Dockerfile gets `ENV PINBOX_BENCH_NONCE=<nonce>` after every FROM (both stages rebuild) and
    every `--mount=type=cache` gets `id=pinbox-bench-<nonce><target>`, so uv's and pip's
    download caches start empty too. The edit stays for the round: removing it would let later
    rounds reuse round 1's tqdm layer. It adds one empty ENV layer and nothing else. (An ENV is
    in the cache key of every later RUN, not of a COPY: the first COPY, of a 0.2 kB fragment, may
    still show as cached.)
  * Time: wall clock of the whole command, median over rounds; for pinbox also the build seconds
    from its JSON. Variant order rotates per round. The engine is shared: expect noise. Steps:
    cached/all as BuildKit reports them (pinbox counts its FROM steps, docker's log does not).
  * Size: `docker image inspect` of the cold build; "over base" subtracts python:3.11-slim.
    Dependency layers: layers made by `pip install` or `COPY /opt/layers/` (docker history).
    Floor: bytes on disk of every file in the RECORDs of the locked distributions (the names in
    the pinbox scratch copy's requirements.lock) plus the bytecode compiled for their modules (pip
    lists .pyc in RECORD, `uv --compile-bytecode` does not), read by `docker run --rm --network none IMAGE
    python -c ...`, pinbox's own method, for all three images.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iris-app"
DOCKER = "/usr/bin/docker"
BASE = "python:3.11-slim"
PINBOX = str(Path(sys.executable).parent / "pinbox")
ENV = {**os.environ, "DOCKER_BUILDKIT": "1", "PINBOX_DOCKER": DOCKER, "NO_COLOR": "1"}
VARIANTS = ("naive", "tutorial", "pinbox")
SCENARIOS = ("cold", "no change", "code edit", "add dep")
NAIVE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
NAIVE += 'CMD ["python","train.py"]\n'
BYTES = ("size", "dependency_bytes", "installed_bytes")  # in pinbox build --json
DEP_LAYER = re.compile(r"pip install|COPY /opt/layers/")
DISTS = """
import importlib.metadata as m, importlib.util as u, json, os
out = {}
for d in m.distributions():
    name = (d.metadata["Name"] or "").lower().replace("_", "-").replace(".", "-")
    paths = {str(d.locate_file(f)) for f in d.files or ()}
    paths |= {u.cache_from_source(p) for p in paths if p.endswith(".py")}
    sizes = [(p, os.path.getsize(p)) for p in paths if os.path.isfile(p) and not os.path.islink(p)]
    out[name] = [d.version, sum(s for _, s in sizes), sum(s for p, s in sizes if p.endswith(".pyc"))]
print(json.dumps(out))
"""


TAGS: list[str] = []


def run(argv: list[str], cwd: Path | None = None) -> tuple[float, str, str]:
    """Wall seconds, stdout and stderr of `argv`; exits with its output if it fails."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise SystemExit(f"failed (exit {proc.returncode}): {' '.join(argv)}\n  in {cwd}\n{tail}")
    return seconds, proc.stdout, proc.stderr


def nonce() -> str:
    return uuid.uuid4().hex[:12]


def new_tag(variant: str) -> str:
    TAGS.append(f"pinbox-bench-{variant}-{nonce()}:latest")
    return TAGS[-1]


def prepare(variant: str, folder: Path) -> Path:
    """A scratch copy of the example, set up for `variant`, with a requirements.txt no other run has."""
    app = folder / "iris-app"
    shutil.copytree(EXAMPLE, app)
    with (app / "requirements.txt").open("a") as f:
        f.write(f"# bench {nonce()}\n")
    if variant == "naive":
        (app / "Dockerfile").write_text(NAIVE)
    elif variant == "pinbox":
        run([PINBOX, "lock"], app)
        run([PINBOX, "init", "--force"], app)
    return app


def make_cold(app: Path) -> None:
    """Invalidate every step of pinbox's Dockerfile and give its cache mounts fresh, empty ids."""
    key, path = nonce(), app / "Dockerfile"
    text = re.sub(r"^(FROM .*)$", rf"\1\nENV PINBOX_BENCH_NONCE={key}", path.read_text(), flags=re.MULTILINE)
    mount = r"--mount=type=cache,target=(\S+)"
    path.write_text(
        re.sub(mount, lambda m: f"--mount=type=cache,id=pinbox-bench-{key}{m[1]},target={m[1]}", text)
    )


@dataclass
class Build:
    variant: str
    scenario: str
    round: int
    seconds: float
    steps: int
    cached: int
    json_seconds: float | None = None
    lock_seconds: float | None = None
    rebuilt: list[str] = field(default_factory=list)  # pinbox's steps not cached


def remember(tag: str) -> None:
    """Keep the image's ID for cleanup: a rebuild under the same tag leaves the old image untagged."""
    found = subprocess.run(
        [DOCKER, "image", "inspect", "-f", "{{.Id}}", tag], env=ENV, capture_output=True, text=True
    )
    if found.returncode == 0:
        TAGS.append(found.stdout.strip())


def build(variant: str, scenario: str, rnd: int, app: Path, tag: str) -> tuple[Build, dict[str, object]]:
    """Build `app` once; pinbox's summary JSON (empty for the others) comes back too."""
    try:
        return _build(variant, scenario, rnd, app, tag)
    finally:
        remember(tag)


def _build(variant: str, scenario: str, rnd: int, app: Path, tag: str) -> tuple[Build, dict[str, object]]:
    if variant == "pinbox":
        seconds, out, _ = run([PINBOX, "build", "-t", tag, "--json"], app)
        summary = json.loads(out)
        done = Build(variant, scenario, rnd, seconds, int(summary["steps"]), len(summary["cached"]))
        done.json_seconds, done.rebuilt = float(summary["seconds"]), [str(s) for s, _ in summary["rebuilt"]]
        return done, summary
    flags = ["--no-cache"] if scenario == "cold" else []
    argv = [DOCKER, "build", "--network", "host", "--progress", "plain", *flags, "-t", tag, str(app)]
    seconds, out, err = run(argv)
    ids = set(re.findall(r"^#(\d+) \[[^\]]*\d+/\d+\]", out + err, re.MULTILINE))
    hits = set(re.findall(r"^#(\d+) CACHED", out + err, re.MULTILINE)) & ids
    return Build(variant, scenario, rnd, seconds, len(ids), len(hits)), {}


@dataclass
class Size:
    variant: str
    image: int
    deps: int
    floor: int
    pyc: int
    dists: dict[str, tuple[str, int, int]] = field(default_factory=dict)


def dists(ref: str) -> dict[str, tuple[str, int, int]]:
    """name -> (version, bytes of the files its RECORD lists, of which .pyc) for each distribution."""
    argv = [DOCKER, "run", "--rm", "--network", "none", "--entrypoint", "python", ref, "-c", DISTS]
    return {name: (str(v), int(b), int(c)) for name, (v, b, c) in json.loads(run(argv)[1]).items()}


def measure_size(variant: str, ref: str, locked: dict[str, str]) -> Size:
    image = int(run([DOCKER, "image", "inspect", "-f", "{{.Size}}", ref])[1])
    history = run(
        [DOCKER, "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", ref]
    )[1]
    rows = [line.split("\t", 1) for line in history.splitlines() if "\t" in line]
    deps = sum(int(size) for size, created in rows if DEP_LAYER.search(created))
    found = dists(ref)
    mine = [found[n] for n in locked if n in found]
    floor, pyc = sum(d[1] for d in mine), sum(d[2] for d in mine)
    return Size(variant, image, deps, floor, pyc, found)


def one_round(variant: str, rnd: int, folder: Path, locked: dict[str, str]) -> tuple[list[Build], Size]:
    app = prepare(variant, folder)
    tag = new_tag(variant)
    if variant == "pinbox":
        make_cold(app)
    cold, summary = build(variant, "cold", rnd, app, tag)
    size = measure_size(variant, tag, locked)
    theirs, ours = tuple(summary.get(k) for k in BYTES), (size.image, size.deps, size.floor)
    if summary and theirs != ours:
        print(f"  note: pinbox's JSON says size, deps, floor = {theirs}; measured here {ours}")
    builds = [cold, build(variant, "no change", rnd, app, tag)[0]]
    with (app / "train.py").open("a") as f:
        f.write(f"# bench edit {nonce()}\n")
    builds.append(build(variant, "code edit", rnd, app, tag)[0])
    with (app / "requirements.txt").open("a") as f:
        f.write("tqdm==4.66.4\n")
    lock_s = run([PINBOX, "lock"], app)[0] if variant == "pinbox" else 0.0
    added = build(variant, "add dep", rnd, app, tag)[0]
    added.seconds += lock_s
    added.lock_seconds = lock_s if variant == "pinbox" else None
    return [*builds, added], size


def locked_names() -> dict[str, str]:
    """Normalized name -> version in a fresh lock of the example: the floor's distributions."""
    with tempfile.TemporaryDirectory(prefix="pinbox-bench-") as tmp:
        lock = (prepare("pinbox", Path(tmp)) / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", lock, re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", n).lower(): v for n, v in pins}


def run_all(rounds: int, locked: dict[str, str]) -> tuple[list[Build], list[Size]]:
    for variant in VARIANTS:  # warm-up: untimed, its own scratch copy and tag
        with tempfile.TemporaryDirectory(prefix="pinbox-bench-") as tmp:
            build(variant, "warm-up", 0, prepare(variant, Path(tmp)), new_tag(variant))
    builds: list[Build] = []
    sizes: list[Size] = []
    for rnd in range(1, rounds + 1):
        shift = (rnd - 1) % len(VARIANTS)
        for variant in VARIANTS[shift:] + VARIANTS[:shift]:
            with tempfile.TemporaryDirectory(prefix="pinbox-bench-") as tmp:
                done, size = one_round(variant, rnd, Path(tmp), locked)
            builds += done
            sizes.append(size)
            times = "  ".join(f"{b.scenario} {b.seconds:.2f}s" for b in done)
            print(f"  round {rnd} {variant:<8} {times}", flush=True)
    return builds, sizes


def median(builds: list[Build], variant: str, scenario: str, attr: str = "seconds") -> float:
    values = [getattr(b, attr) for b in builds if (b.variant, b.scenario) == (variant, scenario)]
    return float(statistics.median(values))


def report(builds: list[Build], sizes: list[Size], base: int) -> None:
    n = len({b.round for b in builds})
    print(
        f"\nBuild time (s), median of {n}; cached/all steps of the first round; pinbox: wall (JSON build s)"
    )
    print(f"{'scenario':<11}{'naive':>13}{'tutorial':>13}{'pinbox':>22}{'pinbox/tutorial':>17}")
    for s in SCENARIOS:
        cells = []
        for v in VARIANTS:
            cached = next(f"{b.cached}/{b.steps}" for b in builds if (b.variant, b.scenario) == (v, s))
            extra = f" ({median(builds, v, s, 'json_seconds'):.2f})" if v == "pinbox" else ""
            cells.append(f"{median(builds, v, s):.2f}{extra} {cached:>5}")
        ratio = median(builds, "pinbox", s) / median(builds, "tutorial", s)
        print(f"{s:<11}{cells[0]:>13}{cells[1]:>13}{cells[2]:>22}{ratio:>16.2f}x")
    lock = median(builds, "pinbox", "add dep", "lock_seconds")
    print(f"  pinbox's add dep = `pinbox lock` ({lock:.2f} s) + `pinbox build`")
    print(f"\nSizes (MB) of the cold build; base {BASE} = {base / 1e6:.1f} MB; ratios against tutorial")
    head = ("image", "over base", "deps layers", "floor", "of it .pyc", "deps/floor", "image/tut", "over/tut")
    print(f"{'variant':<10}" + "".join(f"{h:>12}" for h in head))
    by = {s.variant: s for s in sizes}  # the last round's; sizes do not change between rounds
    p, t = "pinbox", "tutorial"
    tut = by[t]
    for v in VARIANTS:
        z = by[v]
        mb = [f"{x / 1e6:.1f}" for x in (z.image, z.image - base, z.deps, z.floor, z.pyc)]
        ratios = (z.deps / z.floor, z.image / tut.image, (z.image - base) / (tut.image - base))
        print(f"{v:<10}" + "".join(f"{x:>12}" for x in (*mb, *(f"{r:.3f}x" for r in ratios))))
    (pn, _), (pe, te), (pa, ta), (pc, tc) = (
        [median(builds, v, s) for v in (p, t)] for s in ("no change", "code edit", "add dep", "cold")
    )
    pin, over = by[p], by[p].deps / by[p].floor
    goals = [  # issue 10's: the smoke test included, the re-lock included in add dep
        ("no change at most 0.3 s wall", pn <= 0.3, f"{pn:.2f} s"),
        ("code edit at most 0.3 s wall", pe <= 0.3, f"{pe:.2f} s (tutorial {te:.2f} s)"),
        ("add dep >= 8x faster than tutorial", ta >= 8 * pa, f"{ta / pa:.1f}x faster"),
        ("cold no slower than tutorial", pc <= tc, f"{pc:.2f} s vs {tc:.2f} s"),
        ("image no larger than tutorial", pin.image <= tut.image, f"{pin.image / tut.image:.3f}x"),
        ("deps layers within 5% of floor", abs(over - 1) <= 0.05, f"{over:.3f}x"),
    ]
    print("\nGoals (pinbox vs tutorial):")
    for name, ok, detail in goals:
        print(f"  {name:<38}{'PASS' if ok else 'FAIL'}  {detail}")


def check_dists(sizes: list[Size], base: dict[str, tuple[str, int, int]], locked: dict[str, str]) -> None:
    """Say where an image holds other distributions or versions than the lock (its floor then differs)."""
    for v in VARIANTS:
        found = next(s.dists for s in sizes if s.variant == v)
        extra, missing = sorted(set(found) - set(base) - set(locked)), sorted(set(locked) - set(found))
        other = [
            f"{n} {found[n][0]} (lock {locked[n]})"
            for n in sorted(locked)
            if found.get(n, ("",))[0] not in ("", locked[n])
        ]
        if extra or missing or other:
            print(f"  note: {v} image: not locked {extra}; absent {missing}; other versions {other}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every build and size here")
    args = parser.parse_args()
    from pinbox import __file__ as package

    compileall.compile_dir(Path(package).parent, quiet=1)  # as an installed wheel has it
    if not Path(PINBOX).exists():
        sys.exit(f"no pinbox entry point beside {sys.executable}: run with the venv's python")
    started = time.perf_counter()
    versions = [
        run([PINBOX, "--version"])[1].strip(),
        run([DOCKER, "version", "-f", "engine {{.Server.Version}}"])[1],
    ]
    print(f"pinbox build benchmark: {args.rounds} round(s), examples/iris-app; {'; '.join(versions).strip()}")
    try:
        locked = locked_names()
        base_size = int(run([DOCKER, "image", "inspect", "-f", "{{.Size}}", BASE])[1])
        builds, sizes = run_all(args.rounds, locked)
        check_dists(sizes, dists(BASE), locked)
        report(builds, sizes, base_size)
    finally:
        for tag in dict.fromkeys(TAGS):
            rmi = subprocess.run([DOCKER, "rmi", "-f", tag], env=ENV, capture_output=True, text=True)
            if rmi.returncode != 0 and "No such image" not in rmi.stderr:
                print(f"could not remove {tag}: {rmi.stderr.strip()}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"\nTotal benchmark time: {elapsed:.0f} s")
    if args.json:
        data = {"builds": [asdict(b) for b in builds], "sizes": [asdict(s) for s in sizes]}
        args.json.write_text(json.dumps({**data, "base": base_size, "seconds": elapsed}, indent=2))


if __name__ == "__main__":
    main()
