"""`pinbox build` against the real engine and a real registry on loopback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pinbox.engine.docker import find_docker

from ..conftest import EXAMPLE

pytestmark = [pytest.mark.docker, pytest.mark.network]
Run = Callable[..., tuple[int, str, str]]
PINBOX = str(Path(sys.executable).parent / "pinbox")


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    client = find_docker()
    return subprocess.run(
        client.command(*args), env=client.environ(), capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def tags() -> Iterator[list[str]]:
    """Tags a test makes; at the end they go, and so do the images a re-used tag left untagged."""
    made: list[str] = []
    yield made
    if made:
        _docker("rmi", "-f", *dict.fromkeys(made))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with a lock and the Dockerfile pinbox init writes."""
    from pinbox.cli import main

    project = tmp_path_factory.mktemp("build") / "iris-app"
    shutil.copytree(
        EXAMPLE, project, ignore=shutil.ignore_patterns("out", "requirements.lock", "pinbox.lock.d")
    )
    assert main(["-q", "init", "--force", str(project)]) == 0
    return project


def _build(
    run_pinbox: Run, project: Path, tag: str, *extra: str, made: list[str] | None = None
) -> tuple[int, dict[str, object], str]:
    """`pinbox build --json`; the image's ID joins `made`, so a tag built twice leaves nothing behind."""
    code, out, err = run_pinbox("build", "--json", "-t", tag, *extra, project)
    if code == 0 and made is not None:
        made.append(_docker("image", "inspect", "-f", "{{.Id}}", tag).stdout.strip())
    return code, (json.loads(out) if code == 0 else {}), err


def test_build_runs_the_training_and_dependency_layers_meet_the_floor(
    generated: Path, run_pinbox: Run, tags: list[str], docker: str, tmp_path: Path
) -> None:
    tag = f"pinbox-test/build-{uuid.uuid4().hex[:10]}"
    tags.append(tag)
    code, summary, err = _build(run_pinbox, generated, tag, made=tags)
    assert code == 0, err
    floor, deps = summary["installed_bytes"], summary["dependency_bytes"]
    assert isinstance(floor, int) and isinstance(deps, int) and floor > 100_000_000
    assert abs(deps / floor - 1) <= 0.05
    out = tmp_path / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    train = _docker("run", "--rm", "--network", "none", "-e", "OUTPUT_DIR=/out", "-v", f"{out}:/out", tag)
    assert train.returncode == 0, train.stderr
    assert (out / "model.pkl").exists() and (out / "confusion.png").exists()
    whoami = _docker("run", "--rm", tag, "id", "-u")
    assert whoami.stdout.strip() == "10001"
    tools = _docker(
        "run", "--rm", tag, "sh", "-c", "ls /opt/venv/bin; ls -d /root/.cache 2>/dev/null || true"
    )
    assert "uv" not in tools.stdout.split() and "/root/.cache" not in tools.stdout
    # nothing changed: every step is cached
    code, again, err = _build(run_pinbox, generated, tag, made=tags)
    assert code == 0, err
    assert again["rebuilt"] == [] or all("FROM" in r["step"] for r in again["rebuilt"])  # type: ignore[union-attr,index]


def test_adding_a_small_dependency_rebuilds_only_its_layer(
    generated: Path, run_pinbox: Run, tags: list[str], docker: str
) -> None:
    tag = f"pinbox-test/build-{uuid.uuid4().hex[:10]}"
    tags.append(tag)
    assert _build(run_pinbox, generated, tag, made=tags)[0] == 0
    requirements = generated / "requirements.txt"
    original = requirements.read_text()
    requirements.write_text(original + "tqdm==4.66.4\n")
    try:
        code, _, err = run_pinbox("build", "-t", tag, generated)
        assert code == 1 and "refusing to build" in err and "--relock" in err
        code, summary, err = _build(run_pinbox, generated, tag, "--relock", made=tags)
        assert code == 0, err
        # the big layers come from cache; the small one holds the new package (it may be cached
        # too when an identical fragment was built before on this engine: the cache is by content)
        cached = " ".join(summary["cached"])  # type: ignore[arg-type]
        rebuilt = " ".join(r["step"] for r in summary["rebuilt"])  # type: ignore[union-attr,index]
        for step in ("/opt/layers/1/", "/opt/layers/2/"):
            assert step in cached, step
        for step in ("1-foundation.txt", "2-large.txt", "/opt/layers/1/", "/opt/layers/2/"):
            assert step not in rebuilt, step
        assert "tqdm" in (generated / "pinbox.lock.d" / "3-small.txt").read_text()
        probe = _docker("run", "--rm", "--network", "none", tag, "python", "-c", "import tqdm, numpy")
        assert probe.returncode == 0, probe.stderr
    finally:
        requirements.write_text(original)
        assert run_pinbox("lock", generated)[0] == 0


def test_platform_outside_the_lock_fails_before_building(
    generated: Path, run_pinbox: Run, docker: str
) -> None:
    code, _, err = run_pinbox("build", "--platform", "linux/arm64", "-t", "pinbox-test/never", generated)
    assert code == 2 and "not linux/arm64" in err and "pinbox lock --platform linux/arm64" in err
    assert _docker("image", "inspect", "pinbox-test/never").returncode != 0


def test_a_failing_step_is_shown_with_its_output(tmp_path: Path, run_pinbox: Run, docker: str) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "requirements.txt").write_text("six==1.16.0\n")
    (project / "Dockerfile").write_text("FROM python:3.11-slim\nRUN echo boom-marker && false\n")
    assert run_pinbox("lock", project)[0] == 0
    code, _, err = run_pinbox("build", "-t", f"pinbox-test/broken-{uuid.uuid4().hex[:8]}", project)
    assert code == 1
    assert "build step failed: [1/2] RUN echo boom-marker && false" in err or "RUN echo boom-marker" in err
    assert "| boom-marker" in err and "Traceback" not in err


def test_build_output_and_json_never_show_a_token(
    tmp_path: Path, run_pinbox: Run, tags: list[str], docker: str
) -> None:
    secret = f"hf_{uuid.uuid4().hex}"
    project = tmp_path / "token"
    project.mkdir()
    (project / "requirements.txt").write_text("six==1.16.0\n")
    (project / "Dockerfile").write_text(
        f"FROM python:3.11-slim\nARG HF_TOKEN={secret}\nRUN echo step-$HF_TOKEN > /dev/null\n"
        f"ENV API_KEY={secret}\nUSER nobody\n"
    )
    assert run_pinbox("lock", project)[0] == 0
    tag = f"pinbox-test/token-{uuid.uuid4().hex[:10]}"
    tags.append(tag)
    code, out, err = run_pinbox("build", "-t", tag, project)
    assert code == 0, err
    history = _docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag).stdout
    assert secret in history  # the image itself holds it (PB208's point); pinbox never prints it
    assert secret not in out + err and "step-****" in err + out
    code, out, err = run_pinbox("build", "--json", "-t", tag, project)
    assert code == 0 and secret not in out + err and json.loads(out)["layers"]


def test_registry_cache_survives_a_pruned_builder(
    generated: Path, run_pinbox: Run, tags: list[str], registry: str
) -> None:
    nonce = uuid.uuid4().hex[:10]
    tag = f"pinbox-test/cache-{nonce}"
    cache = f"{registry}/iris:cache-{nonce}"
    layers = [f"{cache}-layer-{i}" for i in (1, 2, 3)]  # one inline-cache ref per dependency stage
    tags += [tag, cache, *layers]
    # a tools stage no other image on this shared engine has, so its cache is this test's alone
    project = generated.parent / f"iris-{nonce}"
    shutil.copytree(generated, project)
    dockerfile = project / "Dockerfile"
    text = dockerfile.read_text()
    head, sep, rest = text.partition(" AS tools\n")
    assert sep, "the generated Dockerfile has a tools stage"
    dockerfile.write_text(f"{head}{sep}ENV PINBOX_TEST_NONCE={nonce}\n{rest}")
    generated = project
    code, _, err = _build(run_pinbox, generated, tag, "--cache-to", cache, made=tags)
    assert code == 0, err

    def forget() -> None:
        _docker("rmi", "-f", tag, cache, *layers)
        _docker("builder", "prune", "-f")  # dangling cache only (never -a: the engine is shared)

    forget()
    code, summary, err = _build(run_pinbox, generated, tag, "--cache-from", cache, made=tags)
    assert code == 0, err
    cached = " ".join(summary["cached"])  # type: ignore[arg-type]
    for step in ("uv pip install", "1-foundation.txt", "2-large.txt", "3-small.txt"):
        assert step in cached, step
    # the cache really is in the registry: every ref carries BuildKit's inline cache metadata
    for ref in (cache, *layers):
        assert "moby.buildkit.cache.v0" in _registry_config(ref), ref


def _registry_config(ref: str) -> str:
    """The image config a loopback registry holds for `host:port/repo:tag` (Registry HTTP API)."""
    host, _, rest = ref.partition("/")
    repo, _, tag = rest.rpartition(":")
    accept = (
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"
    )
    request = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        manifest = json.loads(response.read())
    with urllib.request.urlopen(
        f"http://{host}/v2/{repo}/blobs/{manifest['config']['digest']}", timeout=30
    ) as blob:
        return str(blob.read().decode())


def test_ctrl_c_stops_the_build_cleanly(tmp_path: Path, docker: str) -> None:
    project = tmp_path / "slow"
    project.mkdir()
    (project / "requirements.txt").write_text("six==1.16.0\n")
    nonce = uuid.uuid4().hex[:10]
    (project / "Dockerfile").write_text(f"FROM python:3.11-slim\nRUN echo {nonce} && sleep 60\n")
    env = {**os.environ, "NO_COLOR": "1"}
    assert subprocess.run([PINBOX, "-q", "lock", str(project)], env=env, timeout=300).returncode == 0
    tag = f"pinbox-test/slow-{nonce}"
    proc = subprocess.Popen(
        [PINBOX, "build", "-t", tag, str(project)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)  # the sleeping step is running by now
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "build interrupted" in err and "Traceback" not in err
    assert _docker("image", "inspect", tag).returncode != 0


def test_push_sends_the_image_to_the_registry(
    generated: Path, run_pinbox: Run, tags: list[str], registry: str
) -> None:
    tag = f"{registry}/iris:push-{uuid.uuid4().hex[:8]}"
    tags.append(tag)
    code, _, err = _build(run_pinbox, generated, tag, "--push", made=tags)
    assert code == 0, err
    assert '"architecture"' in _registry_config(tag)


def test_pip_installer_variant_builds_and_runs(
    generated: Path, run_pinbox: Run, tags: list[str], docker: str, tmp_path: Path
) -> None:
    project = tmp_path / "iris-pip"
    shutil.copytree(generated, project)
    assert run_pinbox("init", "--force", "--installer", "pip", project)[0] == 0
    dockerfile = (project / "Dockerfile").read_text()
    assert "uv pip install" not in dockerfile and "UV_" not in dockerfile
    assert "0-installer.txt" not in dockerfile
    assert "/opt/venv/bin/pip install --prefix" in dockerfile
    assert run_pinbox("check", project)[:2] == (0, "")
    tag = f"pinbox-test/pip-{uuid.uuid4().hex[:10]}"
    tags.append(tag)
    code, _, err = _build(run_pinbox, project, tag, made=tags)
    assert code == 0, err
    probe = _docker(
        "run", "--rm", "--network", "none", tag, "python", "-c", "import sklearn, pandas, matplotlib"
    )
    assert probe.returncode == 0, probe.stderr
