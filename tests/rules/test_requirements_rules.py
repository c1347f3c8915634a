"""Requirements-and-locks rules: one small file in, findings (line, col) out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox import __version__
from pinbox.lock.header import render_header
from pinbox.lock.model import Header
from pinbox.lock.plan import LockOptions, make_plan
from pinbox.requirements import parse_requirements
from pinbox.rules import requirements as family
from pinbox.rules import transitive
from pinbox.rules.context import RequirementsDoc
from pinbox.rules.model import Edit, Finding, Rule
from pinbox.rules.requirements import (
    DUPLICATE,
    EDITABLE,
    LOCAL_FILE,
    MISSING_HASHES,
    PLATFORM_ONLY,
    RANGE,
    STALE_LOCK,
    UNPINNED,
    is_deployable,
)
from pinbox.rules.transitive import MISSING_TRANSITIVE, closure_table
from tests.conftest import EXAMPLE
from tests.rules.helpers import apply_edits, run_rule

H1 = "--hash=sha256:" + "a" * 64
H2 = "--hash=sha256:" + "b" * 64
DOCKERFILE = (
    "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
)
LOCK = "numpy==1.26.4\npandas==2.0.3\npython-dateutil==2.9.0\npytz==2024.1\nsix==1.16.0\ntzdata==2024.1\n"


def lines(tmp_path: Path, rule: Rule, text: str, name: str = "requirements.txt") -> list[tuple[int, int]]:
    return [(f.line, f.col) for f in run_rule(tmp_path, rule, {name: text})]


def messages(tmp_path: Path, rule: Rule, files: dict[str, str]) -> list[str]:
    return [f"{f.path.name}:{f.line}: {f.message}" for f in run_rule(tmp_path, rule, files)]


# --- which files are deployable ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "deployable"),
    [
        ("requirements.txt", True),
        ("requirements-prod.txt", True),
        ("requirements/base.txt", True),
        ("requirements-gpu.txt", True),
        ("requirements.in", False),
        ("requirements-dev.txt", False),
        ("requirements_dev.txt", False),
        ("dev-requirements.txt", False),
        ("test-requirements.txt", False),
        ("requirements.test.txt", False),
        ("requirements-tests.txt", False),
        ("requirements-docs.txt", False),
        ("requirements/test.txt", False),
        ("requirements/dev.txt", False),
        ("docs/requirements.txt", False),
        ("constraints.txt", False),
    ],
)
def test_is_deployable(name: str, deployable: bool) -> None:
    doc = RequirementsDoc(Path(name), "", parse_requirements("", name), is_lock=False)
    assert is_deployable(doc) is deployable


def test_a_lock_is_not_deployable() -> None:
    doc = RequirementsDoc(Path("requirements.txt"), "", parse_requirements(""), is_lock=True)
    assert not is_deployable(doc)


def test_dev_files_and_locks_are_left_to_lock_rules(tmp_path: Path) -> None:
    files = {
        "requirements-dev.txt": "pytest\n-e .\n",
        "requirements.lock": "numpy>=1\n",
        "requirements.in": "x\n",
    }
    for rule in (UNPINNED, RANGE, EDITABLE, MISSING_TRANSITIVE):
        assert run_rule(tmp_path, rule, files) == []


# --- PB101 unpinned-requirement ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("numpy\n", [(1, 1)]),
        ("numpy[extra]\n", [(1, 1)]),
        ("  numpy ; python_version > '3.8'\n", [(1, 3)]),
        ("pandas==2.0.3\nnumpy\n", [(2, 1)]),
        ("numpy==1.26.4\n", []),
        ("numpy>=1.24\n", []),  # a range, reported by range-requirement
        ("numpy @ https://example.org/numpy-1.26.4-py3-none-any.whl\n", []),
        ("-e ./pkg\n./pkg\n--index-url https://example.org/simple\n", []),
    ],
)
def test_unpinned_requirement(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, UNPINNED, text) == expected


def test_unpinned_message(tmp_path: Path) -> None:
    assert "numpy has no version" in messages(tmp_path, UNPINNED, {"requirements.txt": "numpy\n"})[0]


# --- PB102 range-requirement ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("numpy>=1.24.0,<1.26.0\n", [(1, 1)]),
        ("numpy>=1.24\n", [(1, 1)]),  # hadolint calls these pinned
        ("numpy~=1.26.0\n", [(1, 1)]),
        ("numpy<2\n", [(1, 1)]),
        ("numpy!=1.25.0\n", [(1, 1)]),
        ("numpy==1.2.*\n", [(1, 1)]),
        ("numpy==1.26.4\n", []),
        ("numpy===1.26.4\n", []),
        ("numpy\n", []),  # no version at all: unpinned-requirement
        (f"numpy==1.26.4 {H1}\n", []),
    ],
)
def test_range_requirement(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, RANGE, text) == expected


def test_range_message_shows_the_spec_as_written(tmp_path: Path) -> None:
    [message] = messages(
        tmp_path, RANGE, {"requirements.txt": "numpy>=1.24.0,<1.26.0 ; python_version>'3'\n"}
    )
    assert "`numpy>=1.24.0,<1.26.0` allows more than one version" in message


# --- PB103 missing-transitive-pins ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pandas==2.0.3\n", [(1, 1)]),
        ("flask==3.0.0\nrequests==2.31.0\n", [(1, 1)]),
        ("numpy==1.26.4\nrequests==2.31.0\n", [(2, 1)]),
        ("pandas==2.0.3\nnumpy==1.26.4\n", []),
        ("pandas==2.0.3\nnumpy>=1.24\n", [(1, 1)]),  # a range is not a pin
        ("pandas>=2\n", []),  # the top-level line is not pinned: range-requirement's job
        ("left-pad==1.0\n", []),  # not in the table
        ("pandas==2.0.3\n-c constraints.txt\n", []),  # constraints pin the rest
    ],
)
def test_missing_transitive_pins_from_the_table(
    tmp_path: Path, text: str, expected: list[tuple[int, int]]
) -> None:
    assert lines(tmp_path, MISSING_TRANSITIVE, text) == expected


@pytest.mark.parametrize(("package", "requires"), sorted(closure_table().items()))
def test_every_closure_row_is_used(tmp_path: Path, package: str, requires: tuple[str, ...]) -> None:
    [message] = messages(tmp_path / "alone", MISSING_TRANSITIVE, {"requirements.txt": f"{package}==1.0\n"})
    assert f"`{package}==1.0` is pinned but not the packages it depends on" in message
    for i, dependency in enumerate(requires):  # pinning any one of them is enough
        files = {"requirements.txt": f"{package}==1.0\n{dependency}==1.0\n"}
        found = run_rule(tmp_path / str(i), MISSING_TRANSITIVE, files)
        assert [f.line for f in found] in ([], [2])  # line 2 if the dependency has its own row


def test_closure_table_names_are_normalised() -> None:
    from packaging.utils import canonicalize_name

    for package, requires in closure_table().items():
        assert all(name == canonicalize_name(name) for name in (package, *requires))
        assert package not in requires and len(set(requires)) == len(requires)


def test_included_files_count_as_pinned(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-r requirements-base.txt\npandas==2.0.3\n",
        "requirements-base.txt": "numpy==1\n",
    }
    assert run_rule(tmp_path, MISSING_TRANSITIVE, files) == []
    files["requirements-base.txt"] = "flask==3.0.0\n"
    assert [(f.path.name, f.line) for f in run_rule(tmp_path, MISSING_TRANSITIVE, files)] == [
        ("requirements-base.txt", 1),
        ("requirements.txt", 2),
    ]


def test_lock_beside_the_installed_file_names_what_it_lacks(tmp_path: Path) -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        "requirements.txt": "pandas==2.0.3\nnumpy==1.26.4\n",
        "requirements.lock": LOCK,
    }
    assert messages(tmp_path, MISSING_TRANSITIVE, files) == [
        "requirements.txt:1: pins only top-level packages: requirements.lock beside it also pins "
        "python-dateutil, pytz, six and 1 more; install the lock"
    ]


def test_pylock_beside_the_installed_file(tmp_path: Path) -> None:
    pylock = 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\n[[packages]]\nname = "Python_Dateutil"\n'
    files = {"Dockerfile": DOCKERFILE, "requirements.txt": "numpy==1.26.4\n", "pylock.toml": pylock}
    [message] = messages(tmp_path, MISSING_TRANSITIVE, files)
    assert message.endswith("pylock.toml beside it also pins python-dateutil; install the lock")


@pytest.mark.parametrize(
    "run",
    [
        "pip install -r requirements.lock",  # the image installs the lock
        "pip install -r requirements.txt -c requirements.lock",  # constrained by it
        "pip install --no-deps -r requirements.txt",  # nothing else gets installed
        "pip install .",  # the file is not installed at all
    ],
)
def test_images_that_do_not_install_the_top_level_file_alone(tmp_path: Path, run: str) -> None:
    files = {"Dockerfile": f"FROM python:3.11-slim\nRUN {run}\n", "requirements.txt": "pandas==2.0.3\n"}
    assert run_rule(tmp_path, MISSING_TRANSITIVE, {**files, "requirements.lock": LOCK}) == []


def test_without_a_dockerfile_a_file_with_a_lock_beside_is_its_input(tmp_path: Path) -> None:
    files = {"requirements.txt": "pandas==2.0.3\n", "requirements.lock": LOCK}
    assert run_rule(tmp_path, MISSING_TRANSITIVE, files) == []


def test_lock_with_nothing_more_is_fine(tmp_path: Path) -> None:
    files = {"Dockerfile": DOCKERFILE, "requirements.txt": LOCK, "requirements.lock": LOCK}
    assert run_rule(tmp_path, MISSING_TRANSITIVE, files) == []


# --- PB104 missing-hashes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"numpy==1.26.4 {H1}\npandas==2.0.3\n", [(2, 1)]),
        (f"numpy==1.26.4 \\\n    {H1} \\\n    {H2}\npandas==2.0.3\n", [(4, 1)]),
        ("--require-hashes\nnumpy==1.26.4\n", [(2, 1)]),
        (f"numpy==1.26.4 {H1}\n./vendor/pkg\n", [(2, 1)]),
        (f"numpy==1.26.4 {H1}\npandas==2.0.3 {H2}\n", []),
        (f"numpy==1.26.4 {H1}\nx @ https://example.org/x-1.0-py3-none-any.whl#sha256={'c' * 64}\n", []),
        (f"numpy==1.26.4 {H1}\n--index-url https://example.org/simple\n", []),
        ("numpy==1.26.4\npandas==2.0.3\n", []),
    ],
)
def test_missing_hashes(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, MISSING_HASHES, text) == expected


def test_missing_hashes_checks_locks_and_dev_files(tmp_path: Path) -> None:
    text = f"numpy==1.26.4 {H1}\npandas==2.0.3\n"
    files = {"requirements.lock": text, "requirements-dev.txt": text}
    assert messages(tmp_path, MISSING_HASHES, files) == [
        "requirements-dev.txt:2: pandas has no --hash but line 1 has one; in hash-checking mode pip "
        "refuses the whole file",
        "requirements.lock:2: pandas has no --hash but line 1 has one; in hash-checking mode pip "
        "refuses the whole file",
    ]


# --- PB105 local-file-reference ---------------------------------------------------------------

CONDA = "numpy @ file:///home/conda/feedstock_root/build_artifacts/numpy_1668919081525/work\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CONDA, [(1, 1)]),
        ("pandas==2.0.3\n" + CONDA, [(2, 1)]),
        ("numpy @ https://example.org/numpy-1.26.4-py3-none-any.whl\n", []),
        ("numpy==1.26.4\n", []),
    ],
)
def test_local_file_reference(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, LOCAL_FILE, text) == expected


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        (CONDA, "pin its released version (`pip list --format=freeze`)"),
        ("numpy @ file:///w/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl\n", "pin `numpy==1.26.4`"),
        ("flask @ file:///src/dist/flask-3.0.0.tar.gz\n", "pin `flask==3.0.0`"),
    ],
)
def test_local_file_reference_suggests_a_pin(tmp_path: Path, text: str, advice: str) -> None:
    [message] = messages(tmp_path, LOCAL_FILE, {"requirements.txt": text})
    assert message.endswith(advice)


# --- PB106 editable-install -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-e ./pkg\n", [(1, 1)]),
        ("numpy==1.26.4\n  --editable=git+https://example.org/x.git#egg=x\n", [(2, 3)]),
        ("./pkg\n", []),
        ("numpy==1.26.4\n", []),
    ],
)
def test_editable_install(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, EDITABLE, text) == expected


# --- PB107 platform-only-package --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pywin32==306\n", [(1, 1)]),
        ("numpy==1.26.4\nPyObjC-Core==10.0\n", [(2, 1)]),
        ('appnope==0.1.3 ; sys_platform != "win32"\n', [(1, 1)]),  # the marker lets Linux in
        ('pywin32==306 ; sys_platform == "win32"\n', []),
        ('pywin32==306 ; platform_system == "Windows"\n', []),
        ('appnope==0.1.3 ; sys_platform == "darwin"\n', []),
        ("numpy==1.26.4\n", []),
    ],
)
def test_platform_only_package(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, PLATFORM_ONLY, text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "pywin32==306\n",
            "for Windows only (Windows API bindings): it has no Linux wheel and no source distribution, "
            'so pip fails in a Linux image; drop it or add `; sys_platform == "win32"`',
        ),
        (
            "tensorflow-macos==2.13.0\n",
            "for macOS only (TensorFlow's macOS build): it has no Linux wheel and no source "
            "distribution, so pip fails in a Linux image; use tensorflow instead",
        ),
        (  # a pure-Python wheel: it installs, so the message must not say pip fails
            "appnope==0.1.4\n",
            "for macOS only (macOS App Nap control (IPython on macOS)): its pure-Python wheel installs on "
            'Linux but does nothing there (or fails when used); drop it or add `; sys_platform == "darwin"`',
        ),
        (
            "pyobjc-core==10.3\n",
            "it has no Linux wheel, so pip tries to build it from source, which fails off macOS; drop it "
            'or add `; sys_platform == "darwin"`',
        ),
    ],
)
def test_platform_only_message(tmp_path: Path, text: str, says: str) -> None:
    assert messages(tmp_path, PLATFORM_ONLY, {"requirements.txt": text})[0].endswith(says)


# --- PB108 duplicate-requirement --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("numpy==1.26.4\nnumpy==1.26.4\n", [(2, 1)]),
        ("Foo_Bar==1.0\nfoo-bar==2.0\n", [(2, 1)]),
        ("numpy==1.26.4\npandas==2.0.3\nnumpy[extra]>=1\nnumpy\n", [(3, 1), (4, 1)]),
        ('numpy==1.24.4 ; python_version < "3.9"\nnumpy==1.26.4 ; python_version >= "3.9"\n', []),
        ("numpy==1.26.4\npandas==2.0.3\n", []),
    ],
)
def test_duplicate_requirement(tmp_path: Path, text: str, expected: list[tuple[int, int]]) -> None:
    assert lines(tmp_path, DUPLICATE, text) == expected


def test_duplicate_points_at_the_first_and_fixes_only_exact_repeats(tmp_path: Path) -> None:
    text = "numpy==1.26.4\nFoo_Bar==1.0\nfoo-bar==2.0\nnumpy==1.26.4  # again\n"
    found = run_rule(tmp_path, DUPLICATE, {"requirements.lock": text})
    assert [f.message for f in found] == [
        "foo-bar is already required on line 2 as `Foo_Bar==1.0` (pip merges both or fails on a conflict); "
        "keep one line",
        "numpy is already required on line 1 by the same line; keep one line",
    ]
    assert found[0].fix is None
    assert apply_edits(text, _edits(found)) == "numpy==1.26.4\nFoo_Bar==1.0\nfoo-bar==2.0\n"


def test_duplicate_fix_removes_continuation_lines_and_is_idempotent(tmp_path: Path) -> None:
    text = f"numpy==1.26.4 \\\n    {H1}\npandas==2.0.3\nnumpy==1.26.4 \\\n    {H1}\n"
    fixed = apply_edits(text, _edits(run_rule(tmp_path, DUPLICATE, {"requirements.txt": text})))
    assert fixed == f"numpy==1.26.4 \\\n    {H1}\npandas==2.0.3\n"
    assert run_rule(tmp_path, DUPLICATE, {"requirements.txt": fixed}) == []


def _edits(findings: list[Finding]) -> list[Edit]:
    return [edit for f in findings if f.fix for edit in f.fix.edits]


# --- PB109 stale-lock -------------------------------------------------------------------------


def _lock(project: Path, body: str = "numpy==1.26.4\n", output: str = "requirements.lock") -> str:
    """A lock whose header is what `pinbox lock` would write for the project as it is now."""
    fmt = "pylock" if output.endswith(".toml") else None
    plan = make_plan(LockOptions(project=project, output=output, format=fmt))
    command = "pinbox lock" + (" --format pylock" if fmt else "")
    inputs = (plan.inputs.relative(plan.inputs.path),)
    return render_header(Header(__version__, plan.target.key(), inputs, plan.digest, command)) + body


def test_stale_lock_is_silent_while_fresh_and_reports_an_edited_input(tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("numpy==1.26.4\n")
    files = {"requirements.lock": _lock(tmp_path)}
    assert run_rule(tmp_path, STALE_LOCK, files) == []
    (tmp_path / "requirements.in").write_text("numpy==2.0.0\n")
    assert messages(tmp_path, STALE_LOCK, files) == [
        "requirements.lock:1: requirements.in changed since requirements.lock was made; "
        "regenerate it with `pinbox lock`"
    ]


def test_stale_pylock(tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("numpy==1.26.4\n")
    files = {"pylock.toml": _lock(tmp_path, 'lock-version = "1.0"\n', "pylock.toml")}
    assert run_rule(tmp_path, STALE_LOCK, files) == []
    (tmp_path / "requirements.in").write_text("numpy==2.0.0\n")
    assert [(f.path.name, f.line, f.col) for f in run_rule(tmp_path, STALE_LOCK, files)] == [
        ("pylock.toml", 1, 1)
    ]


def test_stale_lock_in_a_subfolder_is_checked_against_its_own_inputs(tmp_path: Path) -> None:
    api = tmp_path / "services" / "api"
    api.mkdir(parents=True)
    (api / "requirements.in").write_text("flask==3.0.0\n")
    (tmp_path / "requirements.in").write_text("numpy==1.26.4\n")
    assert run_rule(tmp_path, STALE_LOCK, {"services/api/requirements.lock": _lock(api)}) == []


def test_stale_lock_whose_inputs_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("numpy==1.26.4\n")
    files = {"requirements.lock": _lock(tmp_path)}
    (tmp_path / "requirements.in").unlink()
    [message] = messages(tmp_path, STALE_LOCK, files)
    assert message.startswith(
        "requirements.lock:1: cannot tell whether requirements.lock is fresh: no requirements"
    )


def test_locks_not_made_by_pinbox_are_not_checked_for_staleness(tmp_path: Path) -> None:
    files = {"requirements.in": "numpy\n", "requirements.lock": "# made by hand\nnumpy==1.26.4\n"}
    assert run_rule(tmp_path, STALE_LOCK, files) == []


# --- the family as a whole --------------------------------------------------------------------

FAMILY = sorted((*family.RULES, *transitive.RULES), key=lambda rule: rule.code)  # docs in one table


def test_tutorial_example(tmp_path: Path) -> None:
    files = {name: (EXAMPLE / name).read_text() for name in ("Dockerfile", "requirements.txt")}
    found = [f for rule in FAMILY for f in run_rule(tmp_path, rule, files)]
    assert [(f.line, f.name) for f in found] == [(4, "range-requirement"), (2, "missing-transitive-pins")]
    assert found[1].message == (
        "pins only top-level packages: `pandas==2.0.3` is pinned but not the packages it depends on; "
        "lock the set (`pinbox lock`)"
    )


def test_codes_names_and_docs() -> None:
    assert [(r.code, r.name) for r in FAMILY] == [
        ("PB101", "unpinned-requirement"),
        ("PB102", "range-requirement"),
        ("PB103", "missing-transitive-pins"),
        ("PB104", "missing-hashes"),
        ("PB105", "local-file-reference"),
        ("PB106", "editable-install"),
        ("PB107", "platform-only-package"),
        ("PB108", "duplicate-requirement"),
        ("PB109", "stale-lock"),
        ("PB112", "credentials-in-requirements"),
    ]
    sections = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"]
    for rule in FAMILY:
        headings = [line for line in rule.doc.splitlines() if line.startswith("## ")]
        assert headings == sections, rule.name
        assert rule.summary and rule.doc.startswith("## What it does\n")
        fix_safety = rule.doc.split("## Fix safety\n")[1]
        assert fix_safety.startswith("Safe" if rule.fix else "No fix: "), rule.name


@pytest.mark.network
def test_platform_only_table_matches_the_files_on_pypi() -> None:
    """Each row's `linux` is what pip meets on Linux in the package's latest release on PyPI."""
    import json
    import urllib.request

    from packaging.utils import parse_sdist_filename, parse_wheel_filename

    from pinbox.requirements.platforms import platform_only_table

    for row in platform_only_table():
        name = row.name.replace("*", "-core")  # pyobjc* -> pyobjc-core
        request = urllib.request.Request(
            f"https://pypi.org/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            files = [f["filename"] for f in json.load(response)["files"] if not f.get("yanked")]
        releases: dict[object, list[str]] = {}
        for filename in files:
            try:
                parse = parse_wheel_filename if filename.endswith(".whl") else parse_sdist_filename
                releases.setdefault(parse(filename)[1], []).append(filename)  # type: ignore[operator]
            except ValueError:
                continue
        latest = releases[max(v for v in releases if not v.is_prerelease)]  # type: ignore[attr-defined]
        wheels = [parse_wheel_filename(f)[3] for f in latest if f.endswith(".whl")]
        linux = any(t.platform == "any" or "linux" in t.platform for tags in wheels for t in tags)
        sdist = any(not f.endswith(".whl") for f in latest)
        assert row.linux == ("installs" if linux else "build" if sdist else "none"), row.name


def test_a_lock_elsewhere_says_what_that_release_pulls_in(tmp_path: Path) -> None:
    lock = (
        "# inputs-digest: x\ntorch==1.10.1 \\\n    --hash=sha256:aa\n    # from: torch==1.10.1\n"
        "typing-extensions==4.7.1 \\\n    --hash=sha256:bb\n    # from: torch==1.10.1\n"
    )
    files = {"requirements.txt": "torch==1.10.1\n", "deploy/requirements.lock": lock}
    [message] = messages(tmp_path, MISSING_TRANSITIVE, files)
    assert "torch==1.10.1 pulls in typing-extensions (per " in message
    assert "filelock" not in message and "sympy" not in message  # torch 2.x's, not this release's
    via = "torch==1.10.1\n    # via -r requirements.in\ntyping-extensions==4.7.1\n    # via torch\n"
    files = {"requirements.txt": "torch==1.10.1\n", "deploy/requirements.lock": via}
    assert "pulls in typing-extensions" in messages(tmp_path / "via", MISSING_TRANSITIVE, files)[0]
