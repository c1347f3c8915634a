"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pinbox import __version__
from pinbox.rules.model import Finding, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(findings: Sequence[Finding], root: Path) -> str:
    from pinbox.report import relpath
    from pinbox.rules.registry import RULES

    used = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(used)}
    by_code = {r.code: r for r in RULES}
    rules = [
        {
            "id": code,
            "name": by_code[code].name,
            "shortDescription": {"text": by_code[code].summary},
            "fullDescription": {"text": by_code[code].summary},
            "help": {"text": by_code[code].doc, "markdown": by_code[code].doc},
            "defaultConfiguration": {"level": _LEVEL[by_code[code].severity]},
        }
        for code in used
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": relpath(f.path, root)},
                        "region": {"startLine": f.line, "startColumn": f.col},
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pinbox",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/pinbox/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
