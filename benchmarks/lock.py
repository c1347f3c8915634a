"""Benchmark `pinbox lock` against raw `uv pip compile` and pip-compile, in one run.

Usage: python benchmarks/lock.py [--rounds N] [--json FILE] [--no-pip-compile]
       python benchmarks/lock.py --team [--rounds N] [--sets tutorial,ml]   (benchmarks/team.py:
       the five-platform team lock against uv's universal compile, and pinbox sync)

Method
  * Inputs: the tutorial set (4 pins/ranges) and a larger unpinned ML set (10 packages).
    Target: CPython 3.11 on linux x86_64, manylinux_2_28.
  * Tools: `pinbox lock --python 3.11 --platform linux/amd64` (the entry point beside
    sys.executable, never with an existing lock), raw `uv pip compile --python-version 3.11
    --python-platform x86_64-manylinux_2_28 --generate-hashes` (uv from the `uv` package, the
    same binary pinbox drives), and `pip-compile --generate-hashes` on this interpreter, which
    resolves for the running interpreter only (no target flags).
  * Every run gets a fresh temp project folder. Cold = a fresh empty cache (UV_CACHE_DIR;
    PIP_CACHE_DIR plus pip-compile's own --cache-dir); warm = the same cache right after its
    cold run. Tool order rotates every round and set (A B C, B C A, ...) so drift hits all.
    pip-compile is slow, so it runs in round 1 only (cold + warm); --no-pip-compile skips it.
  * No machine config leaks in: every PIP_*, UV_* and PINBOX_* variable is dropped (PIP_CERT,
    which only says which CA to trust, is kept); PIP_CONFIG_FILE=/dev/null, UV_NO_CONFIG=1,
    UV_PYTHON_DOWNLOADS=never and XDG_CACHE_HOME=<the run's cache> are set.
  * Time: wall clock from spawn to reap (the parent blocks in wait4), median over rounds.
  * Memory: peak RSS of the whole child process tree, the max over rounds. A thread sums RSS
    (/proc/PID/statm) over the tree every 10 ms, so concurrent processes (pinbox runs two uv
    compiles side by side) add up; wait4's ru_maxrss (largest single process in the tree, what
    `/usr/bin/time -f %M` prints) is a floor for it and shown as "1-proc MB". No psutil needed.
  * Counts: requirement lines (`name==version`) and `--hash=` lines in each tool's output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from subprocess import DEVNULL

from uv import find_uv_bin

TUTORIAL = ["pandas==2.0.3", "scikit-learn==1.3.0", "numpy>=1.24.0,<1.26.0", "matplotlib==3.7.2"]
SETS = {  # name -> requirements.in text
    "tutorial": "\n".join(TUTORIAL) + "\n",
    "ml": Path(__file__).with_name("ml-requirements.in").read_text(),
}
STATES = ("cold", "warm")
PAGE = os.sysconf("SC_PAGE_SIZE")
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*==", re.MULTILINE)
BIN = Path(sys.executable).parent
UV = str(find_uv_bin())
PIP_COMPILE = [sys.executable, "-m", "piptools", "compile"]
TOOLS = ("pinbox", "uv", "pip-compile")


def command(tool: str, cache: Path) -> tuple[list[str], dict[str, str], str]:
    """argv, extra environment and output file of one run of `tool` with cache folder `cache`."""
    if tool == "pinbox":
        args = "lock --python 3.11 --platform linux/amd64 -i requirements.in -o requirements.lock"
        return [str(BIN / "pinbox"), *args.split()], {"UV_CACHE_DIR": str(cache)}, "requirements.lock"
    if tool == "uv":
        args = "pip compile requirements.in --python-version 3.11 --python-platform "
        args += "x86_64-manylinux_2_28 --generate-hashes -o requirements.txt"
        return [UV, *args.split()], {"UV_CACHE_DIR": str(cache)}, "requirements.txt"
    args = f"--generate-hashes --no-header --cache-dir {cache / 'pip-tools'} -o requirements.txt"
    argv = [*PIP_COMPILE, *args.split(), "requirements.in"]
    return argv, {"PIP_CACHE_DIR": str(cache / "pip")}, "requirements.txt"


def clean_env(cache: Path, extra: dict[str, str]) -> dict[str, str]:
    keep = {"PIP_CERT"}
    dropped = ("PIP_", "UV_", "PINBOX_", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep or not k.startswith(dropped)}
    env.update(PIP_CONFIG_FILE=os.devnull, UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never")
    env.update(XDG_CACHE_HOME=str(cache / "xdg"), NO_COLOR="1")
    env.update(extra)
    return env


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants right now."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    set: str
    state: str
    tool: str
    round: int
    seconds: float
    tree_mb: float
    proc_mb: float
    packages: int
    hashes: int


def measure(tool: str, set_name: str, state: str, rnd: int, cache: Path) -> Run:
    argv, extra, out_name = command(tool, cache)
    with tempfile.TemporaryDirectory(prefix=f"bench-{tool}-") as tmp:
        project = Path(tmp)
        (project / "requirements.in").write_text(SETS[set_name])
        log = project / "stderr.log"
        peak = [0]
        done = threading.Event()
        with log.open("wb") as err:
            start = time.perf_counter()
            env = clean_env(cache, extra)
            proc = subprocess.Popen(argv, cwd=project, env=env, stdin=DEVNULL, stdout=DEVNULL, stderr=err)

            def sample() -> None:
                while not done.wait(0.01):
                    peak[0] = max(peak[0], tree_rss(proc.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            done.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            sys.exit(f"{tool} failed on {set_name} ({state}), exit {proc.returncode}:\n{tail}")
        text = (project / out_name).read_text()
    proc_mb = usage.ru_maxrss / 1024  # KiB on Linux
    hashes = sum("--hash=" in line for line in text.splitlines())
    tree_mb = max(peak[0] / 2**20, proc_mb)
    return Run(set_name, state, tool, rnd, seconds, tree_mb, proc_mb, len(PIN.findall(text)), hashes)


def run_all(rounds: int, tools: list[str], pip_rounds: int) -> list[Run]:
    runs: list[Run] = []
    for rnd in range(1, rounds + 1):
        for i, set_name in enumerate(SETS):
            shift = (rnd - 1 + i) % len(tools)
            for tool in tools[shift:] + tools[:shift]:
                if tool == "pip-compile" and rnd > pip_rounds:
                    continue
                with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
                    for state in STATES:
                        run = measure(tool, set_name, state, rnd, Path(cache))
                        runs.append(run)
                        line = f"{set_name:<8} {state} {tool:<11} {run.seconds:7.2f} s {run.tree_mb:7.1f} MB"
                        print(f"  round {rnd} {line}", flush=True)
    return runs


@dataclass
class Row:
    set: str
    cache: str
    tool: str
    n: int
    median_s: float
    peak_mb: float
    proc_mb: float
    time_ratio: float
    mem_ratio: float
    packages: int
    hashes: int


def summarize(runs: list[Run]) -> list[Row]:
    rows: list[Row] = []
    for set_name in SETS:
        for state in STATES:
            group = {t: [r for r in runs if (r.set, r.state, r.tool) == (set_name, state, t)] for t in TOOLS}
            base_s = statistics.median(r.seconds for r in group["uv"])
            base_mb = max(r.tree_mb for r in group["uv"])
            for tool, rs in ((t, rs) for t, rs in group.items() if rs):
                sec, mb = statistics.median(r.seconds for r in rs), max(r.tree_mb for r in rs)
                proc_mb = max(r.proc_mb for r in rs)
                ratios, counts = (sec / base_s, mb / base_mb), (rs[0].packages, rs[0].hashes)
                rows.append(Row(set_name, state, tool, len(rs), sec, mb, proc_mb, *ratios, *counts))
    return rows


def report(rows: list[Row]) -> None:
    print(
        f"\n{'set':<9}{'cache':<6}{'tool':<12}{'n':>2}{'median s':>10}{'peak MB':>9}{'1-proc MB':>10}"
        f"{'time/uv':>9}{'mem/uv':>8}"
    )
    for r in rows:
        print(
            f"{r.set:<9}{r.cache:<6}{r.tool:<12}{r.n:>2}{r.median_s:>10.2f}{r.peak_mb:>9.1f}"
            f"{r.proc_mb:>10.1f}{r.time_ratio:>8.2f}x{r.mem_ratio:>7.2f}x"
        )
    print("\nGoals (pinbox vs raw uv, same run):")
    for r in (r for r in rows if r.tool == "pinbox"):
        for what, ratio, limit in (("time", r.time_ratio, 1.15), ("memory", r.mem_ratio, 1.20)):
            verdict = "PASS" if ratio <= limit else "FAIL"
            print(
                f"  {r.set:<9}{r.cache:<5} pinbox within {(limit - 1) * 100:.0f}% of raw uv "
                f"({what}):{' ' * (7 - len(what))}{verdict} ({(ratio - 1) * 100:+.0f}%)"
            )
    print(
        "\nOutput counts (pinbox hashes only the target's files; raw uv and pip-compile hash"
        " every file of each pinned version):"
    )
    for r in (r for r in rows if r.cache == "cold"):
        print(f"  {r.set:<9}{r.tool:<12}{r.packages:>4} packages{r.hashes:>6} hash lines")


def main() -> None:
    if sys.argv[1:2] == ["--team"]:
        import team

        team.main()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write every run and the summary here")
    parser.add_argument("--no-pip-compile", action="store_true")
    parser.add_argument("--pip-compile-rounds", type=int, default=1, help="(default: 1)")
    args = parser.parse_args()
    if not (BIN / "pinbox").exists():
        sys.exit(f"no pinbox entry point beside {sys.executable}: run with the venv's python")
    tools = ["pinbox", "uv"] + ([] if args.no_pip_compile else ["pip-compile"])
    first = {"pinbox": [str(BIN / "pinbox")], "uv": [UV], "pip-compile": PIP_COMPILE}
    versions = {  # also loads each tool into the page cache before anything is timed
        t: subprocess.run([*first[t], "--version"], capture_output=True, text=True, check=True).stdout.strip()
        for t in tools
    }
    libc = " ".join(platform.libc_ver())
    print(f"pinbox lock benchmark: {args.rounds} rounds, target CPython 3.11 x86_64-manylinux_2_28")
    print("  " + "; ".join(versions.values()))
    if "pip-compile" in tools:
        n = args.pip_compile_rounds
        here = f"CPython {platform.python_version()} on {sys.platform} {platform.machine()} ({libc})"
        print(
            f"  pip-compile resolves for the running interpreter, {here}; "
            f"{'round 1' if n == 1 else f'rounds 1-{n}'} only, no target flags"
        )
    print(f"  {os.cpu_count()} CPUs; memory = sampled RSS sum of the process tree, max over rounds")
    started = time.perf_counter()
    runs = run_all(args.rounds, tools, args.pip_compile_rounds)
    rows = summarize(runs)
    report(rows)
    elapsed = time.perf_counter() - started
    print(f"\nTotal benchmark time: {elapsed:.0f} s")
    if args.json:
        data = {"runs": [asdict(r) for r in runs], "summary": [asdict(r) for r in rows]}
        args.json.write_text(json.dumps({**data, "versions": versions, "seconds": elapsed}, indent=2))


if __name__ == "__main__":
    main()
