"""`pinbox lock` end to end: real uv against the real package index."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.lock.render import validate_pylock
from pinbox.lock.uv import uv_binary

from ..conftest import EXAMPLE

pytestmark = pytest.mark.network
Run = Callable[..., tuple[int, str, str]]


def _project(tmp_path: Path, requirements: str, from_line: str = "FROM python:3.11-slim") -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "requirements.txt").write_text(requirements)
    (project / "Dockerfile").write_text(f"{from_line}\nCOPY requirements.lock .\n")
    return project


def _pins(lock: Path) -> dict[str, str]:
    out = {}
    for line in lock.read_text().splitlines():
        if line[:1].isalpha() and "==" in line:
            name, version = line.split(" ")[0].split("==")
            out[name] = version
    return out


@pytest.fixture(scope="module")
def example_lock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pinbox.cli import main

    project = tmp_path_factory.mktemp("example") / "iris-app"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("out", "requirements.lock"))
    assert main(["-q", "lock", str(project)]) == 0
    return project


def test_example_lock_pins_every_transitive_dependency_with_target_hashes(example_lock: Path) -> None:
    text = (example_lock / "requirements.lock").read_text()
    pins = _pins(example_lock / "requirements.lock")
    assert pins["pandas"] == "2.0.3" and pins["scikit-learn"] == "1.3.0"
    assert pins["matplotlib"] == "3.7.2" and pins["numpy"].startswith(("1.24.", "1.25."))
    # transitive dependencies are pinned too, each saying which top-level requirement pulled it in
    assert {"python-dateutil", "pytz", "scipy", "joblib", "pillow"} <= set(pins)
    assert text.count("    # from: ") == len(pins)
    assert "# from: pandas==2.0.3" in text.split("python-dateutil==")[1].split("\n\n")[0]
    assert "# target: cpython-3.11 x86_64-manylinux_2_28" in text
    assert "# inputs: requirements.txt" in text


def test_hashes_are_trimmed_to_the_targets_files(example_lock: Path, tmp_path: Path) -> None:
    ours = {
        line.split("sha256:")[1].strip(" \\")
        for line in (example_lock / "requirements.lock").read_text().splitlines()
        if "--hash=sha256:" in line
    }
    everything = subprocess.run(
        [
            uv_binary(),
            "pip",
            "compile",
            "requirements.txt",
            "--python-version",
            "3.11",
            "--generate-hashes",
            "--no-header",
            "-q",
        ],
        cwd=example_lock,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    all_hashes = {
        line.split("sha256:")[1].strip(" \\") for line in everything.splitlines() if "sha256:" in line
    }
    assert ours <= all_hashes
    assert len(ours) * 5 < len(all_hashes)  # every platform's files vs the image's


def test_check_is_fresh_then_stale_on_input_or_target_change(example_lock: Path, run: Run) -> None:
    code, _, _ = run("lock", "--check", example_lock)
    assert code == 0
    req = example_lock / "requirements.txt"
    original = req.read_text()
    try:
        req.write_text(original + "# a comment changes nothing\n")
        assert run("lock", "--check", example_lock)[0] == 0
        req.write_text(original.replace("pandas==2.0.3", "pandas==2.0.2"))
        code, out, _ = run("lock", "--check", example_lock)
        assert code == 1 and "requirements.txt changed" in out
    finally:
        req.write_text(original)
    dockerfile = example_lock / "Dockerfile"
    text = dockerfile.read_text()
    try:
        dockerfile.write_text(text.replace("python:3.11-slim", "python:3.12-slim"))
        code, out, _ = run("lock", "--check", example_lock)
        assert code == 1 and "cpython-3.12" in out and out.count("\n") == 1
    finally:
        dockerfile.write_text(text)


def test_check_never_runs_the_resolver(example_lock: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOX_UV", "/bin/false")
    assert run("lock", "--check", example_lock)[0] == 0


@pytest.fixture
def run(run_pinbox: Run) -> Run:
    return run_pinbox


def test_multi_platform_lock_installs_on_each_platform(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "numpy==1.26.4\nsix==1.16.0\n")
    code, _, err = run("lock", project, "--platform", "linux/amd64,linux/arm64")
    assert code == 0, err
    lock = project / "requirements.lock"
    assert "x86_64-manylinux_2_28,aarch64-manylinux_2_28" in lock.read_text()
    for platform in ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28"):
        target = tmp_path / platform
        result = subprocess.run(
            [
                uv_binary(),
                "pip",
                "install",
                "--python-platform",
                platform,
                "--python-version",
                "3.11",
                "--target",
                str(target),
                "--require-hashes",
                "--no-deps",
                "-r",
                str(lock),
                "-q",
            ],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        arch = platform.split("-")[0]
        wheel_tags = (target / "numpy-1.26.4.dist-info" / "WHEEL").read_text()
        assert arch in wheel_tags


def test_pylock_format_is_valid_pep751_and_installable(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six==1.16.0\nidna==3.7\n")
    code, _, err = run("lock", project, "--format", "pylock")
    assert code == 0, err
    text = (project / "pylock.toml").read_text()
    lock = validate_pylock(text)
    assert {p.name for p in lock.packages} == {"six", "idna"}
    result = subprocess.run(
        [
            uv_binary(),
            "pip",
            "install",
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--target",
            str(tmp_path / "t"),
            "-r",
            str(project / "pylock.toml"),
            "-q",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t" / "six.py").exists()
    assert run("lock", "--check", "--format", "pylock", project)[0] == 0


def test_exclude_newer_resolves_as_of_a_date(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six\n")
    assert run("lock", project, "--exclude-newer", "2020-06-01")[0] == 0
    assert _pins(project / "requirements.lock")["six"] == "1.15.0"


def test_existing_pins_are_kept_until_upgraded(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six\nidna\n")
    assert run("lock", project, "--exclude-newer", "2020-06-01")[0] == 0
    old = _pins(project / "requirements.lock")
    # same inputs, no date limit: the old pins are preferences, so nothing moves
    assert run("lock", project)[0] == 0
    assert _pins(project / "requirements.lock") == old
    assert run("lock", project, "--upgrade-package", "six")[0] == 0
    bumped = _pins(project / "requirements.lock")
    assert bumped["idna"] == old["idna"] and bumped["six"] != old["six"]
    assert run("lock", project, "--upgrade")[0] == 0
    assert _pins(project / "requirements.lock")["idna"] != old["idna"]


def test_old_pins_resolve_as_of_their_time(tmp_path: Path, run: Run) -> None:
    """flask==2.2.2 allows werkzeug 3, with which `import flask` fails: as of flask 2.2.2's release,
    werkzeug is 2.2; markupsafe had no CPython 3.11 wheel then, so it gets its first one."""
    project = _project(tmp_path, "flask==2.2.2\n")
    code, _, err = run("lock", project)
    assert code == 0, err
    assert "resolved as of 2022-08-09: newest pinned release is flask 2.2.2 (2022-08-08)" in err
    assert "markupsafe has no wheel for the target before 2022-08-09: as of 2023-01-18 for it" in err
    pins = _pins(project / "requirements.lock")
    assert pins["flask"] == "2.2.2" and pins["werkzeug"].startswith("2.2.") and pins["markupsafe"] == "2.1.2"
    text = (project / "requirements.lock").read_text()
    assert "# as-of: 2022-08-09 (newest pinned release is flask 2.2.2 (2022-08-08); markupsafe as of" in text
    assert run("lock", "--check", project)[0] == 0
    code, _, err = run("lock", "--as-of", "now", "-U", project)  # as of today: werkzeug 3
    assert code == 0, err
    assert _pins(project / "requirements.lock")["werkzeug"].split(".")[0] not in ("0", "1", "2")
    assert "--as-of now" in (project / "requirements.lock").read_text().splitlines()[1]
    assert run("lock", "--check", project)[0] == 0  # the choice is recorded and read back
    code, _, err = run("lock", "--as-of", "yesterday", project)
    assert code == 2 and "expected auto, now or a date" in err


def test_uv_lock_is_the_truth(tmp_path: Path, run: Run) -> None:
    """A project that keeps a uv.lock gets its versions in the image's lock, not new ones."""
    project = _project(tmp_path, "requests\n")
    (project / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "requests"\nversion = "2.31.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        '[[package]]\nname = "urllib3"\nversion = "2.0.7"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    )
    code, _, err = run("lock", project)
    assert code == 0, err
    assert "versions from uv.lock: 2 packages kept" in err
    pins = _pins(project / "requirements.lock")
    assert (pins["requests"], pins["urllib3"]) == ("2.31.0", "2.0.7")
    assert "# inputs: requirements.txt uv.lock" in (project / "requirements.lock").read_text()
    assert run("lock", "--check", project)[0] == 0
    (project / "uv.lock").write_text((project / "uv.lock").read_text().replace("2.0.7", "2.0.6"))
    code, out, _ = run("lock", "--check", project)
    assert code == 1 and "one of requirements.txt, uv.lock changed" in out
    (project / "requirements.txt").write_text("requests>=2.32\n")  # what the inputs no longer allow
    code, _, err = run("lock", project)
    assert code == 2 and "requests" in err


def test_a_relock_says_what_changed_and_dry_run_writes_nothing(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six==1.15.0\nidna==2.10\n")
    code, _, err = run("lock", project)
    assert code == 0 and "Added" not in err  # a first lock: everything is new, nothing to list
    lock = project / "requirements.lock"
    first = lock.read_bytes()
    (project / "requirements.txt").write_text("six==1.16.0\ncertifi==2024.2.2\n")
    code, out, err = run("lock", "--dry-run", "--json", project)
    assert code == 0, err
    assert (
        "Add certifi v2024.2.2" in err
        and "Update six v1.15.0 -> v1.16.0" in err
        and "Remove idna v2.10" in err
    )
    summary = json.loads(out)
    assert summary["written"] is False and summary["changes"] == {
        "added": [{"name": "certifi", "version": "2024.2.2"}],
        "removed": [{"name": "idna", "version": "2.10"}],
        "updated": [{"name": "six", "from": "1.15.0", "to": "1.16.0"}],
    }
    assert lock.read_bytes() == first
    code, out, err = run("lock", "-o", "-", project)  # the lock on stdout, nothing written
    assert code == 0 and out.startswith("# This file is generated by pinbox") and "\nsix==1.16.0 \\\n" in out
    assert lock.read_bytes() == first and not (project / "-").exists()
    code, out, _ = run("lock", "--check", "--json", project)
    assert (
        code == 1 and json.loads(out)["status"] == "stale" and "requirements.txt" in json.loads(out)["reason"]
    )
    code, _, err = run("lock", project)
    assert code == 0 and "Updated six v1.15.0 -> v1.16.0" in err and "Added certifi" in err
    code, out, _ = run("lock", "--check", "--json", project)
    assert code == 0 and json.loads(out) | {"output": ""} == {
        "status": "fresh",
        "fresh": True,
        "output": "",
        "reason": None,
        "target": "cpython-3.11 x86_64-manylinux_2_28",
    }
    lock.unlink()
    code, out, _ = run("lock", "--check", "--json", project)
    assert code == 1 and json.loads(out)["status"] == "missing"


def test_no_wheel_for_target_names_package_target_and_options(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "antlr4-python3-runtime==4.9.3\n")
    code, _, err = run("lock", project)
    assert code == 2
    assert "no wheel of antlr4-python3-runtime for CPython 3.11 on linux/" in err
    assert "--allow-sdist antlr4-python3-runtime" in err
    assert not (project / "requirements.lock").exists()
    code, _, err = run("lock", project, "--allow-sdist", "antlr4-python3-runtime")
    assert code == 0, err
    assert "antlr4-python3-runtime==4.9.3" in (project / "requirements.lock").read_text()


def test_every_package_without_a_wheel_is_named_in_one_run(tmp_path: Path, run: Run) -> None:
    """Not one per run: each blocker, with what needs it (the real blocker, not its parent)."""
    project = _project(tmp_path, "omegaconf==2.1.1\nwget==3.2\nsix\n")
    code, _, err = run("lock", project)
    assert code == 2, err
    assert "2 packages have no wheel for CPython 3.11 on linux/amd64" in err
    assert "  wget (a requirement of yours)\n" in err
    assert "  antlr4-python3-runtime (needed by omegaconf==2.1.1)\n" in err
    assert "--allow-sdist wget --allow-sdist antlr4-python3-runtime" in err
    assert not (project / "requirements.lock").exists()


def test_failures_leave_the_old_lock_untouched(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six==1.16.0\n")
    assert run("lock", project)[0] == 0
    before = (project / "requirements.lock").read_bytes()
    (project / "requirements.txt").write_text("six==1.16.0\nno-such-package-pinbox-test==1.0\n")
    code, _, err = run("lock", project)
    assert code == 2 and "no-such-package-pinbox-test was not found" in err
    (project / "requirements.txt").write_text("six==1.16.0\nsix<1.10\n")
    code, _, err = run("lock", project)
    assert code == 2 and "cannot be resolved" in err and "unsatisfiable" in err
    assert (project / "requirements.lock").read_bytes() == before


def test_unreachable_index_is_a_clear_error(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, "six==1.16.0\n")
    monkeypatch.setenv("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    code, _, err = run("lock", project)
    assert code == 2
    assert "cannot reach the package index" in err


def test_pyproject_input_with_extras_and_json_summary(tmp_path: Path, run: Run) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\ndependencies = ["six==1.16.0"]\n'
        '[project.optional-dependencies]\nweb = ["idna==3.7"]\n'
    )
    code, out, err = run(
        "lock", project, "--python", "3.10", "--platform", "linux/arm64", "--extra", "web", "--json"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["target"]["python"] == "3.10"
    assert summary["target"]["platforms"] == ["linux/arm64"]
    assert {p["name"] for p in summary["pins"]} == {"six", "idna"}
    assert summary["counts"]["packages"] == 2
    code, _, err = run("lock", project, "--python", "3.10", "--extra", "gpu")
    assert code == 2 and "no optional-dependencies group 'gpu'" in err


def test_index_options_are_carried_into_the_lock(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "--index-url https://pypi.org/simple\nsix==1.16.0\n")
    assert run("lock", project)[0] == 0
    assert "--index-url https://pypi.org/simple" in (project / "requirements.lock").read_text()


def test_from_freeze_repairs_and_locks(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "")
    (project / "requirements.txt").unlink()
    freeze = project / "frozen.txt"
    freeze.write_text(
        "appnope==0.1.3\n"
        "certifi @ file:///private/var/folders/x/certifi-2023.7.22-py3-none-any.whl\n"
        "-e git+https://example.invalid/me/proj.git@abc123#egg=proj\n"
        "pkg-resources==0.0.0\n"
        "pywin32==306\n"
        "six==1.16.0\n"
    )
    code, _, err = run("lock", project, "--from-freeze", freeze)
    assert code == 0, err
    assert (project / "requirements.in").read_text().splitlines()[1:] == ["certifi==2023.7.22", "six==1.16.0"]
    for dropped in ("appnope==0.1.3", "pywin32==306", "pkg-resources==0.0.0", "-e git+"):
        assert f"dropped {dropped}" in err
    assert "frozen.txt:2: rewritten" in err
    assert _pins(project / "requirements.lock") == {"certifi": "2023.7.22", "six": "1.16.0"}
    (project / "requirements.in").write_text("six\n")
    code, _, err = run("lock", project, "--from-freeze", freeze)
    assert code == 2 and "--force" in err
    assert (project / "requirements.in").read_text() == "six\n"


def test_a_conda_freeze_given_to_plain_lock_points_to_from_freeze(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "")
    (project / "requirements.txt").write_text(
        "six==1.16.0\nnumpy @ file:///home/conda/feedstock_root/build_artifacts/numpy_1707225342954/work\n"
    )
    code, _, err = run("lock", project)
    assert code == 2 and "Distribution not found" not in err
    assert "requirements.txt:2: `numpy @ file:///home/conda/" in err and "does not exist here" in err
    assert "hint: lock the freeze with `pinbox lock --from-freeze requirements.txt`" in err
    assert not (project / "requirements.lock").exists()
    wheel = project / "wheels" / "six-1.16.0-py2.py3-none-any.whl"  # a path that exists is not refused
    wheel.parent.mkdir()
    wheel.write_bytes(b"")
    (project / "requirements.txt").write_text(f"six @ {wheel.as_uri()}\n")
    code, _, err = run("lock", project)
    assert "does not exist here" not in err


def test_an_inconsistent_freeze_keeps_its_versions_where_it_can(tmp_path: Path, run: Run) -> None:
    """botocore 1.29 requires urllib3<1.27, and a later `pip install -U urllib3` moved it to 2.0.7:
    the freeze cannot be locked as written. Only urllib3 moves, said with why."""
    project = _project(tmp_path, "")
    (project / "requirements.txt").unlink()
    freeze = project / "frozen.txt"
    freeze.write_text(
        "botocore==1.29.0\njmespath==1.0.1\npython-dateutil==2.8.2\nsix==1.16.0\nurllib3==2.0.7\n"
    )
    code, _, err = run("lock", project, "--from-freeze", freeze)
    assert code == 0, err
    assert "warning: urllib3 2.0.7 -> 1.26." in err and "botocore (which require urllib3)" in err
    pins = _pins(project / "requirements.lock")
    assert pins["urllib3"].startswith("1.26.")
    assert {k: pins[k] for k in ("botocore", "jmespath", "python-dateutil", "six")} == {
        "botocore": "1.29.0",
        "jmespath": "1.0.1",
        "python-dateutil": "2.8.2",
        "six": "1.16.0",
    }
    written = (project / "requirements.in").read_text()
    assert f"urllib3=={pins['urllib3']}  # the freeze had 2.0.7\n" in written
    assert run("lock", "--check", project)[0] == 0


def test_check_uses_the_options_the_lock_was_made_with(tmp_path: Path, run: Run) -> None:
    from pinbox.lock.plan import staleness

    project = tmp_path / "proj"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\nversion = "0"\ndependencies = ["six==1.16.0"]\n'
        '[project.optional-dependencies]\nweb = ["idna==3.7"]\n'
    )
    assert run("lock", project, "--python", "3.10", "--platform", "linux/arm64", "--extra", "web")[0] == 0
    assert run("lock", "--check", project)[0] == 0
    assert staleness(project, project / "requirements.lock") is None
    code, out, _ = run("lock", "--check", "--python", "3.12", project)
    assert code == 1 and "cpython-3.12" in out
    pyproject.write_text(pyproject.read_text().replace("idna==3.7", "idna==3.6"))
    assert "pyproject.toml changed" in str(staleness(project, project / "requirements.lock"))


def test_includes_and_constraints_are_inputs(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "-r base.in\n-c constraints.txt\nidna\n")
    (project / "base.in").write_text("six\n")
    (project / "constraints.txt").write_text("idna==3.6\nsix==1.16.0\n")
    code, _, err = run("lock", project)
    assert code == 0, err
    assert _pins(project / "requirements.lock") == {"idna": "3.6", "six": "1.16.0"}
    text = (project / "requirements.lock").read_text()
    assert "# inputs: requirements.txt base.in constraints.txt" in text
    (project / "constraints.txt").write_text("idna==3.7\nsix==1.16.0\n")
    code, out, _ = run("lock", "--check", project)
    assert code == 1 and "changed" in out


def test_malformed_requirements_point_at_file_line_and_column(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six==1.16.0\nnumpy>=1.24,<<2\n")
    code, out, err = run("lock", project)
    assert code == 2 and out == ""
    assert "requirements.txt:2:" in err and "numpy>=1.24,<<2" in err and "^" in err
    assert not (project / "requirements.lock").exists()


def test_a_tampered_lock_header_is_damaged_and_never_blocks_regenerating(tmp_path: Path, run: Run) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "requirements.txt").write_text("six==1.16.0\n")
    (project / "requirements.lock").write_text("#    pinbox lock\n# target: cpython-3.11 sparc-nonsense\n")
    code, out, err = run("lock", "--check", project)
    assert code == 1 and "damaged:" in out and "sparc-nonsense" in out and "Traceback" not in err
    code, _, err = run("lock", project)  # no Dockerfile: the damaged header is not trusted
    assert code == 0, err
    assert run("lock", "--check", project)[0] == 0


def test_a_tampered_as_of_in_the_header_falls_back_to_auto(tmp_path: Path, run: Run) -> None:
    project = _project(tmp_path, "six==1.16.0\n")
    (project / "requirements.lock").write_text(
        "# This file is generated by pinbox. Do not edit it; regenerate it with:\n"
        "#    pinbox lock --as-of 'next tuesday'\n"
    )
    code, _, err = run("lock", project)
    assert code == 0, err
    assert "--as-of" not in (project / "requirements.lock").read_text().splitlines()[1]


def test_a_local_project_in_the_requirements_is_named_not_a_crash(tmp_path: Path, run: Run) -> None:
    """`-e .` resolves to a package without a version (it crashed with KeyError: 'version')."""
    project = _project(tmp_path, "six==1.16.0\n-e .\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo-local"\nversion = "0.1.0"\n\n[build-system]\n'
        'requires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    code, _, err = run("lock", "-i", "requirements.txt", project)
    assert code == 2 and "unexpectedly" not in err
    assert "`demo-local` is a local project" in err and "pip install --no-deps ." in err
    assert not (project / "requirements.lock").exists()
