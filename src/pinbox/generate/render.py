"""Render the jinja2 templates in generate/templates (never strings in code)."""

from __future__ import annotations

import json
from typing import Any

import jinja2

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("pinbox", "generate/templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)


def render(template: str, **values: Any) -> str:
    text = _ENV.get_template(template).render(**values)
    return text.rstrip("\n") + "\n"


def cmd_json(argv: tuple[str, ...]) -> str:
    """Exec form for CMD: a JSON array, so signals reach the process."""
    return json.dumps(list(argv))
