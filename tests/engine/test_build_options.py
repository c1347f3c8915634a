"""`pinbox build` as people drive it: build arguments, a target stage, no cache, BuildKit's plain
log, secrets that never enter a layer, the smoke test, and JSON errors."""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pinbox.engine.docker import find_docker

pytestmark = [pytest.mark.docker, pytest.mark.network]
Run = Callable[..., tuple[int, str, str]]
SECRET = "s3cr3t-" + uuid.uuid4().hex  # a value no layer may hold
DOCKERFILE = """\
FROM python:3.11-slim AS base
ARG GREETING=none
RUN --mount=type=secret,id=token test "$(sha256sum < /run/secrets/token)" = "{digest}  -" \
 && echo "$GREETING" > /greeting
FROM base AS final
COPY requirements.lock /tmp/
RUN python -m pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock
USER nobody
"""


def _docker(*args: str) -> subprocess.CompletedProcess[bytes]:
    client = find_docker()
    return subprocess.run(client.command(*args), env=client.environ(), capture_output=True, timeout=600)


@pytest.fixture
def tag() -> Iterator[str]:
    name = f"pinbox-test/options-{uuid.uuid4().hex[:10]}"
    yield name
    _docker("rmi", "-f", name)


def _project(tmp_path: Path, run_pinbox: Run, requirements: str, *lock: str) -> Path:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "requirements.txt").write_text(requirements)
    digest = hashlib.sha256(SECRET.encode()).hexdigest()  # the build checks it has the secret
    (project / "Dockerfile").write_text(DOCKERFILE.format(digest=digest))
    (project / "token.txt").write_text(SECRET)
    assert run_pinbox("lock", *lock, project)[0] == 0
    return project


def test_build_args_target_secret_no_cache_and_plain_progress(
    tmp_path: Path, run_pinbox: Run, docker: str, tag: str
) -> None:
    project = _project(tmp_path, run_pinbox, "six==1.16.0\n")
    secret = f"id=token,src={project / 'token.txt'}"
    common = ("-t", tag, "--secret", secret, "--build-arg", "GREETING=hello")
    code, out, err = run_pinbox("build", "--json", "--progress", "plain", *common, project)
    assert code == 0, err
    assert "load build definition" in err  # BuildKit's own log, passed through
    summary = json.loads(out)
    assert summary["smoke"]["imported"] == ["six"] and summary["smoke"]["broken"] == []
    assert all(set(r) == {"step", "seconds"} for r in summary["rebuilt"])  # named fields only
    assert all(set(layer) == {"size", "created_by"} for layer in summary["layers"])
    greeting = _docker("run", "--rm", "--network", "none", tag, "cat", "/greeting")
    assert greeting.stdout == b"hello\n"
    saved = _docker("save", tag)  # every layer and the config: the secret is in none of them
    assert saved.returncode == 0 and SECRET.encode() not in saved.stdout
    assert SECRET not in out + err
    code, out, err = run_pinbox("build", "--json", "--no-cache", *common, project)
    assert code == 0, err
    assert [c for c in json.loads(out)["cached"] if " FROM " not in c] == []  # a base is only pulled
    code, out, err = run_pinbox("build", "--json", "--target", "base", *common, project)
    assert code == 0, err
    assert (
        json.loads(out)["smoke"]["skipped"] == "the image is not the final stage for this machine's platform"
    )
    assert _docker("run", "--rm", "--network", "none", tag, "test", "-e", "/tmp/requirements.lock").returncode


def test_smoke_test_names_the_package_pair_to_blame(
    tmp_path: Path, run_pinbox: Run, docker: str, tag: str
) -> None:
    """flask 2.2.2 with today's werkzeug 3 (`--as-of now`): `import flask` fails, and werkzeug is
    named. (By default pinbox locks werkzeug 2.2 for it: see test_old_pins_resolve_as_of_their_time.)"""
    project = _project(tmp_path, run_pinbox, "flask==2.2.2\n", "--as-of", "now")
    secret = f"id=token,src={project / 'token.txt'}"
    code, out, err = run_pinbox("build", "--json", "-t", tag, "--secret", secret, project)
    assert code == 1
    summary = json.loads(out[: out.index("\n}\n") + 2])
    (broken,) = summary["smoke"]["broken"]
    assert broken["requirement"] == "Flask" and broken["module"] == "flask"
    assert broken["blamed"].lower() == "werkzeug" and broken["blamed_version"].startswith("3.")
    assert "ImportError: cannot import name" in broken["error"]
    assert "smoke test failed:\n  `import flask` (Flask 2.2.2) raised ImportError" in err
    assert "pin werkzeug" in err.lower() and "--no-smoke" in err
    error = json.loads(out[out.index("\n}\n") + 3 :])["error"]
    assert error["exit_code"] == 1 and "smoke test failed" in error["message"]
    code, _, err = run_pinbox("build", "--no-smoke", "-t", tag, "--secret", secret, project)
    assert code == 0, err


def test_a_bad_secret_is_an_error_before_anything_runs(tmp_path: Path, run_pinbox: Run, docker: str) -> None:
    project = _project(tmp_path, run_pinbox, "six==1.16.0\n")
    code, out, err = run_pinbox("build", "--json", "--secret", "token", project)
    assert code == 2 and "expected id=NAME,src=FILE" in err
    assert json.loads(out)["error"]["exit_code"] == 2
    code, _, err = run_pinbox("build", "--secret", f"id=token,src={tmp_path / 'missing'}", project)
    assert code == 2 and "no such file" in err
