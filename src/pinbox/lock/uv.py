"""The resolver: `uv pip compile`, run once per platform, turned into `Resolution` values.

For each platform two compiles run side by side from the same preferences (the previous lock):
one writes `pylock.toml`, which lists exactly the target's files with their hashes, and one
writes annotated requirements, which tell who pulled each package in. Both must agree on every
version; if they do not (an upload landed between them), the pair is run again.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError
from pinbox.lock.container import Container
from pinbox.lock.uv_batch import compile_each, refresh_unseen, run_uv
from pinbox.lock.uv_batch import uv_binary as uv_binary  # re-exported: callers ask pinbox.lock.uv
from pinbox.lock.uv_errors import NoWheel as NoWheel  # re-exported: callers catch uv.NoWheel
from pinbox.lock.uv_errors import Unresolvable as Unresolvable
from pinbox.lock.uv_errors import explain_failure
from pinbox.names import normalize
from pinbox.record import dataclass
from pinbox.target import Platform
from pinbox.tomlcompat import tomllib


@dataclass(frozen=True)
class Request:
    project: Path
    input: Path
    python: str
    extras: tuple[str, ...] = ()
    allow_sdist: tuple[str, ...] = ()
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    exclude_newer: str | None = None
    exclude_newer_packages: tuple[str, ...] = ()  # NAME=DATE: a cut-off of its own for NAME
    constraints: Path | None = None  # versions another tool's lock holds (pinbox.lock.truth)
    overrides: Path | None = None  # `NAME ; python_version < '0'`: left out, to find every blocker
    build_python: str = sys.executable  # builds --allow-sdist packages for their metadata: the image's X.Y
    container: Container | None = None  # run uv there: this machine lacks the image's Python
    previous: dict[str, dict[str, str]] = field(default_factory=dict)  # platform.uv -> pins
    more_inputs: tuple[Path, ...] = ()  # resolved together with `input`: the dev group's file
    groups: tuple[str, ...] = ()  # pyproject [dependency-groups] resolved together with `input`
    same_versions: Path | None = None  # `name==version` constraints making platforms agree
    index_options: tuple[str, ...] = ()  # the inputs' --index-url/--find-links lines


@dataclass(frozen=True)
class Resolution:
    platform: Platform
    packages: tuple[dict[str, Any], ...]  # pylock [[packages]] tables
    parents: dict[str, tuple[str, ...]]  # name -> who required it ("" marks a direct requirement)


def _base_args(req: Request, platform: Platform) -> list[str]:
    args = [
        "pip", "compile", str(req.input), *map(str, req.more_inputs), "--python-version", req.python,
        "--python-platform", platform.uv, "--only-binary", ":all:",
        "--no-header", "--no-progress", "--color", "never", "--quiet",
        # uv needs an interpreter only to build sdists (--allow-sdist); naming one skips ~0.1 s of
        # discovery per call. Resolution follows --python-version/--python-platform regardless.
        "--python", req.build_python,
    ]  # fmt: skip
    for name in req.allow_sdist:
        args += ["--no-binary", name]
    for extra in req.extras:
        args += ["--extra", extra]
    if req.upgrade:
        args.append("--upgrade")
    for name in req.upgrade_packages:
        args += ["--upgrade-package", name]
    if req.exclude_newer:
        args += ["--exclude-newer", req.exclude_newer]
    for package in req.exclude_newer_packages:
        args += ["--exclude-newer-package", package]
    if req.constraints:
        args += ["--constraint", str(req.constraints)]
    if req.overrides:
        args += ["--override", str(req.overrides)]
    if req.same_versions:
        args += ["--constraint", str(req.same_versions)]
    for group in req.groups:
        args += ["--group", f"{req.input}:{group}"]
    return args


def _seed(path: Path, previous: dict[str, str]) -> Path:
    """Write the previous pins where uv reads its preferences (its own output file)."""
    if previous:
        path.write_text(
            'lock-version = "1.0"\ncreated-by = "pinbox"\n'
            + "".join(f'\n[[packages]]\nname = "{n}"\nversion = "{v}"\n' for n, v in sorted(previous.items()))
        )
    return path


def resolve(
    req: Request,
    platforms: Sequence[Platform],
    on_resolved: Callable[[list[tuple[dict[str, Any], ...]]], None] | None = None,
    *,
    fetched: bool = False,
) -> list[Resolution]:
    """Resolve for every platform; raise PinboxError with uv's explanation on failure.

    First `uv pip compile --format pylock.toml` per platform: the resolution, with exactly the
    target's files and hashes, the index read once (pinbox.lock.uv_batch; `fetched`: this run
    already read it). Then, to learn who pulled each package in, the same inputs again with those
    pins as constraints, `--offline`: no network and a trivial resolution from uv's cache, so
    memory stays one resolver's and time grows little.
    """
    binary = uv_binary()
    with tempfile.TemporaryDirectory(prefix="pinbox-") as tmp:
        pylocks = [
            _seed(Path(tmp) / f"pylock.p{i}.toml", req.previous.get(p.uv, {}))
            for i, p in enumerate(platforms)
        ]
        jobs = [
            ([*_base_args(req, p), "--format", "pylock.toml", "-o", str(out)], req.project)
            for p, out in zip(platforms, pylocks, strict=True)
        ]
        envs = [p.uv_env for p in platforms]
        results = compile_each(binary, jobs, req.container, envs, fetched=fetched)
        for i, result in enumerate(results):
            if result.returncode != 0:
                raise explain_failure(result.stderr, req, platforms[i])
        packages = [parse_pylock(out.read_text(), out) for out in pylocks]
        if not fetched and refresh_unseen(
            binary, req.project, packages, req.index_options, Path(tmp), req.container
        ):
            for i, result in enumerate(
                compile_each(binary, jobs[1:], req.container, envs[1:], fetched=True), 1
            ):
                if result.returncode != 0:
                    raise explain_failure(result.stderr, req, platforms[i])
            packages = [parse_pylock(out.read_text(), out) for out in pylocks]
        if on_resolved is not None:
            on_resolved(packages)  # e.g. read the wheels' console scripts while uv annotates
        parents = _annotate(binary, req, platforms, packages, Path(tmp))
    return [Resolution(p, pk, pa) for p, pk, pa in zip(platforms, packages, parents, strict=True)]


def _annotate(
    binary: str,
    req: Request,
    platforms: Sequence[Platform],
    packages: list[tuple[dict[str, Any], ...]],
    tmp: Path,
) -> list[dict[str, tuple[str, ...]]]:
    """Who required each package: an annotated compile pinned to the resolution, from the cache."""
    jobs = []
    for i, (platform, pkgs) in enumerate(zip(platforms, packages, strict=True)):
        pins = tmp / f"pins.p{i}.txt"
        pins.write_text("".join(f"{p['name']}=={p['version']}\n" for p in pkgs if "version" in p))
        args = [*_base_args(req, platform), "--annotation-style", "line", "-c", str(pins)]
        args = [a for a in args if a not in ("--upgrade",)]
        jobs.append((args, req.project))
    envs = [p.uv_env for p in platforms]
    results = run_uv(binary, [([*args, "--offline"], cwd) for args, cwd in jobs], req.container, envs)
    out = []
    for (args, cwd), result, pkgs, platform in zip(jobs, results, packages, platforms, strict=True):
        if result.returncode != 0:  # not all in the cache (an unusual index): ask the network
            result = run_uv(binary, [(args, cwd)], req.container, [platform.uv_env])[0]
            if result.returncode != 0:
                raise explain_failure(result.stderr, req, platform)
        versions, parents = parse_annotated(result.stdout)
        expected = {str(normalize(p["name"])): str(p["version"]) for p in pkgs if "version" in p}
        local = {str(normalize(p["name"])) for p in pkgs if "version" not in p}  # `-e .`, a path
        versions = {name: v for name, v in versions.items() if name not in local}
        if versions != expected:
            raise PinboxError(
                f"uv gave different versions when annotating the resolution for {platform.name}",
                hint="run pinbox lock again; if it persists, report it with `pinbox -v lock`",
            )
        out.append(parents)
    return out


_VIA = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==|@)\s*(\S+)?.*?#\s*via\s+(.*)$")


def parse_annotated(text: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """`name==1.0  # via a, -r req.txt` -> ({name: "1.0"}, {name: ("a", "")}); "" = direct."""
    versions: dict[str, str] = {}
    parents: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        match = _VIA.match(line.strip())
        if not match:
            continue
        via = []
        for item in (i.strip() for i in match.group(3).split(",")):
            if not item:
                continue
            if item.startswith("-c "):
                continue  # the pins pinbox passed as constraints
            if item.startswith("-") or " " in item or "(" in item:
                via.append("")  # -r requirements.txt, project (pyproject.toml): direct
            else:
                via.append(str(normalize(item)))
        name = str(normalize(match.group(1)))
        versions[name] = match.group(2) or ""
        parents[name] = tuple(dict.fromkeys(via))
    return versions, parents


def parse_pylock(text: str, path: Path) -> tuple[dict[str, Any], ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - uv writes valid TOML
        raise PinboxError(f"uv wrote an unreadable pylock.toml: {exc}", path=path) from None
    packages = data.get("packages", [])
    return tuple(p for p in packages if isinstance(p, dict))
