"""Benchmark a team lock (the image's platform and four team machines) and `pinbox sync`.

Usage: python benchmarks/team.py [--rounds N] [--sets tutorial,ml]   (or benchmarks/lock.py --team)

Method
  * Inputs: the tutorial and ML sets of benchmarks/lock.py. Platforms: the image's linux/amd64,
    and linux/arm64, macos/arm64, macos/amd64 (macOS 13), windows/amd64; CPython 3.11.
  * Tools, each in a fresh temp project, with the clean environment of lock.py:
      pinbox        `pinbox lock --python 3.11 --platform linux/amd64 --dev-platform ...`
      uv universal  `uv pip compile --universal --python-version 3.11 --generate-hashes`
      uv x5         one `uv pip compile --python-platform P --generate-hashes` per platform, the
                    five side by side (what a team would script by hand)
    Cold = a fresh empty uv cache; warm = the same cache right after. Order rotates per round.
  * Lines: every line of the output (five files for uv x5). Hashes: `--hash=` lines.
  * Sync: each set's team lock installed into a fresh virtualenv, `pinbox sync --venv V` against
    `uv venv V` + `uv pip sync --require-hashes` of the same lock, both from the warm cache;
    medians over the rounds (at least 5), alternating which goes first.
  * Goals (issue 11): pinbox no slower than uv's universal compile, at least 5x fewer lines than
    it; sync within 10% of uv pip sync.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lock import BIN, SETS, UV, clean_env

TEAM = "linux/arm64,macos/arm64,macos/amd64,windows/amd64"
UV_PLATFORMS = {  # uv's name -> MACOSX_DEPLOYMENT_TARGET
    "x86_64-manylinux_2_28": "",
    "aarch64-manylinux_2_28": "",
    "aarch64-apple-darwin": "13.0",
    "x86_64-apple-darwin": "13.0",
    "x86_64-pc-windows-msvc": "",
}
TOOLS = ("pinbox", "uv universal", "uv x5")


def _run(tool: str, folder: Path, cache: Path) -> tuple[float, list[Path]]:
    env = clean_env(cache, {"UV_CACHE_DIR": str(cache / "uv")})
    start = time.perf_counter()
    if tool == "pinbox":
        argv = [str(BIN / "pinbox"), "-q", "lock", "--python", "3.11", "--platform", "linux/amd64"]
        argv += ["--dev-platform", TEAM, "-i", "requirements.in", "-o", "requirements.lock"]
        done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True)
        outputs = [folder / "requirements.lock"]
        codes = [done.returncode]
    elif tool == "uv universal":
        argv = [UV, "pip", "compile", "requirements.in", "--universal", "--python-version", "3.11"]
        argv += ["--generate-hashes", "--quiet", "-o", "universal.txt"]
        codes = [subprocess.run(argv, cwd=folder, env=env, capture_output=True).returncode]
        outputs = [folder / "universal.txt"]
    else:
        procs = []
        outputs = []
        for platform, macos in UV_PLATFORMS.items():
            out = folder / f"{platform}.txt"
            argv = [UV, "pip", "compile", "requirements.in", "--python-version", "3.11", "--python-platform"]
            argv += [platform, "--generate-hashes", "--quiet", "-o", str(out)]
            extra = {"MACOSX_DEPLOYMENT_TARGET": macos} if macos else {}
            procs.append(
                subprocess.Popen(
                    argv, cwd=folder, env=env | extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
            outputs.append(out)
        codes = [p.wait() for p in procs]
    seconds = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"{tool} failed in {folder}")
    return seconds, outputs


def _count(outputs: list[Path]) -> tuple[int, int]:
    text = "".join(p.read_text() for p in outputs)
    return len(text.splitlines()), text.count("--hash=")


def lock_rounds(rounds: int, sets: list[str]) -> dict[tuple[str, str, str], list[float]]:
    times: dict[tuple[str, str, str], list[float]] = {}
    sizes: dict[tuple[str, str], tuple[int, int]] = {}
    for r in range(rounds):
        order = TOOLS[r % 3 :] + TOOLS[: r % 3]
        for set_name in sets:
            for tool in order:
                with tempfile.TemporaryDirectory(prefix="pinbox-bench-team-") as tmp:
                    cache = Path(tmp) / "cache"
                    for state in ("cold", "warm"):
                        folder = Path(tmp) / state
                        folder.mkdir()
                        (folder / "requirements.in").write_text(SETS[set_name])
                        seconds, outputs = _run(tool, folder, cache)
                        times.setdefault((set_name, tool, state), []).append(seconds)
                        sizes[(set_name, tool)] = _count(outputs)
    print(f"team lock: 5 platforms, CPython 3.11, {rounds} rounds, medians")
    print(f"{'set':10s}{'tool':14s}{'cold s':>9s}{'warm s':>9s}{'lines':>8s}{'hashes':>8s}")
    for set_name in sets:
        for tool in TOOLS:
            cold = statistics.median(times[(set_name, tool, "cold")])
            warm = statistics.median(times[(set_name, tool, "warm")])
            lines, hashes = sizes[(set_name, tool)]
            print(f"{set_name:10s}{tool:14s}{cold:9.2f}{warm:9.2f}{lines:8d}{hashes:8d}")
        p, u = (statistics.median(times[(set_name, t, "warm")]) for t in ("pinbox", "uv universal"))
        pc, uc = (statistics.median(times[(set_name, t, "cold")]) for t in ("pinbox", "uv universal"))
        lp, lu = sizes[(set_name, "pinbox")][0], sizes[(set_name, "uv universal")][0]
        print(
            f"  {set_name}: pinbox/uv universal time cold {pc / uc:.2f}x, warm {p / u:.2f}x "
            f"(goal <= 1: {'PASS' if max(pc / uc, p / u) <= 1 else 'FAIL'}); lines {lu / lp:.1f}x fewer "
            f"(goal >= 5: {'PASS' if lu / lp >= 5 else 'FAIL'})"
        )
    return times


def sync_rounds(rounds: int, set_name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="pinbox-bench-sync-") as tmp:
        root = Path(tmp)
        cache = root / "cache"
        env = clean_env(cache, {"UV_CACHE_DIR": str(cache / "uv")})
        (root / "requirements.in").write_text(SETS[set_name])
        lock = [str(BIN / "pinbox"), "-q", "lock", "--python", "3.11", "--platform", "linux/amd64"]
        subprocess.run([*lock, "--dev-platform", TEAM, str(root)], env=env, check=True)
        subprocess.run(
            [str(BIN / "pinbox"), "-q", "sync", "--venv", str(root / "warm"), str(root)], env=env, check=True
        )
        times: dict[str, list[float]] = {"pinbox sync": [], "uv venv + uv pip sync": []}
        for r in range(rounds):
            for name in list(times) if r % 2 == 0 else list(reversed(times)):
                venv = root / f"v{r}-{len(times[name])}-{name.split()[0]}"
                start = time.perf_counter()
                if name == "pinbox sync":
                    subprocess.run(
                        [str(BIN / "pinbox"), "-q", "sync", "--venv", str(venv), str(root)],
                        env=env,
                        check=True,
                    )
                else:
                    subprocess.run(
                        [UV, "venv", "--quiet", "--python", sys.executable, str(venv)], env=env, check=True
                    )
                    argv = [
                        UV,
                        "pip",
                        "sync",
                        "--quiet",
                        "--require-hashes",
                        "--python",
                        str(venv / "bin/python"),
                    ]
                    subprocess.run([*argv, str(root / "requirements.lock")], env=env, check=True)
                times[name].append(time.perf_counter() - start)
        p, u = (statistics.median(v) for v in times.values())
        print(
            f"\nsync: {set_name}-set team lock into a fresh virtualenv, warm cache, {rounds} rounds, medians"
        )
        print(
            f"pinbox sync {p:.2f} s, uv venv + uv pip sync {u:.2f} s: {p / u:.2f}x "
            f"(goal within 10%: {'PASS' if p / u <= 1.10 else 'FAIL'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", default="tutorial,ml")
    parser.add_argument("--no-sync", action="store_true")
    args = parser.parse_args(sys.argv[2:] if sys.argv[1:2] == ["--team"] else None)
    lock_rounds(args.rounds, args.sets.split(","))
    if not args.no_sync:
        for set_name in args.sets.split(","):
            sync_rounds(max(args.rounds, 5), set_name)


if __name__ == "__main__":
    main()
