"""`--fix` never damages a file: exact-text edits, line endings and BOM kept, every pass verified
(words, parse, finding gone) before anything is written, fixing twice equals once."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinbox.cli import main
from pinbox.errors import PinboxError
from pinbox.fix import changes_only_its_words, choose, fix
from pinbox.rules.model import Edit, Finding, Fix

Run = Callable[..., tuple[int, str, str]]
BOM = b"\xef\xbb\xbf"


# --- the word check ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "edit", "ok"),
    [
        ("RUN pip install -U pip", Edit(15, 15, " --no-cache-dir"), True),
        ("RUN pip install -U pip", Edit(16, 16, " --no-cache-dir"), False),  # glued to -U
        ("RUN pip install -r requirements.txt", Edit(30, 30, " --no-cache-dir"), False),  # inside a word
        ('RUN ["pip", "install", "x"]', Edit(21, 21, ', "--no-cache-dir"'), True),
        ("a==1\r\nb==1\r\na==1\r\n", Edit(12, 18, ""), True),
        ("opencv-python==4.9.0.80", Edit(0, 13, "opencv-python-headless"), True),
        ("opencv-python==4.9.0.80", Edit(0, 12, "opencv-python-headless"), False),
    ],
)
def test_changes_only_its_words(before: str, edit: Edit, ok: bool) -> None:
    after = before[: edit.start] + edit.text + before[edit.end :]
    assert changes_only_its_words(before, after, [edit]) is ok


def finding(path: Path, edits: tuple[Edit, ...], code: str = "PB999", line: int = 1) -> Finding:
    return Finding(path, line, 1, code, "test-rule", "m", fix=Fix("f", edits))


def test_a_fix_that_glues_words_is_refused_naming_rule_and_line(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    bad = finding(path, (Edit(16, 16, " --no-cache-dir"),), line=2)
    with pytest.raises(PinboxError) as info:
        fix([bad], {path: "RUN pip install -U pip\n"}, lambda overlay: ([], set()), unsafe=False)
    assert "PB999 test-rule at line 2 would change words it was not meant to change" in info.value.message
    assert "nothing was written" in info.value.message


def test_a_fix_that_leaves_its_finding_or_breaks_parsing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    first = finding(path, (Edit(3, 3, " x"),))
    with pytest.raises(PinboxError, match="does not remove the finding it is for"):
        fix([first], {path: "RUN a\n"}, lambda overlay: ([first], set()), unsafe=False)
    with pytest.raises(PinboxError, match="would leave a file that does not parse"):
        fix([first], {path: "RUN a\n"}, lambda overlay: ([], {path}), unsafe=False)


def test_a_fix_is_verified_per_file_and_rule(tmp_path: Path) -> None:
    path, other = tmp_path / "Dockerfile", tmp_path / "other"
    fixed = [finding(path, (Edit(i, i, " x"),), line=i) for i in (3, 5)]
    left_elsewhere = [finding(other, (), code="PB999"), finding(path, (), code="PB000")]
    check = lambda overlay: (left_elsewhere, set())  # noqa: E731
    assert fix([*fixed, *left_elsewhere], {path: "RUN a\n"}, check, unsafe=False).findings == left_elsewhere
    one_left = lambda overlay: ([fixed[0]], set())  # noqa: E731
    with pytest.raises(PinboxError, match="PB999 test-rule at line 5 does not remove"):
        fix(fixed, {path: "RUN a\n"}, one_left, unsafe=False)


class Code(str):
    """A rule code that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        Code.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_verifying_many_fixes_compares_each_finding_a_few_times_not_with_every_other(
    tmp_path: Path,
) -> None:
    path, count = tmp_path / "Dockerfile", 400
    code = Code("PB999")
    text = "RUN a\n" * count
    found = [
        Finding(path, i + 1, 1, code, "test-rule", "m", fix=Fix("f", (Edit(6 * i + 5, 6 * i + 5, " x"),)))
        for i in range(count)
    ]
    Code.compared = 0
    fixed = fix(found, {path: text}, lambda overlay: ([], set()), unsafe=False)
    assert fixed.changes[path][1] == "RUN a x\n" * count
    assert Code.compared < 10 * count  # comparing every pair is count * count


def naive_choose(findings: list[Finding]) -> list[Finding]:
    """`choose` as first written: every edit against every taken edit."""
    chosen: list[Finding] = []
    taken: list[tuple[int, int]] = []
    ordered = sorted(findings, key=lambda f: min(e.start for e in f.fix.edits), reverse=True)  # type: ignore[union-attr]
    for finding in ordered:
        spans = [(e.start, e.end) for e in finding.fix.edits]  # type: ignore[union-attr]
        if any((s < te and ts < e) or (s == e == ts) for s, e in spans for ts, te in taken):
            continue
        chosen.append(finding)
        taken += spans
    return chosen


SPAN = st.tuples(st.integers(0, 30), st.integers(0, 6)).map(lambda p: Edit(p[0], p[0] + p[1], "x"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(SPAN, min_size=1, max_size=3), max_size=12))
def test_choose_takes_the_fixes_comparing_every_pair_would(fixes: list[list[Edit]]) -> None:
    found = [finding(Path("Dockerfile"), tuple(edits), line=i) for i, edits in enumerate(fixes)]
    assert choose(found) == naive_choose(found)


# --- the CLI on files with CRLF, a BOM, tabs, backtick escapes, no final newline --------------

CASES = {
    "crlf": (
        b"FROM python:3.11-slim\r\nRUN pip install -U pip\r\nRUN pip install -r requirements.txt\r\n",
        b"FROM python:3.11-slim\r\nRUN pip install --no-cache-dir -U pip\r\n"
        b"RUN pip install --no-cache-dir -r requirements.txt\r\n",
    ),
    "bom-crlf": (
        BOM + b"FROM python:3.11-slim\r\nRUN pip install \\\r\n  -r requirements.txt\r\n",
        BOM + b"FROM python:3.11-slim\r\nRUN pip install --no-cache-dir \\\r\n  -r requirements.txt\r\n",
    ),
    "mixed-tabs-trailing-no-final-newline": (
        b"FROM python:3.11-slim\r\nRUN\tpip\tinstall  \t-r requirements.txt   \nRUN pip install x==1",
        b"FROM python:3.11-slim\r\nRUN\tpip\tinstall --no-cache-dir  \t-r requirements.txt   \n"
        b"RUN pip install --no-cache-dir x==1",
    ),
    "backtick-escape": (
        b"# escape=`\r\nFROM python:3.11-slim\r\nRUN pip install `\r\n    -r requirements.txt\r\n",
        b"# escape=`\r\nFROM python:3.11-slim\r\n"
        b"RUN pip install --no-cache-dir `\r\n    -r requirements.txt\r\n",
    ),
    "heredoc-crlf": (
        b"FROM python:3.11-slim\r\nRUN <<EOF\r\npip install -r requirements.txt\r\nEOF\r\n",
        b"FROM python:3.11-slim\r\nRUN <<EOF\r\npip install --no-cache-dir -r requirements.txt\r\nEOF\r\n",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_edits_exact_bytes_and_keeps_endings_and_bom(tmp_path: Path, run_pinbox: Run, name: str) -> None:
    before, expected = CASES[name]
    (tmp_path / "Dockerfile").write_bytes(before)
    (tmp_path / "requirements.txt").write_bytes(b"flask==3.0.3\r\n")
    run_pinbox("check", "--fix", "--select", "pip-cache-in-image", tmp_path)
    assert (tmp_path / "Dockerfile").read_bytes() == expected
    code, out, _ = run_pinbox("check", "--select", "pip-cache-in-image,parse-error", tmp_path)
    assert (code, out) == (0, "")


def test_requirements_fix_keeps_bom_and_crlf(tmp_path: Path, run_pinbox: Run) -> None:
    (tmp_path / "requirements.txt").write_bytes(BOM + b"flask==3.0.3\r\nrich==13.7.1\r\nflask==3.0.3\r\n")
    run_pinbox("check", "--fix", "--select", "duplicate-requirement", tmp_path)
    assert (tmp_path / "requirements.txt").read_bytes() == BOM + b"flask==3.0.3\r\nrich==13.7.1\r\n"


def test_a_file_changed_during_the_check_is_not_overwritten(tmp_path: Path) -> None:
    from pinbox.fsutil import write_fixed

    path = tmp_path / "Dockerfile"
    path.write_text("RUN b\n")
    with pytest.raises(PinboxError, match="changed on disk"):
        write_fixed(path, "RUN a\n", "RUN a --x\n")
    assert path.read_text() == "RUN b\n"


# --- properties: CRLF and BOM variants fix alike; twice equals once ---------------------------

PACKAGES = st.sampled_from(["flask", "flask==3.0.3", "numpy>=1.26", "-U pip", "requests==2.32.3"])
OPTIONS = st.sampled_from(
    ["", "-q ", "--root-user-action ignore ", "--progress-bar off ", "-i https://x/simple "]
)
INSTALLER = st.sampled_from(["pip install", "pip3 install", "python -m pip install", "uv pip install"])


@st.composite
def install_line(draw: st.DrawFn) -> str:
    packages = " ".join(draw(st.lists(PACKAGES, min_size=1, max_size=3)))
    words = f"{draw(INSTALLER)} {draw(OPTIONS)}{packages}"
    form = draw(st.sampled_from(["plain", "continued", "sh-c", "chain", "heredoc", "requirements"]))
    if form == "requirements":
        return f"RUN {draw(INSTALLER)} -r requirements.txt"
    if form == "continued":
        return "RUN " + words.replace(" ", " \\\n    ", 1)
    if form == "sh-c":
        return f"RUN sh -c '{words}'"
    if form == "chain":
        return f"RUN apt-get update && {words} && rm -rf /var/lib/apt/lists/*"
    if form == "heredoc":
        return f"RUN <<EOF\nset -e\n{words}\nEOF"
    return f"RUN {words}"


@st.composite
def project(draw: st.DrawFn) -> tuple[str, str]:
    lines = ["FROM python:3.11-slim", "WORKDIR /app"]
    if draw(st.booleans()):
        lines.append("COPY . .")
    else:
        lines.append("COPY requirements.txt .")
    lines += draw(st.lists(install_line(), min_size=1, max_size=3))
    lines.append('CMD ["python", "app.py"]')
    final = "\n" if draw(st.booleans()) else ""
    reqs = draw(st.lists(st.sampled_from(["flask==3.0.3", "rich==13.7.1", "# note", ""]), max_size=5))
    return "\n".join(lines) + final, "\n".join(reqs * 2) + "\n"


def fixed_bytes(files: dict[str, bytes], unsafe: bool) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(files after one --fix, after a second --fix)."""
    flags = ["--fix", "--exit-zero"] + (["--unsafe-fixes"] if unsafe else [])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in files.items():
            (root / name).write_bytes(data)
        main(["-q", "check", *flags, str(root)])
        once = {name: (root / name).read_bytes() for name in files}
        main(["-q", "check", *flags, str(root)])
        twice = {name: (root / name).read_bytes() for name in files}
    return once, twice


def normalise(data: bytes) -> bytes:
    return data.removeprefix(BOM).replace(b"\r\n", b"\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project(), st.booleans())
def test_crlf_and_bom_variants_fix_like_lf_and_twice_equals_once(
    files: tuple[str, str], unsafe: bool
) -> None:
    dockerfile, requirements = files
    lf = {"Dockerfile": dockerfile.encode(), "requirements.txt": requirements.encode()}
    crlf = {k: v.replace(b"\n", b"\r\n") for k, v in lf.items()}
    bom = {k: BOM + v for k, v in crlf.items()}
    results = [fixed_bytes(variant, unsafe) for variant in (lf, crlf, bom)]
    for once, twice in results:
        assert once == twice
    base = results[0][0]
    for once, _ in results[1:]:
        assert {k: normalise(v) for k, v in once.items()} == base
    assert all((v.startswith(BOM) and b"\r\n" in v) or not v.strip() for v in results[2][0].values())
