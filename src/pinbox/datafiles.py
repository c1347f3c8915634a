"""Tables shipped as data in `pinbox/data/*.toml`, loaded once, when first used."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


@cache
def data_table(name: str) -> dict[str, Any]:
    """The parsed `pinbox/data/<name>.toml`."""
    from pinbox.tomlcompat import tomllib  # ~3 ms: only commands that read a table pay for it

    data: dict[str, Any] = tomllib.loads((DATA / f"{name}.toml").read_text("utf-8"))
    return data
