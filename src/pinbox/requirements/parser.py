"""Parse pip requirements files into `Entry` values, keeping positions for messages.

The grammar is pip's: `\\` continues a line, `#` after whitespace starts a comment, options
may stand alone (`-i URL`) or follow a requirement (`--hash=...`), `-r`/`-c` include files
relative to the including one. Requirement strings are parsed by `packaging` (PEP 508).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.requirements.model import Entry, Kind, RequirementsFile
from pinbox.textpos import line_text, position

if TYPE_CHECKING:
    from packaging.requirements import Requirement

_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")

# short or alias -> canonical long option; value True when the option takes an argument
_ALIASES = {
    "-r": "--requirement",
    "-c": "--constraint",
    "-e": "--editable",
    "-i": "--index-url",
    "-f": "--find-links",
}
_OPTIONS: dict[str, bool] = {
    "--requirement": True,
    "--constraint": True,
    "--editable": True,
    "--index-url": True,
    "--extra-index-url": True,
    "--find-links": True,
    "--no-index": False,
    "--pre": False,
    "--prefer-binary": False,
    "--require-hashes": False,
    "--trusted-host": True,
    "--only-binary": True,
    "--no-binary": True,
    "--use-feature": True,
}
_PER_REQUIREMENT = {"--hash": True, "--config-settings": True, "--global-option": True}
_KIND_OF_OPTION = {
    "--requirement": Kind.INCLUDE,
    "--constraint": Kind.CONSTRAINT,
    "--editable": Kind.EDITABLE,
}


# the line breaks of str.splitlines(), which pip uses to read requirements files
_BREAK = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_COMMENT_LINE = re.compile(r"(^|\s+)#.*$")


def _physical(text: str) -> list[tuple[int, int, int]]:
    """(start, end of content, start of the next line) of each line as pip splits them."""
    out, pos = [], 0
    for match in re.finditer(_BREAK, text):
        out.append((pos, match.start(), match.end()))
        pos = match.end()
    if pos < len(text):
        out.append((pos, len(text), len(text)))
    return out


def _logical_lines(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start offset, end offset, text without comment, comment) per logical line, joined as pip
    joins them: a line ending in `\\` continues unless it starts with a comment."""
    joined: list[str] = []
    first = 0
    for start, stop, after in _physical(text):
        line = text[start:stop]
        if not joined:
            first = start
        if line.endswith("\\") and not _COMMENT_LINE.match(line):
            joined.append(line.strip("\\"))
            if after < len(text):
                continue
        else:
            joined.append(" " + line if joined and _COMMENT_LINE.match(line) else line)
        logical = "".join(joined)
        joined = []
        found = _COMMENT_LINE.search(logical)
        comment = logical[found.start() :].strip() if found else ""
        body = logical[: found.start()] if found else logical
        yield first, after, body.strip(), comment


def _expand_env(value: str) -> str:
    return _ENV_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)


def _split_option(token: str) -> tuple[str, str | None]:
    if token.startswith("--") and "=" in token:
        name, value = token.split("=", 1)
        return name, value
    if token[:2] in _ALIASES and len(token) > 2:  # -rfile.txt
        return token[:2], token[2:]
    return token, None


def _error(msg: str, path: Path, line: int, col: int, source: str) -> PinboxError:
    return PinboxError(msg, path=path, line=line, col=col, source=source)


@lru_cache(maxsize=4096)
def _requirement(text: str) -> Requirement:
    """packaging's parse of one requirement, shared by repeated lines (never mutated)."""
    from packaging.requirements import Requirement  # only files with requirements load packaging

    return Requirement(text)


def _parse_requirement(text: str, where: tuple[Path, int, int, str]) -> Requirement:
    from packaging.requirements import InvalidRequirement

    path, line, col, source = where
    try:
        return _requirement(text)
    except InvalidRequirement as exc:
        first, *rest = str(exc).splitlines()
        caret = next((r for r in rest if r.strip().startswith(("^", "~"))), None)
        offset = (caret.index("^") - 4) if caret and "^" in caret else 0
        return_col = col + max(offset, 0)
        raise _error(f"invalid requirement {text!r}: {first}", path, line, return_col, source) from None


def _looks_like_path(token: str) -> bool:
    return (
        token.startswith((".", "/", "~"))
        or "://" in token.split(" ", 1)[0]
        or (token.endswith((".whl", ".tar.gz", ".zip")) and "@" not in token)
    )


def parse_requirements(text: str, path: Path | str = "requirements.txt") -> RequirementsFile:
    """Parse the text of one requirements file (includes are not followed)."""
    path = Path(path)
    entries: list[Entry] = []
    for start, end, body, comment in _logical_lines(text):
        if not body:
            continue
        line, _ = position(text, start)
        last, _ = position(text, max(end - 1, start))
        source = line_text(text, line)
        col = len(source) - len(source.lstrip()) + 1
        entries.append(_parse_line(body, comment, (path, line, last, col, source), (start, end)))
    return RequirementsFile(path=path, text=text, entries=tuple(entries))


def _parse_line(
    body: str, comment: str, where: tuple[Path, int, int, int, str], span: tuple[int, int]
) -> Entry:
    path, line, end, col, source = where
    if body.startswith("-"):
        return _parse_option_line(body, comment, where, span)
    # A requirement, then optional per-requirement options (`--hash=...`).
    split = re.search(r"\s--", body)
    req_text, tail = (body[: split.start()], body[split.start() :]) if split else (body, "")
    try:
        tokens = shlex.split(tail)
    except ValueError as exc:
        raise _error(f"cannot split options: {exc}", path, line, col, source) from None
    hashes: list[str] = []
    it = iter(tokens)
    for token in it:
        name, value = _split_option(token)
        if name not in _PER_REQUIREMENT:
            raise _error(f"unknown option {name!r} after a requirement", path, line, col, source)
        if value is None:
            value = next(it, None)
            if value is None:
                raise _error(f"option {name} needs a value", path, line, col, source)
        if name == "--hash":
            hashes.append(value)
    req_text = req_text.strip()

    def entry(
        text: str, kind: Kind, requirement: Requirement | None = None, value: str | None = None
    ) -> Entry:
        return Entry(
            path, line, end, col, text, kind, requirement, value=value, hashes=tuple(hashes),
            comment=comment, start=span[0], end=span[1],
        )  # fmt: skip

    if _looks_like_path(req_text) and not re.match(r"^[A-Za-z0-9][\w.\-]*(\[.*\])?\s*@", req_text):
        return entry(req_text, Kind.PATH, value=req_text)
    # ${VAR} is expanded only to parse the requirement: entry text keeps the reference, so a
    # token in the environment never reaches findings or reports.
    return entry(body, Kind.REQUIREMENT, _parse_requirement(_expand_env(req_text), (path, line, col, source)))


def _parse_option_line(
    body: str, comment: str, where: tuple[Path, int, int, int, str], span: tuple[int, int]
) -> Entry:
    path, line, end, col, source = where
    first, _, rest = re.sub(r"\s", " ", body, count=1).partition(" ")
    name, value = _split_option(first)
    name = _ALIASES.get(name, name)
    if name not in _OPTIONS:
        raise _error(f"unknown option {name!r}", path, line, col, source)
    if _OPTIONS[name]:
        if value is None:
            value = rest.strip()
            rest = ""
        if not value:
            raise _error(f"option {name} needs a value", path, line, col, source)
    elif value is not None or rest.strip():
        raise _error(f"option {name} takes no value", path, line, col, source)
    kind = _KIND_OF_OPTION.get(name, Kind.OPTION)
    return Entry(
        path,
        line,
        end,
        col,
        body,
        kind,
        option=name,
        value=value,
        comment=comment,
        start=span[0],
        end=span[1],
    )


def load_requirements(path: Path | str) -> list[RequirementsFile]:
    """Read a requirements file and every file it includes with `-r` / `-c`, in order."""
    seen: set[Path] = set()
    out: list[RequirementsFile] = []

    def visit(p: Path, via: Entry | None, via_source: str = "") -> None:
        resolved = p.resolve()
        if resolved in seen:
            return
        seen.add(resolved)
        try:
            text = read_text(p, what="requirements file")
        except PinboxError as exc:
            if via is None:
                raise
            raise _error(f"{exc.message}: {via.value}", via.path, via.line, via.col, via_source) from None
        parsed = parse_requirements(text, p)
        out.append(parsed)
        for entry in parsed.entries:
            if entry.kind in (Kind.INCLUDE, Kind.CONSTRAINT) and entry.value:
                if "://" in entry.value:
                    continue  # remote includes are passed to the resolver as they are
                visit(p.parent / entry.value, entry, line_text(text, entry.line))

    visit(Path(path), None)
    return out
