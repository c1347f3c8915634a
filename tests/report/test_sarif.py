"""SARIF for GitHub code scanning: rule docs, URIs, fixes, and validation by the official schema
and by Microsoft's SARIF validator (with GitHub's rules)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

import jsonschema
import pytest

from pinbox import __version__
from pinbox.commands.rule import all_markdown
from pinbox.fix import apply_edits
from pinbox.report import sarif
from pinbox.rules.model import Edit, Finding, Fix, Severity
from pinbox.rules.registry import RULES

from ..conftest import ROOT

Run = Callable[..., tuple[int, str, str]]
Json = dict[str, Any]
FIXTURES = Path(__file__).parent / "fixtures"
OFFICIAL_SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"
MULTITOOL_POLICY = FIXTURES / "sarif-multitool-policy.xml"
# RFC 3986 URI-reference characters (jsonschema checks `uri-reference` only with an extra package)
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*")
ODD_FOLDER = Path("my app #1", "ü%dir")  # space, '#', '%' and non-ASCII
DIGEST = "@sha256:" + "a" * 64


@pytest.fixture(autouse=True)
def _run_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pinbox runs from the project root in CI; paths may be shown relative to the current directory
    monkeypatch.chdir(tmp_path)


def finding(path: Path, line: int = 1, code: str = "PB301", **kwargs: Any) -> Finding:
    kwargs.setdefault("message", "base image not pinned")
    return Finding(path, line, 2, code, "floating-base-image", kwargs.pop("message"), **kwargs)


def render(findings: list[Finding], root: Path) -> Json:
    log: Json = json.loads(sarif.render(findings))
    return log


def run_of(log: Json) -> Json:
    assert len(log["runs"]) == 1
    run: Json = log["runs"][0]
    return run


def resolve(log: Json, location: Json) -> Path:
    """The file an artifactLocation names, through run.originalUriBaseIds."""
    base = run_of(log)["originalUriBaseIds"][location["uriBaseId"]]["uri"] if "uriBaseId" in location else ""
    uri = urlparse(urljoin(base, location["uri"]))
    assert uri.scheme == "file"
    return Path(unquote(uri.path))


def rich_log(root: Path) -> Json:
    """One finding of every rule, one with a safe fix and one with an unsafe fix in another file."""
    odd = root / ODD_FOLDER / "Dockerfile"
    findings = [finding(odd, code=r.code, message=r.summary, severity=r.severity) for r in RULES]
    safe = Fix("add --no-cache-dir", (Edit(30, 30, " --no-cache-dir"),))
    unsafe = Fix("pin numpy", (Edit(12, 17, "numpy==1.26.4"),), safe=False, path=root / "requirements.txt")
    findings += [finding(odd, 3, fix=safe, end_line=4), finding(root / "Dockerfile", 2, fix=unsafe)]
    return render(findings, root)


def test_every_rule_links_its_doc_and_has_distinct_descriptions(tmp_path: Path) -> None:
    rules = run_of(rich_log(tmp_path))["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in RULES]
    markdown = all_markdown()
    for descriptor, rule in zip(rules, RULES, strict=True):
        anchor = f"{rule.name}-{rule.code.lower()}"
        assert descriptor["helpUri"] == f"{sarif.RULES_URL}#{anchor}"
        assert f"](#{anchor})" in markdown and f"\n## {rule.name} ({rule.code})\n" in markdown
        short, full = descriptor["shortDescription"]["text"], descriptor["fullDescription"]["text"]
        assert short == rule.summary
        assert full != short and len(full) > len(short), rule.code
        assert not re.search(r"`|^#", full, re.M), full  # plain text, not the doc's Markdown
        assert descriptor["help"] == {"text": rule.doc, "markdown": rule.doc}


def test_full_description_is_what_it_does_then_why() -> None:
    rule = next(r for r in RULES if r.code == "PB101")
    full = sarif.full_description(rule)
    what, why = full.split("\n\n")
    assert what.startswith("Reports a requirement without a version (numpy) in a deployable")
    assert "\n" not in what  # the doc's hard line breaks are unwrapped
    assert why.startswith("pip installs the newest release at build time")


def test_run_metadata_for_code_scanning(tmp_path: Path) -> None:
    log = render([finding(tmp_path / "Dockerfile")], tmp_path)
    assert log["$schema"] == json.loads(OFFICIAL_SCHEMA.read_text())["id"]
    run = run_of(log)
    assert run["automationDetails"] == {"id": "pinbox/check/"}
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["semanticVersion"] == driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")


def test_uris_are_percent_encoded_and_resolve_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / ODD_FOLDER / "Dockerfile"
    log = render([finding(path)], tmp_path)
    location = run_of(log)["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "my%20app%20%231/%C3%BC%25dir/Dockerfile", "uriBaseId": "%SRCROOT%"}
    base = run_of(log)["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert resolve(log, location) == path.resolve()


@pytest.mark.parametrize("cwd", ["root", "parent", "inside"])
def test_cli_uris_resolve_wherever_pinbox_runs(
    tmp_path: Path, run_pinbox: Run, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    root = tmp_path / "odd #1 ü" / "project"
    (root / ODD_FOLDER).mkdir(parents=True)
    (root / ODD_FOLDER / "Dockerfile").write_text("FROM python\nUSER app\n")
    monkeypatch.chdir({"root": root, "parent": tmp_path, "inside": root / ODD_FOLDER}[cwd])
    _, out, _ = run_pinbox("check", "--select", "PB301", "--format", "sarif", root)
    log = json.loads(out)
    (result,) = run_of(log)["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert resolve(log, location) == (root / ODD_FOLDER / "Dockerfile").resolve()
    assert URI_REFERENCE.fullmatch(location["uri"]) and ":" not in location["uri"].split("/")[0]


def test_result_fields(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    log = render([finding(path, 2, end_line=5), finding(path, 9, severity=Severity.INFO)], tmp_path)
    first, second = run_of(log)["results"]
    rules = run_of(log)["tool"]["driver"]["rules"]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "PB301"
    assert (first["level"], second["level"]) == ("warning", "note")
    assert first["message"] == {"text": "base image not pinned"}
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 2, "endLine": 5}
    assert second["locations"][0]["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 2}


def test_fingerprints_survive_moved_lines_and_tell_repeats_apart(tmp_path: Path) -> None:
    def prints(lines: list[int]) -> list[str]:
        results = run_of(render([finding(tmp_path / "Dockerfile", n) for n in lines], tmp_path))["results"]
        return [r["partialFingerprints"]["pinboxFinding/v1"] for r in results]

    assert prints([3]) == prints([7])
    assert len(set(prints([3, 7]))) == 2


def test_fixes_name_safety_and_use_character_regions(tmp_path: Path) -> None:
    results = run_of(rich_log(tmp_path))["results"]
    safe, unsafe = (r["fixes"] for r in results[-2:])
    assert all("fixes" not in r for r in results[:-2])
    (change,) = safe[0]["artifactChanges"]
    assert change["replacements"] == [
        {"deletedRegion": {"charOffset": 30, "charLength": 0}, "insertedContent": {"text": " --no-cache-dir"}}
    ]
    assert safe[0]["properties"] == {"safe": True} and "(safe fix)" in safe[0]["description"]["text"]
    assert unsafe[0]["properties"] == {"safe": False} and "unsafe" in unsafe[0]["description"]["text"]
    (change,) = unsafe[0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "requirements.txt"  # the fix's file, not the finding's
    assert change["replacements"][0]["deletedRegion"] == {"charOffset": 12, "charLength": 5}


def test_sarif_fix_rewrites_the_file_like_check_fix(tmp_path: Path, run_pinbox: Run) -> None:
    text = f"FROM python:3.11-slim{DIGEST}\nUSER app\nRUN pip install numpy==1.26.4\n"
    for name in ("report", "fixed"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(text)
    select = ("--select", "pip-cache-in-image")
    _, out, _ = run_pinbox("check", *select, "--format", "sarif", tmp_path / "report")
    log = json.loads(out)
    (result,) = run_of(log)["results"]
    (fix,) = result["fixes"]
    (change,) = fix["artifactChanges"]
    assert resolve(log, change["artifactLocation"]) == (tmp_path / "report" / "Dockerfile").resolve()
    regions = [(r["deletedRegion"], r["insertedContent"]["text"]) for r in change["replacements"]]
    edits = [Edit(d["charOffset"], d["charOffset"] + d["charLength"], text) for d, text in regions]
    run_pinbox("check", *select, "--fix", tmp_path / "fixed")
    fixed = (tmp_path / "fixed" / "Dockerfile").read_text()
    assert fixed != text
    assert apply_edits(text, edits)[0] == fixed


def official_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(OFFICIAL_SCHEMA.read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_the_vendored_schema_is_the_official_one() -> None:
    schema = json.loads(OFFICIAL_SCHEMA.read_text())
    assert schema["id"] == sarif.SCHEMA
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")


def test_logs_validate_against_the_official_schema(tmp_path: Path) -> None:
    validator = official_validator()
    validator.validate(render([], tmp_path))
    validator.validate(rich_log(tmp_path))


def test_the_official_schema_rejects_a_broken_fix(tmp_path: Path) -> None:
    log = rich_log(tmp_path)
    del run_of(log)["results"][-1]["fixes"][0]["artifactChanges"][0]["replacements"]
    with pytest.raises(jsonschema.ValidationError, match="replacements"):
        official_validator().validate(log)


@pytest.fixture(scope="session")
def multitool() -> Path:
    """Microsoft's SARIF validator; missing, it fails under PINBOX_REQUIRE_DOCKER=1 (as in CI)."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "sarif-multitool"), "install"], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        reason = f"no SARIF multitool (scripts/sarif-multitool install): {done.stderr.strip()}"
        if os.environ.get("PINBOX_REQUIRE_DOCKER") == "1":
            pytest.fail(f"PINBOX_REQUIRE_DOCKER=1 but {reason}")
        pytest.skip(reason)
    return Path(done.stdout.strip().splitlines()[-1])


def multitool_validate(multitool: Path, log: Json, folder: Path) -> list[Json]:
    """`sarif validate` with SARIF's and GitHub's rules: its errors and warnings."""
    given, report = folder / "given.sarif", folder / "validation.sarif"
    given.write_text(json.dumps(log), encoding="utf-8")
    options = ["--log", "ForceOverwrite", "--rule-kind", "Sarif;Gh", "--config", str(MULTITOOL_POLICY)]
    done = subprocess.run(
        [multitool, "validate", given, "--output", report, *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = json.loads(report.read_text(encoding="utf-8-sig"))["runs"]
    assert run["invocations"][0]["executionSuccessful"], done.stdout
    results: list[Json] = run.get("results", [])
    return results


@pytest.mark.network
def test_microsoft_sarif_validator_accepts_the_log(tmp_path: Path, multitool: Path) -> None:
    results = multitool_validate(multitool, rich_log(tmp_path / "project"), tmp_path)
    assert results == []


@pytest.mark.network
def test_microsoft_sarif_validator_is_live(tmp_path: Path, multitool: Path) -> None:
    log = rich_log(tmp_path / "project")
    run = run_of(log)
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///no/slash"
    run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b/#%"
    found = {r["ruleId"] for r in multitool_validate(multitool, log, tmp_path)}
    assert {"SARIF1002", "SARIF1004"} <= found
