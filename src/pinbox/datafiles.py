"""Tables shipped as data in `pinbox/data/`, loaded once, when first used.

Hand-written tables are TOML (`<name>.toml`); generated ones are JSON (`<name>.json`, written by a
script in scripts/, never edited). Parsing is the slow part of a short command (tomllib's import
and parser cost a one-file `pinbox check` ~6 ms), so each parsed table is also kept as `marshal`
data in pinbox's cache (`<cache>/tables/`), the way Python keeps bytecode: named after the source
file's size and modification time and the interpreter, read back in ~0.1 ms, written once. An
entry that cannot be read or written only costs a parse.
"""

from __future__ import annotations

import marshal
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pinbox import paths
from pinbox.errors import PinboxError
from pinbox.fsutil import read_bytes, write_atomic

DATA = Path(__file__).parent / "data"
_MAX_TABLE = 4 * 1024 * 1024
_MARSHAL_ERRORS = (EOFError, ValueError, TypeError)


@cache
def data_table(name: str) -> dict[str, Any]:
    """The parsed `pinbox/data/<name>.json`, or else `pinbox/data/<name>.toml`."""
    source = DATA / f"{name}.json"
    if not source.is_file():
        source = DATA / f"{name}.toml"
    stamp = source.stat()
    kept = tables_dir() / (
        f"{name}-{stamp.st_size:x}-{stamp.st_mtime_ns:x}-{sys.implementation.cache_tag}.marshal"
    )
    data = _load(kept)
    if data is None:
        data = _parse(source)
        _store(kept, data, name)
    return data


def tables_dir() -> Path:
    return paths.cache_root() / "tables"


def _parse(source: Path) -> dict[str, Any]:
    text = source.read_text("utf-8")
    data: dict[str, Any]
    if source.suffix == ".json":
        import json

        data = json.loads(text)
    else:
        from pinbox.tomlcompat import tomllib

        data = tomllib.loads(text)
    return data


def _load(kept: Path) -> dict[str, Any] | None:
    try:
        data = marshal.loads(read_bytes(kept, what="cached table", max_bytes=_MAX_TABLE))
    except (PinboxError, *_MARSHAL_ERRORS):
        return None
    return data if isinstance(data, dict) else None


def _store(kept: Path, data: dict[str, Any], name: str) -> None:
    """Keep `data` for the next run and drop what older sources of the same table left."""
    try:
        blob = marshal.dumps(data)
    except ValueError:  # a type marshal does not know (a TOML date): parse it every time
        return
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(kept, blob)
        for old in kept.parent.glob(f"{name}-*.marshal"):
            if old != kept:
                old.unlink(missing_ok=True)
    except (OSError, PinboxError):
        pass  # a cache, not a result
