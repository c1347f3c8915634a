"""`[tool.pinbox]` in pyproject.toml, or a `pinbox.toml`: validated, unknown keys are errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.record import Record
from pinbox.structured import load_toml


class CheckConfig(Record):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Config(Record):
    """Project settings; every field has the default a project without configuration gets."""

    source: Path | None = None
    python: str | None = None
    platform: str | None = None
    input: str | None = None
    output: str | None = None
    format: str = "requirements"
    extras: tuple[str, ...] = ()
    allow_sdist: tuple[str, ...] = ()
    exclude_newer: str | None = None
    check: CheckConfig = CheckConfig()
    dev_platforms: tuple[str, ...] = ()  # the team's machines: macos/arm64, windows/amd64, ...

    def lock_file(self, fmt: str | None = None) -> str:
        """The lock's file name: `output`, else what `pinbox lock` writes in this format."""
        return self.output or ("pylock.toml" if (fmt or self.format) == "pylock" else "requirements.lock")

    def key(self, name: str) -> str:
        """A key as messages name it: `[tool.pinbox] check.select`, or `check.select` in a pinbox.toml."""
        return f"{'' if self.source and self.source.name == _OWN_FILE else _TABLE}{name}"


_OWN_FILE = "pinbox.toml"
_TABLE = "[tool.pinbox] "  # before a key of pyproject.toml's table in messages


def _str(value: Any, key: str, where: Path, prefix: str = _TABLE) -> str:
    if not isinstance(value, str):
        raise PinboxError(f"{prefix}{key} must be a string, not {type(value).__name__}", path=where)
    return value


def _strs(value: Any, key: str, where: Path, prefix: str = _TABLE) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PinboxError(f"{prefix}{key} must be a list of strings", path=where)
    return tuple(value)


def _reject_unknown(table: dict[str, Any], known: set[str], prefix: str, where: Path) -> None:
    import difflib  # only when an error suggests a name or a diff is shown

    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(sorted(known))
            raise PinboxError(f"unknown key {prefix}{key!r}", path=where, hint=hint)


_TOP = {
    "python",
    "platform",
    "input",
    "output",
    "format",
    "extras",
    "allow-sdist",
    "exclude-newer",
    "check",
    "dev-platforms",
}
_CHECK = {"select", "ignore", "per-file-ignores"}
FORMATS = ("requirements", "pylock")


def parse_config(table: dict[str, Any], where: Path, prefix: str = _TABLE) -> Config:
    """Validate a `[tool.pinbox]` table."""
    from pinbox.target import parse_python

    _reject_unknown(table, _TOP, prefix, where)
    fmt = _str(table.get("format", "requirements"), "format", where, prefix)
    if fmt not in FORMATS:
        raise PinboxError(f"{prefix}format must be one of {', '.join(FORMATS)}, not {fmt!r}", path=where)
    platform = table.get("platform")
    check_table = table.get("check", {})
    if not isinstance(check_table, dict):
        raise PinboxError(f"{prefix}check must be a table", path=where)
    _reject_unknown(check_table, _CHECK, f"{prefix}check.", where)
    pfi = check_table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise PinboxError(f"{prefix}check.per-file-ignores must be a table", path=where)
    dev_platforms = _strs(table.get("dev-platforms", []), "dev-platforms", where, prefix)
    if dev_platforms:
        from pinbox.platforms import parse_dev_platforms

        try:
            parse_dev_platforms(dev_platforms, f"{prefix}dev-platforms")
        except PinboxError as exc:
            raise PinboxError(exc.message, path=where, hint=exc.hint) from None
    return Config(
        source=where,
        dev_platforms=dev_platforms,
        python=parse_python(_str(table["python"], "python", where, prefix), source=f"{where}: {prefix}python")
        if "python" in table
        else None,
        platform=",".join(_strs(platform, "platform", where, prefix)) if platform is not None else None,
        input=_str(table["input"], "input", where, prefix) if "input" in table else None,
        output=_str(table["output"], "output", where, prefix) if "output" in table else None,
        format=fmt,
        extras=_strs(table.get("extras", []), "extras", where, prefix),
        allow_sdist=_strs(table.get("allow-sdist", []), "allow-sdist", where, prefix),
        exclude_newer=_str(table["exclude-newer"], "exclude-newer", where, prefix)
        if "exclude-newer" in table
        else None,
        check=CheckConfig(
            select=_strs(check_table.get("select", []), "check.select", where, prefix),
            ignore=_strs(check_table.get("ignore", []), "check.ignore", where, prefix),
            per_file_ignores=tuple(
                (k, _strs(v, f"check.per-file-ignores.{k}", where, prefix)) for k, v in pfi.items()
            ),
        ),
    )


def _load_toml(path: Path) -> dict[str, Any]:
    return load_toml(read_text(path, what="TOML file"), path)


def load_config(project: Path) -> Config:
    """`pinbox.toml` if present, else `[tool.pinbox]` in `pyproject.toml`, else defaults."""
    own = project / _OWN_FILE
    if own.is_file():
        return parse_config(_load_toml(own), own, prefix="")
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        text = read_text(pyproject, what="TOML file")
        if "pinbox" not in text and "\\" not in text:
            # No key can spell `pinbox` without the word or an escape: nothing to parse (a
            # one-file `pinbox check` spends ~3 ms importing and running the TOML parser).
            return Config()
        tool = load_toml(text, pyproject).get("tool", {})
        table = tool.get("pinbox") if isinstance(tool, dict) else None
        if table is not None and not isinstance(table, dict):
            raise PinboxError("[tool.pinbox] must be a table", path=pyproject)
        if isinstance(table, dict):
            return parse_config(table, pyproject)
    return Config()
