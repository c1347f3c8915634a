"""SARIF 2.1.0 for GitHub code scanning: documented rules, percent-encoded URIs, fixes.

Validated in tests against the official OASIS schema and Microsoft's SARIF validator.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from pinbox import __version__
from pinbox.paths import shown
from pinbox.rules.model import Finding, Fix, Rule, Severity

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
REPO_URL = "https://github.com/pinbox-dev/pinbox"
# each rule's doc is a heading of docs/rules.md (`pinbox rule --all --markdown`)
RULES_URL = f"{REPO_URL}/blob/main/docs/rules.md"
BASE_ID = "%SRCROOT%"
AUTOMATION_ID = "pinbox/check/"  # GitHub's category: a trailing slash means "no run id"
FULL_SECTIONS = ("What it does", "Why is this bad?")
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

Json = dict[str, Any]


def help_uri(rule: Rule) -> str:
    """The rule's section of docs/rules.md (GitHub's anchor for `## name (CODE)`)."""
    return f"{RULES_URL}#{rule.name}-{rule.code.lower()}"


def _section(doc: str, title: str) -> str:
    found = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    return found.group(1) if found else ""


def _plain(markdown: str) -> str:
    """Markdown prose as plain text: paragraphs unwrapped, code spans unquoted."""
    paragraphs = re.split(r"\n[ \t]*\n", markdown.replace("`", "").strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs if p)


def full_description(rule: Rule) -> str:
    """What the rule reports and why it matters, as plain text."""
    parts = [_plain(_section(rule.doc, title)) for title in FULL_SECTIONS]
    return "\n\n".join(p for p in parts if p) or _plain(rule.doc) or rule.summary


def _descriptor(rule: Rule) -> Json:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full_description(rule)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"fix": rule.fix or "none"},
    }


def _uri(display: str) -> str:
    """A displayed POSIX path as a URI reference: each segment percent-encoded (UTF-8)."""
    return "/".join(quote(segment, safe="") for segment in display.split("/"))


def _artifact(path: Path) -> Json:
    display = shown(path)
    if PurePosixPath(display).is_absolute():
        return {"uri": Path(display).as_uri()}
    return {"uri": _uri(display), "uriBaseId": BASE_ID}


def _folder_uri(folder: Path) -> str:
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _region(finding: Finding) -> Json:
    region: Json = {"startLine": finding.line, "startColumn": finding.col}
    if finding.end_line is not None:
        region["endLine"] = finding.end_line
    return region


def _fix(fix: Fix, finding: Finding) -> Json:
    """A SARIF fix; edits are character offsets into the file text (after any UTF-8 BOM)."""
    safety = "safe fix" if fix.safe else "unsafe fix: review it; pinbox applies it only with --unsafe-fixes"
    replacements = [
        {
            "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start},
            "insertedContent": {"text": edit.text},
        }
        for edit in sorted(fix.edits)
    ]
    return {
        "description": {"text": f"{fix.description} ({safety})"},
        "artifactChanges": [
            {"artifactLocation": _artifact(fix.path or finding.path), "replacements": replacements}
        ],
        "properties": {"safe": fix.safe},
    }


def _fingerprint(finding: Finding, uri: str, occurrence: int) -> str:
    """Stable across runs while the file's finding stays (no line or column: edits above move them)."""
    key = "\0".join((finding.code, uri, finding.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, rule_index: int, seen: Counter[tuple[str, ...]]) -> Json:
    artifact = _artifact(finding.path)
    same = (finding.code, artifact["uri"], finding.message)
    seen[same] += 1
    result: Json = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(finding)}}],
        "partialFingerprints": {"pinboxFinding/v1": _fingerprint(finding, artifact["uri"], seen[same])},
    }
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_fix(finding.fix, finding)]
    return result


def render(findings: Sequence[Finding]) -> str:
    """One SARIF log with one run: the rules that reported, then every finding."""
    from pinbox.rules.registry import BY_CODE

    rules = [BY_CODE[code] for code in sorted({f.code for f in findings})]
    index = {rule.code: i for i, rule in enumerate(rules)}
    seen: Counter[tuple[str, ...]] = Counter()
    driver = {
        "name": "pinbox",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": REPO_URL,
        "rules": [_descriptor(rule) for rule in rules],
    }
    run = {
        "tool": {"driver": driver},
        "automationDetails": {"id": AUTOMATION_ID},
        "originalUriBaseIds": {BASE_ID: {"uri": _folder_uri(Path.cwd())}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.code], seen) for f in findings],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
