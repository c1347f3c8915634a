"""A JSON array of findings (stable keys, for scripts)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pinbox.paths import shown
from pinbox.rules.model import Finding


def render(findings: Sequence[Finding]) -> str:
    return (
        json.dumps(
            [
                {
                    "path": shown(f.path),
                    "line": f.line,
                    "column": f.col,
                    "code": f.code,
                    "name": f.name,
                    "message": f.message,
                    "severity": f.severity.value,
                    "fix": None
                    if f.fix is None
                    else {
                        "description": f.fix.description,
                        "safe": f.fix.safe,
                        "path": shown(f.fix.path or f.path),
                        "edits": [{"start": e.start, "end": e.end, "text": e.text} for e in f.fix.edits],
                    },
                }
                for f in findings
            ],
            indent=2,
        )
        + "\n"
    )
