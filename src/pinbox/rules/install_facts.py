"""What the install rules read around a pip or uv install: the variables it sees, the user's home,
cache mounts, folders the RUN removes, which installs install dependencies, and findings placed
on the word they are about.

Where files come from (WORKDIR, COPY) is in `pinbox.dockerfile.copies`; the build state before an
instruction (ARG, ENV, USER, WORKDIR) in `pinbox.dockerfile.state`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

from pinbox.dockerfile.installs import Install
from pinbox.dockerfile.lexer import Word
from pinbox.dockerfile.model import Instruction, Stage
from pinbox.dockerfile.shell import Script
from pinbox.dockerfile.state import unquote
from pinbox.dockerfile.variables import Variables
from pinbox.memo import per_object
from pinbox.record import Record
from pinbox.rules.context import DockerfileDoc
from pinbox.rules.model import Finding, Fix, Rule
from pinbox.textpos import line_span, position

PIP_TOOLS = ("pip", "uv")
_LOCAL_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".txt", ".in", ".lock", ".toml")
_BOOL = dict.fromkeys(("1", "y", "yes", "t", "true", "on"), True) | dict.fromkeys(
    ("0", "n", "no", "f", "false", "off"), False
)


def boolean(value: str | None) -> bool | None:
    """pip's and uv's reading of a boolean environment value (None when not one)."""
    return None if value is None else _BOOL.get(value.strip().lower())


def is_local(word: str) -> bool:
    """A path, URL or file argument of pip rather than a package name."""
    return word.startswith((".", "/", "~")) or "://" in word or word.endswith(_LOCAL_SUFFIXES)


class Env(Mapping[str, str]):
    """Variables an install's process sees: what its RUN exported or wrote before the command, else
    ENV, else ARG values. Looked up one name at a time: a whole dict per install is quadratic in a
    RUN that sets a variable per command."""

    def __init__(self, *points: Variables) -> None:
        self._points = points

    def __getitem__(self, name: str) -> str:
        for point in self._points:
            if (value := point.get(name)) is not None:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        merged: dict[str, str] = {}
        for point in reversed(self._points):
            merged.update(point.as_dict())
        return iter(merged)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def env_at(doc: DockerfileDoc, install: Install) -> Env:
    """Variables an install's process sees (see Env)."""
    state = doc.model.state(install.instruction)
    return Env(install.exports, state.env, state.args)


def pip_installs(doc: DockerfileDoc) -> Iterator[tuple[Install, Env]]:
    """pip and uv installs, with the variables each one sees."""
    for install in doc.installs:
        if install.tool in PIP_TOOLS:
            yield install, env_at(doc, install)


def installs_dependencies(install: Install) -> bool:
    """A pip/uv install of requirement files or named packages (not only local paths)."""
    return install.tool in PIP_TOOLS and bool(
        install.requirement_files
        or install.constraint_files
        or any(not is_local(p) for p in install.packages)
    )


def dependency_installs(doc: DockerfileDoc, ins: Instruction) -> list[Install]:
    """pip/uv installs of a RUN that install requirement files or named packages."""
    return [i for i in doc.installs_in(ins) if installs_dependencies(i)]


def cache_mounts(ins: Instruction, kinds: tuple[str, ...] = ("cache", "tmpfs")) -> list[str]:
    """Targets of `RUN --mount=type=cache,...` (and tmpfs mounts: nothing written there stays)."""
    out = []
    for flag in ins.flags:
        if flag.startswith("--mount="):
            fields = {k: v for k, _, v in (p.partition("=") for p in flag[len("--mount=") :].split(","))}
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if fields.get("type") in kinds and target:
                out.append(posixpath.normpath(unquote(target)))
    return out


def expand_home(path: str, home: str | None) -> str:
    """`~`, `$HOME` and `${HOME}` at the start of a path, replaced by the user's home."""
    return re.sub(r"^(~|\$HOME|\$\{HOME\})(?=/|$)", home or "~", path)


def removed_dirs(doc: DockerfileDoc, ins: Instruction, home: str | None) -> list[str]:
    """Folders `rm -r`-ed in the same RUN (so a cache written there is gone from the layer)."""
    out = []
    for args in _cleanups(doc.script(ins)).removals:
        for arg in (expand_home(a, home).removesuffix("/*") for a in args):
            if arg.startswith("/"):
                out.append(posixpath.normpath(arg))
    return out


_PURGES = {"pip": ("cache", "purge"), "uv": ("cache", "clean")}


def cache_purged(doc: DockerfileDoc, install: Install) -> bool:
    """`pip cache purge` (`uv cache clean`) later in the same RUN: the cache leaves the layer."""
    tool = "uv" if install.tool == "uv" else "pip"
    return _cleanups(doc.script(install.instruction)).last_purge.get(tool, -1) > install.keyword.start


class _Cleanups(Record):
    removals: tuple[tuple[str, ...], ...]  # the arguments of each `rm -r`
    last_purge: dict[str, int]  # tool -> offset of its last cache purge


@per_object  # asked for each install of a RUN: one pass over its commands
def _cleanups(script: Script) -> _Cleanups:
    removals, last_purge = [], {}
    for command in script.commands:
        words = [w.text for w in command.words]
        if command.program == "rm" and any(a.startswith("-") and "r" in a.lower() for a in words[1:]):
            removals.append(tuple(words[1:]))
        for tool, purge in _PURGES.items():
            named = tool in words and tuple(words[words.index(tool) + 1 :][:2]) == purge
            if named or (command.program.startswith(tool) and tuple(words[1:3]) == purge):
                last_purge[tool] = command.words[0].start
    return _Cleanups(tuple(removals), last_purge)


# --- positions -----------------------------------------------------------------------------


def span(text: str, ins: Instruction) -> tuple[int, int]:
    return line_span(text, ins.line, ins.end_line)


def base_offset(doc: DockerfileDoc, stage: Stage) -> int | None:
    """Offset of a stage's image reference on its FROM line."""
    start, end = line_span(doc.text, stage.from_line, stage.from_line)
    found = doc.text.find(stage.base, start, end)
    return None if found == -1 else found


def word_named(words: tuple[Word, ...], text: str) -> Word | None:
    return next((w for w in words if w.text == text), None)


def file_word(install: Install, name: str) -> Word | None:
    """The word naming a requirement file: `-r`'s value, or the option word holding it (`-rfile`)."""
    for option in install.option_list("-r", "--requirement"):
        if (option.value.text if option.value else option.value_text) == name:
            return option.value or option.word
    return word_named(install.positionals, name)


def finding_at(
    rule: Rule,
    doc: DockerfileDoc,
    ins: Instruction,
    message: str,
    word: Word | int | None = None,
    fix: Fix | None = None,
) -> Finding:
    """A finding at the word it is about (its own line, even inside a continuation or a heredoc), or
    at an offset, else at the instruction."""
    at = word if isinstance(word, int) else word.start if word is not None and word.exact else None
    if at is not None:
        line, col = position(doc.text, at)
    else:
        start, end = span(doc.text, ins)
        first = doc.text[start:end]
        line, col = ins.line, len(first) - len(first.lstrip()) + 1
    return rule.finding(doc.path, line, message, col=col, fix=fix, end_line=ins.end_line, first_line=ins.line)
