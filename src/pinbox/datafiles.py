"""Tables shipped as data in `pinbox/data/`, loaded once, when first used.

Hand-written tables are TOML (`<name>.toml`); generated ones are JSON (`<name>.json`, written by a
script in scripts/, never edited): json.loads is ~40x faster than tomllib, which matters for the
tables every `pinbox check` reads.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


@cache
def data_table(name: str) -> dict[str, Any]:
    """The parsed `pinbox/data/<name>.json`, or else `pinbox/data/<name>.toml`."""
    generated = DATA / f"{name}.json"
    data: dict[str, Any]
    if generated.is_file():
        import json

        data = json.loads(generated.read_text("utf-8"))
        return data
    from pinbox.tomlcompat import tomllib  # ~3 ms: only commands that read a table pay for it

    data = tomllib.loads((DATA / f"{name}.toml").read_text("utf-8"))
    return data
