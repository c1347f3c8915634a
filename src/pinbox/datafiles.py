"""Tables shipped as data in `pinbox/data/*.toml`, loaded once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pinbox.tomlcompat import tomllib


@cache
def data_table(name: str) -> dict[str, Any]:
    """The parsed `pinbox/data/<name>.toml`."""
    text = resources.files("pinbox").joinpath(f"data/{name}.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data
