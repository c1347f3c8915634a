"""Image rules (PB301-PB305): one-line cases in, findings out, the opencv fix, the .dockerignore matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.rules import compose, dockerignore, image
from pinbox.rules.dockerignore import DockerIgnore, measure, parse_dockerignore
from pinbox.rules.model import Finding, Rule, Severity
from tests.rules.helpers import apply_edits, run_rule

SLIM = "FROM python:3.11-slim\n"
INSTALL = SLIM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"
CPU = SLIM + "COPY requirements.lock .\nRUN pip install -r requirements.lock\n"
TORCH_LOCK = "torch==2.5.1\nnvidia-cublas-cu12==12.4.5.8\nnvidia-cudnn-cu12==9.1.0.70\n"
GPU_COMPOSE = (
    "services:\n  train:\n    build: .\n    deploy:\n      resources:\n        reservations:\n"
    "          devices:\n            - driver: nvidia\n              count: 1\n"
)


def dockerfile(tmp_path: Path, rule: Rule, text: str) -> list[tuple[int, str]]:
    return [(f.line, f.severity.value) for f in run_rule(tmp_path, rule, {"Dockerfile": text})]


def test_codes_names_and_fixes() -> None:
    assert [(r.code, r.name, r.fix) for r in image.RULES] == [
        ("PB301", "floating-base-image", None),
        ("PB302", "runs-as-root", None),
        ("PB303", "cuda-wheels-on-cpu-image", None),
        ("PB304", "opencv-needs-libgl", "unsafe"),
        ("PB305", "context-bloat", None),
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


def test_runs_as_root_suggests_the_distros_command(tmp_path: Path) -> None:
    (alpine,) = run_rule(tmp_path, image.RUNS_AS_ROOT, {"Dockerfile": "FROM python:3.12-alpine\n"})
    assert "adduser -D app" in alpine.message


# cuda-wheels-on-cpu-image --------------------------------------------------------------------


def cuda(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    return run_rule(tmp_path, image.CUDA_WHEELS_ON_CPU_IMAGE, files)


def test_cuda_wheels_on_cpu_image(tmp_path: Path) -> None:
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": TORCH_LOCK})
    assert (finding.path.name, finding.line) == ("requirements.lock", 2)
    assert "2 CUDA wheels (nvidia-cudnn-cu12, nvidia-cublas-cu12)" in finding.message
    assert "about 1.1 GB (approximate sizes)" in finding.message
    assert (
        "https://download.pytorch.org/whl/cpu" in finding.message and "--torch-backend cpu" in finding.message
    )


@pytest.mark.parametrize("row", compose.cuda_table()["wheel"], ids=lambda r: r["name"])
def test_every_cuda_wheel_row_is_sized(tmp_path: Path, row: dict[str, object]) -> None:
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": f"{row['name']}-cu12==1.0\n"})
    size = dockerignore.human_size(int(float(str(row["mb"])) * 10**6))
    assert f"about {size}" in finding.message and "drop the extra" in finding.message


def test_cuda_sizes_from_a_pylock(tmp_path: Path) -> None:
    wheel = "nvidia_cublas_cu12-12.4.5.8-py3-none-manylinux2014_{}.whl"
    pylock = (
        'lock-version = "1.0"\ncreated-by = "uv"\n\n[[packages]]\nname = "torch"\nversion = "2.5.1"\n\n'
        '[[packages]]\nname = "nvidia-cublas-cu12"\nversion = "12.4.5.8"\nwheels = [\n'
        f'  {{ name = "{wheel.format("aarch64")}", size = 500000000 }},\n'
        f'  {{ name = "{wheel.format("x86_64")}", size = 363400000 }},\n]\n'
    )
    (finding,) = cuda(tmp_path, {"Dockerfile": CPU, "pylock.toml": pylock})
    assert finding.line == 9 and "adding 363.4 MB to Dockerfile" in finding.message


@pytest.mark.parametrize("base", compose.cuda_table()["gpu"]["bases"])
def test_cuda_base_images_ask_for_a_gpu(tmp_path: Path, base: str) -> None:
    ref = base.replace("*", "12.4-cuda")
    assert not cuda(tmp_path, {"Dockerfile": f"FROM {ref}\n", "requirements.lock": TORCH_LOCK})


@pytest.mark.parametrize("hint", compose.cuda_table()["gpu"]["hints"])
def test_gpu_hints_in_the_dockerfile(tmp_path: Path, hint: str) -> None:
    text = CPU + f"# docker run {hint} ...\n"
    assert not cuda(tmp_path, {"Dockerfile": text, "requirements.lock": TORCH_LOCK})


@pytest.mark.parametrize(
    "files",
    [
        {"compose.yaml": GPU_COMPOSE},
        {"requirements.lock": "torch==2.5.1+cpu\nnvidia-ml-py==12.560.30\n"},
        {"Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"},
    ],
    ids=["compose-gpu", "no-cuda-wheels", "cuda-base"],
)
def test_cuda_wheels_wanted_or_absent(tmp_path: Path, files: dict[str, str]) -> None:
    assert not cuda(tmp_path, {"Dockerfile": CPU, "requirements.lock": TORCH_LOCK, **files})


def test_cuda_lock_shared_by_two_dockerfiles_is_reported_once(tmp_path: Path) -> None:
    files = {"Dockerfile": CPU, "api.Dockerfile": CPU, "requirements.lock": TORCH_LOCK}
    (finding,) = cuda(tmp_path, files)
    assert "to Dockerfile, api.Dockerfile," in finding.message


def test_cuda_lock_beside_an_image_that_installs_nothing(tmp_path: Path) -> None:
    text = "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"
    assert not cuda(tmp_path, {"docs/Dockerfile": text, "requirements.lock": TORCH_LOCK})


def test_cuda_without_dockerfile_is_not_an_image_problem(tmp_path: Path) -> None:
    assert not cuda(tmp_path, {"requirements.lock": TORCH_LOCK})


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


# context-bloat: the .dockerignore matcher ----------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        ("foo", "foo", True),
        ("foo", "a/foo", False),  # anchored at the root, unlike .gitignore
        ("foo", "foo/bar/baz", True),  # a matched folder takes its contents
        ("*.pt", "m.pt", True),
        ("*.pt", "a/m.pt", False),
        ("**/*.pt", "m.pt", True),
        ("**/*.pt", "a/b/m.pt", True),
        ("**/__pycache__", "src/pkg/__pycache__/m.pyc", True),
        ("data/", "data/x.csv", True),
        ("/data", "data/x.csv", True),
        ("./data", "data", True),
        ("a/../data", "data", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "ab", False),
        ("a/**", "a/x/y", True),
        ("a/**", "a", False),
        ("**", "x/y", True),
        ("**.pyc", "a/b.pyc", True),  # moby: a leading ** is a plain suffix
        ("?.txt", "a.txt", True),
        ("?.txt", "ab.txt", False),
        ("[ab].txt", "b.txt", True),
        ("a.b", "aXb", False),
        ("\\*", "*", True),
        ("*\n!keep.pt", "keep.pt", False),
        ("*\n!keep.pt", "other.pt", True),
        ("data\n!data/keep", "data/keep/x", False),
        ("data\n!data/keep", "data/other", True),
        ("!a\na", "a", True),  # the last match wins
        ("a\n!a", "a", False),
        ("# comment", "# comment", False),
        (" # not a comment", "# not a comment", True),
        ("  spaced  \n\n", "spaced", True),
        ("[", "[", False),  # invalid: matches nothing
        ("*", ".", False),
    ],
)
def test_dockerignore_matching(patterns: str, path: str, excluded: bool) -> None:
    assert parse_dockerignore(patterns).excludes(path) is excluded


@pytest.mark.parametrize(
    ("patterns", "folder", "expected"),
    [("data\n!data/keep", "data", True), ("data\n!other/x", "data", False), ("*\n!**/*.py", "src", True)],
)
def test_dockerignore_may_reinclude(patterns: str, folder: str, expected: bool) -> None:
    assert parse_dockerignore(patterns).may_reinclude(folder) is expected


def tree(root: Path, files: dict[str, int]) -> Path:
    for name, size in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x" * size)
    return root


def test_measure_applies_ignores_and_exceptions(tmp_path: Path) -> None:
    tree(tmp_path, {"app.py": 10, ".git/HEAD": 100, "data/a.csv": 1000, "data/keep/b.csv": 7, "m.pt": 50})
    sized = measure(tmp_path, parse_dockerignore("data\n!data/keep\n"), dockerignore.bloat_table())
    assert (sized.size, sized.files, sized.truncated) == (167, 4, False)
    assert [(o.path, o.size) for o in sized.offenders] == [(".git/", 100), ("m.pt", 50), ("data/", 7)]


def test_measure_stops_counting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dockerignore, "MAX_FILES", 3)
    tree(tmp_path, {f"f{i}": 1 for i in range(5)})
    sized = measure(tmp_path, DockerIgnore(), ())
    assert sized.truncated and sized.files == 3
    (finding,) = bloat(tmp_path, {})
    assert "in more than 3 files" in finding.message


# context-bloat: the rule ---------------------------------------------------------------------


def bloat(tmp_path: Path, files: dict[str, str], text: str = SLIM + "COPY . .\n") -> list[Finding]:
    return run_rule(tmp_path, dockerignore.CONTEXT_BLOAT, {"Dockerfile": text, **files})


def test_context_without_dockerignore(tmp_path: Path) -> None:
    (finding,) = bloat(tmp_path, {".git/HEAD": "ref: refs/heads/main\n"})
    assert (finding.path.name, finding.line, finding.severity) == ("Dockerfile", 1, Severity.WARNING)
    assert ".git/ (21 bytes, repository history)" in finding.message and "`.git`" in finding.message


def test_small_clean_context_without_dockerignore_is_info(tmp_path: Path) -> None:
    (finding,) = bloat(tmp_path, {"app.py": "print()\n"})
    assert finding.severity is Severity.INFO and "no .dockerignore" in finding.message


@pytest.mark.parametrize("row", dockerignore.bloat_table(), ids=lambda r: r.pattern.text)
def test_every_bloat_row_is_reported(tmp_path: Path, row: dockerignore.Bloat) -> None:
    name = row.pattern.text.replace("**/", "sub/").replace("*", "model")
    name = name if "*." in row.pattern.text else f"{name}/file"
    (finding,) = bloat(tmp_path, {".dockerignore": "# nothing yet\n", name: "x"})
    assert finding.path.name == ".dockerignore" and row.why in finding.message
    assert f"`{row.pattern.text}`" in finding.message
    assert not bloat(tmp_path, {".dockerignore": row.pattern.text + "\n"})


def test_root_anchored_pycache_lets_nested_caches_in(tmp_path: Path) -> None:
    files = {".dockerignore": "__pycache__\n", "src/pkg/__pycache__/m.pyc": "x" * 10}
    (finding,) = bloat(tmp_path, files)
    assert "src/pkg/__pycache__/ (10 bytes" in finding.message and "`**/__pycache__`" in finding.message


def test_copied_paths_are_needed(tmp_path: Path) -> None:
    text = SLIM + "COPY data/ /app/data\nCOPY ./models/best.pt /app/\nCOPY . .\n"
    files = {".dockerignore": ".git\n", "data/x.csv": "1", "models/best.pt": "w"}
    assert not bloat(tmp_path, files, text)


def test_dockerfile_specific_ignore_wins(tmp_path: Path) -> None:
    files = {".dockerignore": "", "Dockerfile.dockerignore": ".git\n", ".git/HEAD": "x"}
    assert not bloat(tmp_path, files)
