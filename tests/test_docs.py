"""Generated docs stay in step with the code."""

from __future__ import annotations

from pathlib import Path

from pinbox.commands.rule import all_markdown
from pinbox.redact import redact

DOCS = Path(__file__).parent.parent / "docs"


def test_rules_page_is_up_to_date() -> None:
    # what `pinbox rule --all --markdown` prints: like every output, with credentials masked
    page = (DOCS / "rules.md").read_text()
    assert page == redact(all_markdown()) + "\n", "regenerate: pinbox rule --all --markdown > docs/rules.md"
