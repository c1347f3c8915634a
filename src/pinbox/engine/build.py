"""Run `docker build` with BuildKit, stream its progress, and stop it cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pinbox.engine.docker import DockerClient
from pinbox.engine.progress import BuildLog, Step
from pinbox.errors import EXIT_FINDINGS, EXIT_INTERRUPTED, PinboxError, Terminated
from pinbox.record import dataclass


@dataclass(frozen=True)
class BuildRequest:
    context: Path
    dockerfile: Path
    tag: str
    platform: str | None = None
    cache_from: tuple[str, ...] = ()
    cache_to: str | None = None
    network: str | None = None
    build_args: tuple[str, ...] = ()
    target: str | None = None  # build only up to this stage
    no_cache: bool = False
    secrets: tuple[str, ...] = ()  # `id=NAME,src=FILE`: BuildKit secrets, never in a layer


def build_args(client: DockerClient, req: BuildRequest) -> list[str]:
    """The client's build command for a request (inline cache where buildx is missing)."""
    args = ["--progress=plain", "-f", str(req.dockerfile), "-t", req.tag]
    if req.platform:
        args += ["--platform", req.platform]
    if req.network:
        args += ["--network", req.network]
    if req.target:
        args += ["--target", req.target]
    for ref in req.cache_from:
        args += ["--cache-from", f"type=registry,ref={ref}" if client.buildx else ref]
    if req.cache_to:
        if client.buildx:
            args += ["--cache-to", f"type=registry,ref={req.cache_to},mode=max"]
        else:  # Docker 20.10's builder: the cache travels inside the pushed image
            args += ["--build-arg", "BUILDKIT_INLINE_CACHE=1"]
    for arg in req.build_args:
        args += ["--build-arg", arg]
    if req.no_cache:
        args.append("--no-cache")
    for secret in req.secrets:
        args += ["--secret", secret]
    return client.build_command(*args, str(req.context))


@dataclass(frozen=True)
class BuildResult:
    log: BuildLog
    seconds: float


def run_build(
    client: DockerClient,
    req: BuildRequest,
    on_step: Callable[[Step], None] | None = None,
    on_line: Callable[[str], None] | None = None,
    log: BuildLog | None = None,
) -> BuildResult:
    """Build; raise PinboxError with the failing step and its last lines when it fails
    (`on_line`: every line of BuildKit's plain progress, as it comes; `log`: where the steps go)."""
    log = log if log is not None else BuildLog()
    started = time.monotonic()
    proc = subprocess.Popen(
        build_args(client, req),
        env=client.environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if on_line is not None:
                on_line(line.rstrip("\n"))
            step = log.feed(line)
            if step is not None and on_step is not None:
                on_step(step)
        code = proc.wait()
    except (KeyboardInterrupt, Terminated) as exc:
        proc.send_signal(signal.SIGINT)  # the client cancels the build in the engine
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if isinstance(exc, Terminated):
            raise
        raise PinboxError("build interrupted; nothing was tagged", exit_code=EXIT_INTERRUPTED) from None
    if code != 0:
        raise _failure(log, req)
    return BuildResult(log, time.monotonic() - started)


def _failure(log: BuildLog, req: BuildRequest) -> PinboxError:
    step = log.failed
    if step is None:
        last = "\n".join(f"  | {line}" for line in log.tail[-15:])
        down = any("cannot connect to the docker daemon" in line.lower() for line in log.tail)
        return PinboxError(
            f"docker build failed:\n{last}",
            exit_code=EXIT_FINDINGS,
            path=req.dockerfile,
            hint="start the Docker engine (scripts/docker-engine start, or systemctl start docker)"
            if down
            else None,
        )
    shown = "\n".join(f"  | {line}" for line in step.output[-15:]) or "  | (no output)"
    return PinboxError(
        f"build step failed: {step.name}\n{shown}\n  {step.error}",
        exit_code=EXIT_FINDINGS,
        path=req.dockerfile,
    )


def stage_ref(ref: str, stage: str) -> str:
    """Where a build stage's inline cache lives beside `ref`: repo:tag -> repo:tag-stage."""
    name, sep, tag = ref.rpartition(":")
    if sep and "/" not in tag:
        return f"{name}:{tag}-{stage}"
    return f"{ref}:{stage}"


def push(client: DockerClient, ref: str) -> None:
    result = subprocess.run(client.command("push", ref), env=client.environ(), capture_output=True, text=True)
    if result.returncode != 0:
        raise PinboxError(
            f"docker push {ref} failed: {result.stderr.strip().splitlines()[-1:]}", exit_code=EXIT_FINDINGS
        )


def tag(client: DockerClient, source: str, target: str) -> None:
    subprocess.run(
        client.command("tag", source, target), env=client.environ(), check=True, capture_output=True
    )
