"""TOML and YAML documents parsed at the edge, bounded, with errors that say where.

A document nested thousands deep is refused (not a RecursionError), and a YAML document whose
aliases expand to more than `MAX_NODES` nodes (a "billion laughs" bomb of a few hundred bytes) is
refused before anything walks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError

MAX_NODES = 100_000  # nodes a YAML document may expand to, aliases counted each time they are used


def _toml_error(message: str, text: str) -> tuple[str, int | None]:
    line = None
    if "(at line " in message:
        message, _, rest = message.partition(" (at line ")
        line = int(rest.split(",")[0])
    elif message.endswith(" (at end of document)"):
        message = message.removesuffix(" (at end of document)")
        line = max(text.count("\n"), 1)
    return message, line


def load_toml(text: str, path: Path, what: str = "TOML file") -> dict[str, Any]:
    """A TOML document; a syntax error names its line, deep nesting is refused."""
    from pinbox.tomlcompat import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = _toml_error(str(exc), text)
        raise PinboxError(f"invalid TOML: {message}", path=path, line=line) from None
    except RecursionError:
        raise PinboxError(f"{what} is nested too deeply to read", path=path) from None
    return data


def _expanded_size(node: Any, memo: dict[int, int], depth: int = 0) -> int:
    """Nodes the document stands for once every alias is expanded (memoised: linear time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 500:
        raise RecursionError
    value = node.value
    children: list[Any] = []
    if isinstance(value, list):
        for item in value:
            children.extend(item if isinstance(item, tuple) else (item,))
    total = 1
    for child in children:
        total += _expanded_size(child, memo, depth + 1)
        if total > MAX_NODES:
            break
    memo[key] = total
    return total


def load_yaml(text: str, path: Path, what: str = "YAML file") -> Any:
    """A YAML document (safe types only), refused when it would expand past MAX_NODES nodes."""
    import yaml

    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise PinboxError(
                f"{what} expands to more than {MAX_NODES:,} nodes through its aliases (a YAML bomb?); "
                "not read",
                path=path,
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PinboxError(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            path=path,
            line=mark.line + 1 if mark else None,
            col=mark.column + 1 if mark else None,
        ) from None
    except RecursionError:
        raise PinboxError(f"{what} is nested too deeply to read", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()
