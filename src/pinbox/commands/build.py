"""`pinbox build`: build the project's image from a fresh lock with BuildKit, and report on it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pinbox import paths
from pinbox.config import load_config
from pinbox.dockerfile import load_dockerfile
from pinbox.engine import images
from pinbox.engine.build import BuildRequest, BuildResult, push, run_build, stage_ref, tag
from pinbox.engine.docker import DockerClient, find_docker
from pinbox.engine.progress import Step
from pinbox.errors import EXIT_FINDINGS, PinboxError
from pinbox.generate.fragments import FOLDER, fragment_texts, load_lock, write_fragments
from pinbox.lock.plan import LockOptions, Plan, make_plan, output_path, target_from_key, with_recorded
from pinbox.lock.read import LockedBlock, recorded_target, stale_reason
from pinbox.lock.render import human_size
from pinbox.reference import check_reference, project_name
from pinbox.target import find_dockerfile, parse_platforms
from pinbox.ui import UI

_DEPENDENCY_LAYER = re.compile(r"/opt/layers/|pip3? install|uv pip (install|sync)|python3? -m pip install")


@dataclass(frozen=True)
class BuildOptions:
    project: Path = Path()
    tag: str | None = None
    dockerfile: str | None = None
    platform: str | None = None
    cache_from: tuple[str, ...] = ()
    cache_to: str | None = None
    push: bool = False
    relock: bool = False
    network: str | None = None
    json: bool = False


def _fresh_lock(opts: BuildOptions, lock: Path, ui: UI) -> Plan:
    """The plan of the project's lock at `lock`; a stale lock is an error, or relocked with --relock."""
    lock_opts = with_recorded(LockOptions(project=opts.project, dockerfile=opts.dockerfile), lock)
    plan = make_plan(lock_opts)
    reason = stale_reason(plan.output, plan.target.key(), plan.digest)
    if not reason:
        return plan
    if not opts.relock:
        raise PinboxError(
            f"refusing to build: {reason}",
            exit_code=EXIT_FINDINGS,
            hint="run `pinbox lock` first, or `pinbox build --relock`",
        )
    from pinbox.commands import lock as lock_command

    ui.info(f"{reason}: running pinbox lock")
    made = lock_command.make(lock_opts, ui)
    lock_command.write(made)
    ui.info(f"wrote {paths.shown(made.plan.output)} ({len(made.lock.pins)} packages)")
    return made.plan


def _copied_stages(dockerfile: Path) -> list[str]:
    """Named stages the final stage copies from (their layers are not in its inline cache)."""
    model = load_dockerfile(dockerfile)
    final = model.final_stage
    if final is None:
        return []
    names = {ins.flag("from") for ins in final.instructions if ins.cmd == "COPY" and ins.flag("from")}
    return [s.name for s in model.stages[:-1] if s.name and s.name in names]


def _check_platform(lock: Path, platform: str | None) -> None:
    """A platform the lock was not made for is an error before anything else happens."""
    key = recorded_target(lock)
    if not platform or key is None:
        return
    locked = target_from_key(key).platforms
    for wanted in parse_platforms(platform):
        if wanted.arch not in {p.arch for p in locked}:
            raise PinboxError(
                f"the lock is for {', '.join(p.docker for p in locked)}, not {wanted.docker}",
                path=lock,
                hint=f"lock for it first: pinbox lock --platform {platform}",
            )


def _on_step(ui: UI) -> Callable[[Step], None]:
    """Print each build step as it finishes: cached, failed, or its time."""

    def report(step: Step) -> None:
        if step.internal:
            return
        state = "cached" if step.cached else "error" if step.error else f"{step.seconds or 0:.1f}s"
        ui.info(f"  {state:>8}  {step.name[:110]}")

    return report


def run(opts: BuildOptions, ui: UI) -> int:
    with paths.command_scope(opts.project, opts.dockerfile):
        return _run(opts, ui)


def _check_references(opts: BuildOptions) -> None:
    """Every image reference given, checked before anything runs."""
    for ref, what in ((opts.tag, "--tag"), (opts.cache_to, "--cache-to")):
        if ref:
            check_reference(ref, what)
    for ref in opts.cache_from:
        check_reference(ref, "--cache-from")


def _run(opts: BuildOptions, ui: UI) -> int:
    _check_references(opts)
    config = load_config(opts.project)
    lock = output_path(LockOptions(project=opts.project), config, config.format)
    _check_platform(lock, opts.platform)
    client = find_docker()
    plan = _fresh_lock(opts, lock, ui)
    dockerfile = Path(opts.dockerfile) if opts.dockerfile else find_dockerfile(opts.project)
    dockerfile = dockerfile or opts.project / "Dockerfile"
    if not dockerfile.is_file():
        raise PinboxError("no Dockerfile to build", path=dockerfile, hint="write one with `pinbox init`")
    options, blocks = load_lock(plan.output) if plan.output.suffix != ".toml" else ([], [])
    if (dockerfile.parent / FOLDER).is_dir():
        _, texts = fragment_texts(plan.output, options, blocks)
        changed = write_fragments(dockerfile.parent / FOLDER, texts)
        if changed:
            ui.info(f"updated {FOLDER}/: {', '.join(changed)}")
    ref = opts.tag or f"{project_name(opts.project)}:latest"
    stages = _copied_stages(dockerfile)
    cache_from = opts.cache_from
    if not client.buildx:  # inline cache holds one stage: each builder stage gets its own ref
        sources = (*opts.cache_from, *((opts.cache_to,) if opts.cache_to else ()))
        cache_from = (*sources, *(stage_ref(r, s) for r in sources for s in stages))
    req = BuildRequest(opts.project, dockerfile, ref, opts.platform, cache_from, opts.cache_to, opts.network)
    ui.info(f"building {ref} with {client.path} ({'buildx' if client.buildx else 'BuildKit'})")
    report = _on_step(ui)
    if opts.cache_to and not client.buildx:
        for stage in stages:
            cache = stage_ref(opts.cache_to, stage)
            with ui.spinner(f"building stage {stage} for the cache"):
                run_build(client, replace(req, target=stage, tag=cache), None)
            push(client, cache)
            ui.info(f"pushed {cache} (inline cache of stage {stage})")
    with ui.spinner(f"building {ref}"):
        result = run_build(client, req, report)
    if opts.cache_to and not client.buildx:
        tag(client, ref, opts.cache_to)
        push(client, opts.cache_to)
        ui.info(f"pushed {opts.cache_to} with its inline build cache")
    if opts.push:
        push(client, ref)
        ui.info(f"pushed {ref}")
    summary = _summary(client, ref, result, blocks)
    if opts.json:
        ui.result(json.dumps({**asdict(summary), "overhead": summary.overhead}, indent=2))
    else:
        ui.result(_render(summary))
    return 0


@dataclass(frozen=True)
class Summary:
    image: str
    seconds: float
    steps: int
    cached: list[str]
    rebuilt: list[tuple[str, float | None]]
    size: int
    layers: list[tuple[int, str]]
    dependency_bytes: int
    installed_bytes: int | None

    @property
    def overhead(self) -> float | None:
        """Dependency layers over the installed size of the locked packages, minus one."""
        return self.dependency_bytes / self.installed_bytes - 1 if self.installed_bytes else None


def _summary(client: DockerClient, ref: str, result: BuildResult, blocks: list[LockedBlock]) -> Summary:
    steps = result.log.user_steps
    layers = images.layers(client, ref)
    deps = [layer for layer in layers if _DEPENDENCY_LAYER.search(layer.created_by)]
    floor = None
    if blocks:
        pins = [b.text for b in blocks]
        key = hashlib.sha256(json.dumps([pins, [(d.size, d.created_by) for d in deps]]).encode()).hexdigest()
        floor = images.installed_size_cached(client, ref, [b.name for b in blocks], key)
    return Summary(
        image=ref,
        seconds=round(result.seconds, 2),
        steps=len(steps),
        cached=[s.name for s in steps if s.cached],
        rebuilt=[(s.name, s.seconds) for s in steps if not s.cached],
        size=images.image_size(client, ref),
        layers=[(layer.size, layer.created_by) for layer in layers],
        dependency_bytes=sum(layer.size for layer in deps),
        installed_bytes=floor,
    )


def _render(summary: Summary) -> str:
    lines = [
        f"Built {summary.image} in {summary.seconds}s: {summary.steps} steps, {len(summary.cached)} cached",
        f"image size: {human_size(summary.size)}",
        "layers (oldest first, empty ones left out):",
        *(f"  {human_size(size):>10}  {_short(created)}" for size, created in summary.layers if size),
    ]
    if summary.installed_bytes and summary.overhead is not None:
        lines.append(
            f"dependency layers: {human_size(summary.dependency_bytes)}; locked packages installed: "
            f"{human_size(summary.installed_bytes)} (the floor); overhead {100 * summary.overhead:+.1f}%"
        )
    return "\n".join(lines)


def _short(created_by: str) -> str:
    text = re.sub(r"^/bin/sh -c (#\(nop\) )?", "", created_by).strip()
    text = re.sub(r"\s+", " ", text)
    return text if len(text) < 100 else text[:97] + "..."
