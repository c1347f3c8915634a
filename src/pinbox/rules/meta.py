"""Rules about the check itself: files that do not parse, ignores that suppress nothing."""

from __future__ import annotations

from collections.abc import Iterator

from pinbox.rules.context import Project
from pinbox.rules.model import Finding, Rule, Severity


def _parse_errors(project: Project) -> Iterator[Finding]:
    for failure in project.failures:
        error = failure.error
        yield PARSE_ERROR.finding(failure.path, error.line or 1, error.message, col=error.col or 1)


def _nothing(project: Project) -> Iterator[Finding]:
    return iter(())  # reported by the runner, which alone knows what each ignore suppressed


PARSE_ERROR = Rule(
    code="PB001",
    name="parse-error",
    severity=Severity.ERROR,
    check=_parse_errors,
    summary="A file pinbox checks could not be read or parsed.",
    doc="""## What it does
Reports a Dockerfile, requirements file, lock or compose file that cannot be read (missing, binary,
not UTF-8, too large) or parsed (unknown instruction, unterminated heredoc, invalid requirement).

## Why is this bad?
Docker, pip or compose will fail on the same file, later and with a worse message. pinbox never
modifies a file that does not parse.

## Example
```
FROM python:3.11-slim
RUN <<EOF
pip install numpy
```

## Use instead
Close the heredoc with its delimiter (`EOF`) on a line of its own.

## Fix safety
No fix.
""",
)

UNUSED_IGNORE = Rule(
    code="PB002",
    name="unused-ignore",
    check=_nothing,
    summary="A `# pinbox: ignore[...]` comment suppresses nothing.",
    doc="""## What it does
Reports an inline `# pinbox: ignore[rule-name]` that matched no finding on its line or the next.

## Why is this bad?
Stale ignores hide the next real problem on that line and mislead readers.

## Example
```
FROM python:3.11-slim  # pinbox: ignore[floating-base-image]
```

## Use instead
Remove the comment (the tag is pinned, nothing needs ignoring).

## Fix safety
No fix.
""",
)

RULES = (PARSE_ERROR, UNUSED_IGNORE)
