"""Run uv's compile for each platform of a lock, reading the package index once.

uv keeps the index's pages in its cache but must ask the index again on every run whether they
changed (and PyPI's answers, through some proxies, never let it skip that), so a compile costs its
round trips even with a warm cache, and compiles side by side wait on each other's cache locks.
So the first platform (the image's) is compiled online, which brings every page it needs up to
date, and the others offline, from those pages, in ~20 ms each. A platform that needs a package
the first did not (pywin32, appnope, colorama) has its pages asked for once, in one small online
call for all such packages, and is compiled offline again; one whose offline compile fails for
want of files the first did not need (a cold cache) is compiled online, side by side with the
others that did; one that fails for a real reason (no version fits) is not asked twice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError
from pinbox.lock.container import Container
from pinbox.names import normalize


def uv_binary() -> str:
    """The uv executable: `PINBOX_UV`, else the one the `uv` package installed, else PATH."""
    chosen = os.environ.get("PINBOX_UV")
    if chosen:
        path = shutil.which(chosen)
        if path is None or not Path(path).is_file():
            raise PinboxError(
                f"PINBOX_UV={chosen}: not an executable file", hint="point it at a uv binary, or unset it"
            )
        return path
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise PinboxError("cannot find the uv binary", hint="pip install uv, or set PINBOX_UV")


def uv_env() -> dict[str, str]:
    """The environment pinbox runs uv in: never fetching an interpreter, never taking the shell's
    virtualenv (pinbox names the interpreter with --python)."""
    env = dict(os.environ)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.pop("VIRTUAL_ENV", None)
    return env


def compile_each(
    binary: str,
    jobs: Sequence[tuple[list[str], Path]],
    container: Container | None,
    envs: Sequence[dict[str, str]],
    *,
    fetched: bool = False,
) -> list[subprocess.CompletedProcess[str]]:
    """One compile per job, in order: the first online unless this run `fetched` the index
    already, the others offline, and online again where offline failed."""
    first = [] if fetched or not jobs else run_uv(binary, list(jobs[:1]), container, envs[:1])
    if first and first[0].returncode != 0:
        return first + [first[0]] * (len(jobs) - 1)  # the image's own failure says it all
    rest = list(jobs[len(first) :])
    rest_envs = list(envs[len(first) :])
    offline = run_uv(binary, [([*args, "--offline"], cwd) for args, cwd in rest], container, rest_envs)
    retry = [i for i, result in enumerate(offline) if result.returncode != 0 and _missed(result.stderr)]
    if retry:  # side by side: with a cold cache, the waits on the network overlap
        again = run_uv(binary, [rest[i] for i in retry], container, [rest_envs[i] for i in retry])
        for i, result in zip(retry, again, strict=True):
            offline[i] = result
    return first + offline


def _missed(stderr: str) -> bool:
    """Whether an offline compile failed for want of files the cache lacks (not a real conflict)."""
    return (
        "network was disabled" in stderr or "not found in the cache" in stderr or "offline" in stderr.lower()
    )


def refresh_unseen(
    binary: str,
    project: Path,
    packages: Sequence[Sequence[dict[str, Any]]],
    index_options: Sequence[str],
    folder: Path,
    container: Container | None,
) -> bool:
    """Ask the index once for the pages of packages that only the offline platforms resolved
    (their cached pages may be old); True when there were any, so those platforms compile again."""
    seen = {normalize(str(p.get("name"))) for p in packages[0]} if packages else set()
    unseen = sorted({normalize(str(p.get("name"))) for pkgs in packages[1:] for p in pkgs} - seen)
    if not unseen:
        return False
    names = folder / "unseen.in"
    names.write_text("".join(f"{o}\n" for o in index_options) + "".join(f"{n}\n" for n in unseen))
    args = ["pip", "compile", str(names), "--universal", "--no-deps", "--quiet", "--no-header"]
    done = run_uv(binary, [([*args, "-o", str(folder / "unseen.txt")], project)], container)[0]
    if done.returncode != 0:
        raise PinboxError(
            f"uv could not read the index for {', '.join(unseen)}:\n  {done.stderr.strip()[-500:]}"
        )
    return True


def run_uv(
    binary: str,
    jobs: Sequence[tuple[list[str], Path]],
    container: Container | None = None,
    envs: Sequence[dict[str, str]] = (),
) -> list[subprocess.CompletedProcess[str]]:
    """Run uv commands side by side in their working folders (in `container` when given), each with
    its own additions to the environment (`envs`); return them in order."""
    procs: list[subprocess.Popen[str]] = []
    done = []
    try:
        for i, (args, cwd) in enumerate(jobs):
            try:
                procs.append(
                    subprocess.Popen(
                        container.argv(binary, args, cwd) if container else [binary, *args],
                        cwd=cwd,
                        env=uv_env() | (envs[i] if i < len(envs) else {}),
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                )
            except OSError as exc:
                raise PinboxError(f"cannot run uv ({binary}): {exc.strerror or exc}") from None
        for proc in procs:
            out, err = proc.communicate()
            done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    finally:  # interrupted or terminated: no uv is left running
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    return done
