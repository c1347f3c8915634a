"""Programs an image runs: what a base image provides on PATH (data/image_programs.toml), which
program a command line runs, and what ML images commonly run (data/entry_programs.toml: the
distribution that provides each program and the port it listens on). Shared by `pinbox init` and
the rule entrypoint-not-installed.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from functools import cache

from pinbox import wildcard
from pinbox.datafiles import data_table
from pinbox.dockerfile.shell import SHELLS
from pinbox.record import Record
from pinbox.reference import image_matches

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"python(\d(\.\d+)?)?")


@cache
def _images() -> tuple[dict[str, list[str]], dict[str, dict[str, object]]]:
    data = data_table("image_programs")
    return data["os"], {str(row["pattern"]): row for row in data["image"]}


def base_programs(ref: str) -> tuple[str, ...] | None:
    """`*` patterns of the programs a base image provides; None for an image not in the table."""
    oses, rows = _images()
    pattern = image_matches(ref, rows)
    if pattern is None:
        return None
    own = [str(p) for p in rows[pattern]["programs"]]  # type: ignore[attr-defined]
    return (*own, *oses.get(str(rows[pattern].get("os", "")), ()))


def base_provides(ref: str, program: str) -> bool:
    return any(wildcard.matches(program, p) for p in base_programs(ref) or ())


class Known(Record):
    """A program ML images commonly run: its distribution, default port and port options."""

    name: str
    distribution: str
    port: int | None = None
    port_options: tuple[str, ...] = ()
    bind_options: tuple[str, ...] = ()


@cache
def _known() -> dict[str, Known]:
    return {
        row["name"]: Known(
            row["name"],
            row["distribution"],
            row.get("port"),
            tuple(row.get("port-options", ())),
            tuple(row.get("bind-options", ())),
        )
        for row in data_table("entry_programs")["program"]
    }


def known(program: str) -> Known | None:
    return _known().get(program)


def command_words(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The words of the command an exec-form argv runs: `sh -c "X a b"` runs X; leading variable
    assignments and `exec` are skipped. () when the command cannot be read without a shell."""
    words = argv
    if len(words) >= 3 and posixpath.basename(words[0]) in SHELLS and words[1] == "-c":
        try:
            words = tuple(shlex.split(words[2]))
        except ValueError:
            return ()
        if any(w in ("&&", "||", ";", "|") or "$" in w or w.endswith(";") for w in words):
            return ()
    while words and (_ASSIGNMENT.match(words[0]) or words[0] == "exec"):
        words = words[1:]
    return words


def program(argv: tuple[str, ...]) -> str | None:
    """The program an argv runs that must be on PATH: None for a path (`./run.sh`), a variable, a
    Python interpreter (it runs a script or module) or a command only a shell can read."""
    words = command_words(argv)
    if not words or "$" in words[0] or "/" in words[0]:
        return None
    name = words[0]
    return None if _PYTHON.fullmatch(name) else name


def port(argv: tuple[str, ...]) -> int | None:
    """The port a known program listens on with these arguments (its option, else its default)."""
    words = command_words(argv)
    found = known(program(argv) or "")
    if found is None:
        return None
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name in found.port_options + found.bind_options:
            value = value if eq else (words[i + 1] if i + 1 < len(words) else "")
            value = value.rpartition(":")[2] if name in found.bind_options else value
            return int(value) if value.isdigit() and 0 < int(value) < 65536 else None
    return found.port
