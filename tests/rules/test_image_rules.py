"""Image rules (PB301, PB302, PB304): one-line cases in, findings out, the opencv fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.rules import image
from pinbox.rules.model import Finding, Rule, Severity
from pinbox.rules.registry import select
from tests.rules.helpers import apply_edits, run_rule

SLIM = "FROM python:3.11-slim\n"
INSTALL = SLIM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"


def dockerfile(tmp_path: Path, rule: Rule, text: str) -> list[tuple[int, str]]:
    return [(f.line, f.severity.value) for f in run_rule(tmp_path, rule, {"Dockerfile": text})]


def test_codes_names_and_fixes() -> None:
    assert [(r.code, r.name, r.fix) for r in select(["PB3"])] == [
        ("PB301", "floating-base-image", None),
        ("PB302", "runs-as-root", None),
        ("PB303", "cuda-wheels-on-cpu-image", None),
        ("PB304", "opencv-needs-libgl", "unsafe"),
        ("PB305", "context-bloat", None),
        ("PB306", "entrypoint-not-installed", None),
        ("PB307", "eol-base-image", None),
        ("PB308", "base-torch-reinstalled", None),
    ]


# floating-base-image -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM python\n", [(1, "warning")]),
        ("FROM python:latest\n", [(1, "warning")]),
        ("FROM python:3.11-slim\n", [(1, "info")]),
        ("FROM python:3.11-slim@sha256:abc\n", []),
        ("FROM python@sha256:abc\n", []),
        ("FROM scratch\n", []),
        ("FROM python:3.11 AS build\nFROM build\n", [(1, "info")]),
        ("ARG PY=3.11\nFROM python:${PY}-slim\n", []),
        ("ARG IMAGE=python\nFROM ${IMAGE}\n", [(2, "warning")]),
        ("ARG IMAGE\nFROM ${IMAGE}\n", []),
        ("FROM localhost:5000/app\n", [(1, "warning")]),
        ("FROM localhost:5000/app:1.0\n", [(1, "info")]),
    ],
)
def test_floating_base_image(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    assert dockerfile(tmp_path, image.FLOATING_BASE_IMAGE, text) == expected


def test_floating_base_image_points_at_the_reference(tmp_path: Path) -> None:
    (finding,) = run_rule(
        tmp_path, image.FLOATING_BASE_IMAGE, {"Dockerfile": "FROM --platform=linux/amd64 python\n"}
    )
    assert finding.col == 29 and "python:<version>@sha256:<digest>" in finding.message


# runs-as-root --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SLIM, [1]),
        (SLIM + "USER app\n", []),
        (SLIM + "USER app\nUSER root\n", [3]),
        (SLIM + "USER root\nUSER 1000:1000\n", []),
        (SLIM + "USER 0:0\n", [2]),
        (SLIM + "USER ${APP_USER}\n", []),
        ("FROM python:3.11 AS build\nUSER app\nFROM python:3.11-slim\n", [3]),
        ("FROM python:3.11 AS base\nUSER app\nFROM base\n", []),
        ("FROM gcr.io/distroless/python3-debian12:nonroot\n", []),
    ],
)
def test_runs_as_root(tmp_path: Path, text: str, expected: list[int]) -> None:
    assert [line for line, _ in dockerfile(tmp_path, image.RUNS_AS_ROOT, text)] == expected


@pytest.mark.parametrize(
    ("ref", "patterns", "repository_only", "matched"),
    [
        ("pytorch/pytorch", ["pytorch/pytorch:*"], False, "pytorch/pytorch:*"),  # no tag: latest
        ("docker.io/library/python:3.12-slim@sha256:ab", ["python:3.12-slim"], False, "python:3.12-slim"),
        ("ghcr.io/org/python:3.12-slim", ["python:*slim*"], False, None),
        ("ghcr.io/org/python:3.12-slim", ["alpine:*", "python:*slim*"], True, "python:*slim*"),
        ("registry:5000/app", ["*:latest"], False, "*:latest"),  # a port is not a tag
    ],
)
def test_image_matches(ref: str, patterns: list[str], repository_only: bool, matched: str | None) -> None:
    assert image.image_matches(ref, patterns, repository_only=repository_only) == matched


def test_runs_as_root_suggests_the_distros_command(tmp_path: Path) -> None:
    (alpine,) = run_rule(tmp_path, image.RUNS_AS_ROOT, {"Dockerfile": "FROM python:3.12-alpine\n"})
    assert "adduser -D app" in alpine.message


# opencv-needs-libgl --------------------------------------------------------------------------

OPENCV_ROWS = image.opencv_table()


LOCKED = "COPY . .\nRUN pip install --no-deps -r requirements.lock\n"


def opencv(tmp_path: Path, text: str, **files: str) -> list[Finding]:
    return run_rule(tmp_path, image.OPENCV_NEEDS_LIBGL, {"Dockerfile": text, **files})


def test_opencv_fix_renames_to_headless(tmp_path: Path) -> None:
    before = "numpy==2.1.0\nOpenCV_Python==4.10.0.84  # vision\n"
    (finding,) = opencv(tmp_path, INSTALL, **{"requirements.txt": before})
    assert (finding.path.name, finding.line, finding.severity) == ("requirements.txt", 2, Severity.ERROR)
    assert finding.fix is not None and not finding.fix.safe and finding.fix.path == finding.path
    after = apply_edits(before, list(finding.fix.edits))
    assert after == "numpy==2.1.0\nopencv-python-headless==4.10.0.84  # vision\n"
    again = opencv(tmp_path, INSTALL, **{"requirements.txt": after})
    assert not again  # the rule is silent, so fixing again changes nothing
    assert apply_edits(after, [e for f in again if f.fix for e in f.fix.edits]) == after


@pytest.mark.parametrize("row", OPENCV_ROWS["package"], ids=lambda r: r["name"])
def test_every_opencv_package_has_its_headless_twin(tmp_path: Path, row: dict[str, str]) -> None:
    (finding,) = opencv(tmp_path, INSTALL, **{"requirements.txt": f"{row['name']}==4.10.0.84\n"})
    assert finding.fix and finding.fix.edits[0].text == row["headless"]
    assert not opencv(tmp_path, INSTALL, **{"requirements.txt": f"{row['headless']}==4.10.0.84\n"})


@pytest.mark.parametrize("row", OPENCV_ROWS["slim-base"], ids=lambda r: r["pattern"])
def test_every_slim_base_lacks_libgl(tmp_path: Path, row: dict[str, str]) -> None:
    ref = row["pattern"].replace("*", "3.12-slim")
    assert opencv(
        tmp_path,
        f"FROM {ref}\nRUN pip install -r requirements.txt\n",
        **{"requirements.txt": "opencv-python\n"},
    )


@pytest.mark.parametrize("row", OPENCV_ROWS["libgl"], ids=lambda r: r["name"])
def test_every_libgl_package_satisfies_opencv(tmp_path: Path, row: dict[str, str]) -> None:
    text = INSTALL + f"RUN apt-get update && apt-get install -y --no-install-recommends {row['name']}=1.0\n"
    assert not opencv(tmp_path, text, **{"requirements.txt": "opencv-python\n"})


@pytest.mark.parametrize(
    ("text", "files", "fixable", "says"),
    [
        ("FROM python:3.11\n" + LOCKED, {"requirements.lock": "opencv-python==4.10.0.84\n"}, None, None),
        (SLIM + LOCKED, {"requirements.lock": "opencv-python==4.10.0.84\n"}, False, "is a lock"),
        (
            SLIM + LOCKED,
            {"pylock.toml": '[[packages]]\nname = "opencv-python"\nversion = "4.10.0.84"\n'},
            False,
            "re-lock",
        ),
        (INSTALL, {"requirements.txt": "opencv-python==4.10.0.84 --hash=sha256:aa\n"}, False, "hashes"),
        (INSTALL, {"requirements.txt": "opencv-python\nopencv-python-headless\n"}, False, "remove this line"),
        (
            "FROM python:3.12-alpine\n" + LOCKED,
            {"requirements.lock": "opencv-python==4.10.0.84\n"},
            False,
            "apk add mesa-gl",
        ),
        (SLIM, {"requirements.txt": "opencv-python\n"}, None, None),  # not installed, not a lock
        (SLIM, {"requirements.lock": "opencv-python==4.10.0.84\n"}, None, None),  # the image installs nothing
    ],
)
def test_opencv_cases(
    tmp_path: Path, text: str, files: dict[str, str], fixable: bool | None, says: str | None
) -> None:
    found = opencv(tmp_path, text, **files)
    assert len(found) == (0 if fixable is None else 1)
    if found:
        assert (found[0].fix is not None) == fixable and says is not None and says in found[0].message
