"""`pinbox build`: build the project's image from a fresh lock with BuildKit, and report on it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pinbox import paths
from pinbox.config import load_config
from pinbox.dockerfile import Dockerfile, load_dockerfile
from pinbox.engine import images, smoke
from pinbox.engine.build import BuildRequest, push, run_build, stage_ref, tag
from pinbox.engine.docker import DockerClient, find_docker
from pinbox.engine.progress import BuildLog
from pinbox.engine.smoke import Smoke
from pinbox.engine.steps import Heartbeat, Ordered
from pinbox.engine.summary import as_json, layers_of, render, summarize
from pinbox.errors import EXIT_FINDINGS, PinboxError
from pinbox.generate import GENERATED
from pinbox.generate.fragments import FOLDER, fragment_texts, load_lock, write_fragments
from pinbox.lock.plan import LockOptions, Plan, make_plan, output_path, with_recorded
from pinbox.lock.read import recorded_target, stale_reason
from pinbox.names import package_name
from pinbox.record import dataclass
from pinbox.reference import check_reference, project_name
from pinbox.target import find_dockerfile, parse_platforms, target_from_key
from pinbox.ui import UI


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
    build_args: tuple[str, ...] = ()
    target: str | None = None
    no_cache: bool = False
    progress: str = "auto"  # auto: a line per finished step; plain: BuildKit's own log as well
    secrets: tuple[str, ...] = ()
    smoke: bool = True


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


def _copied_stages(model: Dockerfile) -> list[str]:
    """Named stages the final stage copies from (their layers are not in its inline cache)."""
    final = model.final_stage
    if final is None:
        return []
    names = {ins.flag("from") for ins in final.instructions if ins.cmd == "COPY" and ins.flag("from")}
    return [s.name for s in model.stages[:-1] if s.name and s.name in names]


def _stage_names(model: Dockerfile) -> list[str]:
    """BuildKit's names of the stages, in Dockerfile order (`stage-N` for an unnamed one)."""
    stages = model.stages
    return [s.name or (f"stage-{s.index}" if len(stages) > 1 else "") for s in stages]


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


def run(opts: BuildOptions, ui: UI) -> int:
    try:
        sources = [_secret_source(s) for s in opts.secrets]
        with paths.command_scope(opts.project, opts.dockerfile, *sources):
            return _run(opts, ui)
    except PinboxError as exc:
        if opts.json:  # a JSON error object on stdout as well as the error line
            error = {"message": exc.message, "hint": exc.hint, "exit_code": exc.exit_code}
            ui.result(json.dumps({"error": error}, indent=2))
        raise


def _secret_source(spec: str) -> str:
    """The file of `id=NAME,src=FILE` (or `env=VAR`: none), checked before anything runs."""
    fields = dict(part.partition("=")[::2] for part in spec.split(","))
    if not fields.get("id") or not (fields.get("src") or fields.get("source") or fields.get("env")):
        raise PinboxError(
            f"--secret {spec!r}: expected id=NAME,src=FILE (or id=NAME,env=VARIABLE)",
            hint="the Dockerfile reads it with RUN --mount=type=secret,id=NAME; it never enters a layer",
        )
    source = fields.get("src") or fields.get("source") or ""
    if source and not Path(source).is_file():
        raise PinboxError(f"--secret {fields['id']}: no such file", path=Path(source))
    return source


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
    model = load_dockerfile(dockerfile)  # read once: stages, cache refs, progress order, smoke basis
    stages = _copied_stages(model)
    cache_from = opts.cache_from
    if not client.buildx:  # inline cache holds one stage: each builder stage gets its own ref
        sources = (*opts.cache_from, *((opts.cache_to,) if opts.cache_to else ()))
        cache_from = (*sources, *(stage_ref(r, s) for r in sources for s in stages))
    req = BuildRequest(
        opts.project,
        dockerfile,
        ref,
        opts.platform,
        cache_from,
        opts.cache_to,
        opts.network,
        opts.build_args,
        opts.target,
        opts.no_cache,
        opts.secrets,
    )
    ui.info(f"building {ref} with {client.path} ({'buildx' if client.buildx else 'BuildKit'})")
    if opts.cache_to and not client.buildx:
        for stage in stages:
            cache = stage_ref(opts.cache_to, stage)
            with ui.spinner(f"building stage {stage} for the cache"):
                run_build(client, replace(req, target=stage, tag=cache), None)
            push(client, cache)
            ui.info(f"pushed {cache} (inline cache of stage {stage})")
    raw = ui.info if opts.progress == "plain" else None
    log = BuildLog()
    order = Ordered(_stage_names(model), ui.info, log)
    try:
        with ui.spinner(f"building {ref}"), Heartbeat(order.tick):
            result = run_build(client, req, order.finished, raw, log)
    finally:
        order.flush()
    if opts.cache_to and not client.buildx:
        tag(client, ref, opts.cache_to)
        push(client, opts.cache_to)
        ui.info(f"pushed {opts.cache_to} with its inline build cache")
    if opts.push:
        push(client, ref)
        ui.info(f"pushed {ref}")
    known = images.facts(client, ref, *filter(None, [_final_base(model)]))
    layers = layers_of(client, ref, blocks)
    floor = images.cached_floor(layers.floor_key) if layers.floor_key else None
    measure = [b.name for b in blocks] if layers.floor_key and floor is None else None
    checked = _smoke(opts, client, ref, plan, model, known, ui, measure)
    if measure is not None and layers.floor_key and checked.floor is not None:
        floor = checked.floor
        images.remember_floor(layers.floor_key, floor)
    summary = replace(summarize(ref, result, known.sizes.get(ref, 0), layers, floor), smoke=checked)
    ui.result(as_json(summary) if opts.json else render(summary))
    if checked.broken:
        raise smoke.failure(checked, ref, plan.inputs.path.name)
    return 0


def _basis(model: Dockerfile, ref: str, known: images.Facts) -> tuple[str, bool]:
    """(what the image's dependencies are made of besides the lock, whether the lock is all of the
    rest): for a Dockerfile pinbox generated, the final stage's base image ID and the text up to the
    last dependency layer; for any other, the image's own ID."""
    text = model.text
    last = text.rfind("COPY --from=layer-")
    base = known.ids.get(_final_base(model) or "")
    if text.startswith(GENERATED) and last >= 0 and base is not None:
        return json.dumps([base, text[: text.index("\n", last)]]), True
    return known.ids.get(ref, ref), False


def _final_base(model: Dockerfile) -> str | None:
    return model.root_base(model.stages[-1])[0] if model.stages else None


def _native(platforms: str) -> bool:
    """Every platform asked for runs natively here (the smoke test runs no emulator)."""
    import platform

    host = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    return all(p.arch == host for p in parse_platforms(platforms))


def _smoke(
    opts: BuildOptions,
    client: DockerClient,
    ref: str,
    plan: Plan,
    model: Dockerfile,
    known: images.Facts,
    ui: UI,
    floor: list[str] | None,
) -> Smoke:
    """Import the top-level requirements in the image (not for another platform or stage), and
    measure the installed size of `floor` in the same container when asked."""
    todo: list[str] = []
    unchanged: tuple[str, ...] = ()
    skipped = (
        "--no-smoke"
        if not opts.smoke
        else "the image is not the final stage for this machine's platform"
        if opts.target or (opts.platform and not _native(opts.platform))
        else None
    )
    if skipped is None:
        names = list(dict.fromkeys(n for n in (package_name(r) for r in plan.inputs.requirements) if n))
        basis, generated = _basis(model, ref, known)
        blocks = load_lock(plan.output)[1] if generated else []
        pins = {b.name: b.version for b in blocks}
        roots = {b.name: {n for n in map(package_name, b.roots) if n} for b in blocks}
        key = smoke.baseline_key(basis)
        todo = smoke.to_test(names, pins, roots, smoke.load_baseline(key))
        unchanged = tuple(n for n in names if n not in todo)
    if not todo and floor is None:
        if skipped is None:
            ui.info(f"smoke test: {len(unchanged)} requirement(s) import (passed with these dependencies)")
        return Smoke(skipped=skipped, unchanged=unchanged)
    doing = f"smoke test: importing {len(todo)} requirement(s)" if todo else "measuring the installed size"
    with ui.spinner(f"{doing} in {ref}"):
        checked = replace(smoke.smoke_test(client, ref, todo, floor), unchanged=unchanged)
    if not todo:
        if skipped is None:
            ui.info(f"smoke test: {len(unchanged)} requirement(s) import (passed with these dependencies)")
        return replace(checked, skipped=skipped)
    smoke.remember(key, checked, pins, names)
    if checked.skipped:
        ui.info(f"smoke test skipped: {checked.skipped}")
    elif not checked.broken:
        again = f", {len(unchanged)} unchanged since they passed" if unchanged else ""
        ui.info(f"smoke test: {len(checked.imported)} requirement(s) import in the image{again}")
    for name in checked.missing:
        ui.warn(f"smoke test: {name} is not installed in the image")
    return checked
