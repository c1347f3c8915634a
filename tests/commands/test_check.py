"""`pinbox check`: discovery, selection, ignores, output formats, fixes and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

Run = Callable[..., tuple[int, str, str]]
SCHEMA = Path(__file__).parent.parent / "report" / "fixtures" / "sarif-2.1.0-rtm.5.json"
UNTAGGED = "FROM python\nUSER app\n"


@pytest.fixture(autouse=True)
def _in_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # paths print relative to the current folder; most cases here run from the project itself
    monkeypatch.chdir(tmp_path)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def test_clean_project_exits_zero(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": "FROM python:3.11-slim@sha256:" + "a" * 64 + "\nUSER app\n"})
    code, out, err = run_pinbox("check", "--select", "floating-base-image,runs-as-root", tmp_path)
    assert (code, out) == (0, ""), out + err
    assert "All checks passed." in err


def test_findings_print_like_ruff_and_exit_one(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED, "sub/api.Dockerfile": UNTAGGED})
    code, out, _ = run_pinbox("check", "--select", "floating-base-image", tmp_path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("Dockerfile:1:6: PB301 floating-base-image ")
    assert lines[1].startswith("sub/api.Dockerfile:1:6: PB301 floating-base-image ")


@pytest.mark.parametrize("selector", ["PB301", "floating-base-image", "PB3", "ALL"])
def test_select_by_code_name_or_prefix(tmp_path: Path, run_pinbox: Run, selector: str) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED})
    code, out, _ = run_pinbox("check", "--select", selector, tmp_path)
    assert code == 1 and "PB301" in out


def test_ignore_wins_over_select(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED})
    _code, out, _ = run_pinbox("check", "--select", "PB3", "--ignore", "floating-base-image", tmp_path)
    assert "PB301" not in out


def test_unknown_selector_is_a_usage_error(tmp_path: Path, run_pinbox: Run) -> None:
    code, _, err = run_pinbox("check", "--select", "no-such-rule", tmp_path)
    assert code == 2 and "no rule matches 'no-such-rule'" in err


def test_inline_ignore_on_the_line_or_above_and_unused_ignores(tmp_path: Path, run_pinbox: Run) -> None:
    write(
        tmp_path,
        {
            "Dockerfile": "FROM python  # pinbox: ignore[floating-base-image]\nUSER app\n",
            "other.Dockerfile": "# pinbox: ignore[PB301]\nFROM python\nUSER app\n",
            "third.Dockerfile": "FROM python:3.11-slim@sha256:"
            + "b" * 64
            + "  # pinbox: ignore[floating-base-image]\n"
            "USER app\n",
        },
    )
    code, out, _ = run_pinbox("check", "--select", "floating-base-image,unused-ignore", tmp_path)
    assert "Dockerfile:1:6: PB301" not in out and "other.Dockerfile:2:6: PB301" not in out
    assert out.count("PB002 unused-ignore") == 1 and out.startswith("third.Dockerfile:1:")
    assert code == 1


def test_per_file_ignores_from_config(tmp_path: Path, run_pinbox: Run) -> None:
    write(
        tmp_path,
        {
            "Dockerfile": UNTAGGED,
            "dev.Dockerfile": UNTAGGED,
            "pyproject.toml": '[tool.pinbox.check]\nper-file-ignores = { "dev.Dockerfile" = ["PB301"] }\n',
        },
    )
    _, out, _ = run_pinbox("check", "--select", "PB301", tmp_path)
    assert "dev.Dockerfile" not in out and "Dockerfile:1:6: PB301" in out


def test_config_select_and_unknown_keys(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED, "pyproject.toml": '[tool.pinbox.check]\nselect = ["PB302"]\n'})
    _, out, _ = run_pinbox("check", tmp_path)
    assert "PB301" not in out
    write(tmp_path, {"pyproject.toml": '[tool.pinbox.check]\nselcet = ["PB302"]\n'})
    code, _, err = run_pinbox("check", tmp_path)
    assert code == 2 and "did you mean 'select'" in err


def test_json_and_github_formats(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED})
    _, out, _ = run_pinbox("check", "--select", "PB301", "--format", "json", tmp_path)
    data = json.loads(out)
    assert data[0]["code"] == "PB301" and data[0]["line"] == 1 and data[0]["path"] == "Dockerfile"
    _, out, _ = run_pinbox("check", "--select", "PB301", "--format", "github", tmp_path)
    assert out.startswith("::warning title=PB301 floating-base-image,file=Dockerfile,line=1,col=6::")


def test_sarif_output_validates_against_the_schema(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED + "RUN pip install numpy\n", "requirements.txt": "pandas\n"})
    code, out, _ = run_pinbox("check", "--format", "sarif", tmp_path)
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"PB301", "PB101"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_statistics_and_exit_zero(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": UNTAGGED, "b.Dockerfile": UNTAGGED})
    code, out, _ = run_pinbox("check", "--select", "PB301", "--statistics", "--exit-zero", tmp_path)
    assert code == 0
    assert "    2  PB301  floating-base-image" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"FROM python:3.11\n\x00\x01binary", "binary"),
        ("FROM python:3.11\nRUN echo caf\u00e9\n".encode("latin-1"), "not valid UTF-8"),
        (b"FROM python:3.11-slim\nRUN <<EOF\npip install numpy\n", "heredoc"),
        (b"FROM python:3.11-slim\nFOO bar\n", "unknown instruction 'FOO'"),
    ],
)
def test_unparsable_files_are_findings_and_never_modified(
    tmp_path: Path, run_pinbox: Run, content: bytes, message: str
) -> None:
    write(tmp_path, {"Dockerfile": content})
    code, out, err = run_pinbox("check", "--fix", "--unsafe-fixes", tmp_path)
    assert code == 2
    assert out.startswith("Dockerfile:") and "PB001 parse-error" in out and message in out
    assert "Traceback" not in out + err
    assert (tmp_path / "Dockerfile").read_bytes() == content


def test_huge_dockerfile_is_a_clear_error(tmp_path: Path, run_pinbox: Run) -> None:
    write(tmp_path, {"Dockerfile": "FROM python:3.11-slim\n" + "RUN true\n" * 1_300_000})
    code, out, _ = run_pinbox("check", tmp_path)
    assert code == 2 and "PB001 parse-error" in out and "MiB limit" in out


def test_missing_path_on_the_command_line(tmp_path: Path, run_pinbox: Run) -> None:
    code, out, err = run_pinbox("check", tmp_path / "nope" / "Dockerfile")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such file or folder" in err


def test_diff_shows_the_patch_and_writes_nothing(tmp_path: Path, run_pinbox: Run) -> None:
    text = "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    write(tmp_path, {"Dockerfile": text, "requirements.txt": "six==1.16.0\n"})
    code, out, _ = run_pinbox("check", "--diff", "--select", "pip-cache-in-image", tmp_path)
    assert code == 1
    assert out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert "+RUN pip install --no-cache-dir -r requirements.txt" in out
    assert (tmp_path / "Dockerfile").read_text() == text


def test_rule_docs(run_pinbox: Run) -> None:
    code, out, _ = run_pinbox("rule", "pip-cache-in-image")
    assert code == 0
    for section in (
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
    ):
        assert section in out
    code, out, _ = run_pinbox("rule", "--all")
    assert code == 0 and "PB203  pip-cache-in-image" in out
    code, _, err = run_pinbox("rule", "no-such-rule")
    assert code == 2 and "pinbox rule --all" in err
