"""Package installs in RUN commands: `pip install`, `python -m pip`, `uv pip install`, `conda install` ...

A command's words are read with the installer's own option table (`options`, generated from pip
and uv themselves), so an option's value is never taken for a package (`--root-user-action
ignore`), pip's abbreviations count (`--no-cache` is `--no-cache-dir`), and every option,
value and package keeps its position in the file.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import field

from pinbox.dockerfile import options as table
from pinbox.dockerfile.lexer import Word
from pinbox.dockerfile.model import Instruction
from pinbox.dockerfile.shell import Command
from pinbox.dockerfile.variables import Variables
from pinbox.record import Record, dataclass

_PIP = re.compile(r"^pip(?:[23](?:\.\d+)?)?$")
_PYTHON = re.compile(r"^python(?:[23](?:\.\d+)?)?[mw]?$")
_PYTHON_VALUED = frozenset({"-W", "-X", "--check-hash-based-pycs"})
SUBCOMMANDS = {
    "pip": ("install", "download", "wheel"),
    "conda": ("install", "create", "update"),
    "poetry": ("install", "add"),
}
# conda and poetry are not read from a generated table: the few options that take a value
_OTHER_VALUED = {
    "conda": frozenset({"-c", "--channel", "-n", "--name", "-p", "--prefix", "--file", "-f"}),
    "poetry": frozenset(
        {"--only", "--with", "--without", "-E", "--extras", "-G", "--group", "-C", "--directory"}
    ),
}


class Option(Record):
    name: str  # canonical: --requirement for -r, --no-cache-dir for pip's --no-cache
    word: Word
    value: Word | None = None
    value_text: str | None = None  # glued values (`-rreq.txt`, `--index-url=URL`) are part of `word`


@dataclass(frozen=True, eq=False)
class Install:
    """One install command: its tool, subcommand, options and positional arguments, with positions."""

    instruction: Instruction
    tool: str  # pip | uv | conda | poetry
    command: str  # install | sync | add | download | wheel | create | update
    program: Word  # `pip`, `python3`, `uv`, ...
    keyword: Word  # the subcommand word
    options: tuple[Option, ...]
    positionals: tuple[Word, ...]
    exports: Variables = field(default_factory=Variables)  # what its RUN passes it (see shell.Command)
    cwd: str | None = ""  # an earlier `cd` of its RUN: relative to the WORKDIR, or absolute; None: unknown

    @property
    def env(self) -> tuple[tuple[str, str], ...]:
        """(name, value) of each variable its process receives from the RUN."""
        return tuple(self.exports.as_dict().items())

    def relative_to_workdir(self, name: str) -> str | None:
        """A path argument as seen from the WORKDIR (after the RUN's `cd`); None when unknown."""
        if name.startswith("/") or self.cwd == "":
            return name
        return None if self.cwd is None else posixpath.normpath(posixpath.join(self.cwd, name))

    def _names(self, names: tuple[str, ...]) -> set[str]:
        if self.tool not in ("pip", "uv"):
            return set(names)
        return {table.canonical(self.tool, self.command, n) or n for n in names}

    def option_list(self, *names: str) -> list[Option]:
        wanted = self._names(names)
        return [o for o in self.options if o.name in wanted]

    def values(self, *names: str) -> tuple[str, ...]:
        """Values of the named options (any spelling: `-r x`, `--requirement=x`, `-rx`)."""
        return tuple(
            o.value_text if o.value_text is not None else (o.value.text if o.value else "")
            for o in self.option_list(*names)
        )

    def has(self, *names: str) -> bool:
        return bool(self.option_list(*names))

    @property
    def requirement_files(self) -> tuple[str, ...]:
        """`-r` files, and the files `uv pip sync` takes as arguments."""
        synced = tuple(w.text for w in self.positionals) if self.command == "sync" else ()
        return self.values("-r", "--requirement") + synced

    @property
    def constraint_files(self) -> tuple[str, ...]:
        return self.values("-c", "--constraint")

    @property
    def package_words(self) -> tuple[Word, ...]:
        """Package specs, paths or URLs (`uv pip sync` takes files instead: requirement_files)."""
        return () if self.command == "sync" else self.positionals

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.package_words)


def _uses(tool: str, command: str, text: str) -> tuple[table.OptionUse, ...]:
    """The options in one word, read with the tool's own option table (conda/poetry: a small list)."""
    if tool not in _OTHER_VALUED:
        return table.option_word(tool, command, text)
    if not text.startswith("-") or text in ("-", "--"):
        return ()
    written, eq, value = text.partition("=") if text.startswith("--") else (text, "", "")
    valued = written in _OTHER_VALUED[tool]
    return (table.OptionUse(written, written, value if eq else None, valued and not eq),)


def parse_arguments(tool: str, command: str, words: list[Word]) -> tuple[list[Option], list[Word]]:
    """(options, positionals) of an installer's arguments, as its own parser reads them."""
    options: list[Option] = []
    positionals: list[Word] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word.text == "--":
            positionals += words[i:]
            break
        uses = _uses(tool, command, word.text)
        if not uses:
            positionals.append(word)
        for use in uses:
            name = use.name or use.written
            if use.value_next and i < len(words):
                options.append(Option(name, word, words[i]))
                i += 1
            else:
                options.append(Option(name, word, None, use.value))
    return options, positionals


def _skip_to_subcommand(tool: str, words: list[Word], names: tuple[str, ...]) -> int | None:
    """Index of the subcommand after the tool's global options (`pip -q install`, `uv --no-cache pip`)."""
    i = 0
    while i < len(words) and words[i].text.startswith("-"):
        uses = _uses(tool, "general", words[i].text) if tool in ("pip", "uv") else ()
        i += 2 if any(use.value_next for use in uses) else 1
    return i if i < len(words) and words[i].text in names else None


def _python_module(words: tuple[Word, ...]) -> tuple[str, list[Word]] | None:
    """(`pip` or `uv`, the words after it) for `python [-options] -m pip ...`."""
    i = 1
    while i < len(words) and words[i].text.startswith("-"):
        text = words[i].text
        if text == "-m" and i + 1 < len(words):
            module = words[i + 1].text
            return (module, list(words[i + 2 :])) if module in ("pip", "uv") else None
        if text.startswith("-m"):
            return (text[2:], list(words[i + 1 :])) if text[2:] in ("pip", "uv") else None
        if text == "-c":
            return None
        i += 2 if text in _PYTHON_VALUED else 1
    return None


def _tool_of(command: Command) -> tuple[str, Word, list[Word]] | None:
    """(tool, program word, words after the program) when the command runs an installer."""
    words, name = command.words, command.program
    if _PYTHON.match(name):
        found = _python_module(words)
        return (found[0], words[0], found[1]) if found else None
    if _PIP.match(name):
        return "pip", words[0], list(words[1:])
    if name in ("uv", "conda", "mamba", "micromamba", "poetry"):
        return ("conda" if name in ("mamba", "micromamba") else name), words[0], list(words[1:])
    return None


def install_of(ins: Instruction, command: Command) -> Install | None:
    """The install a command runs, or None."""
    found = _tool_of(command)
    if found is None:
        return None
    tool, program, rest = found
    if tool == "uv":
        at = _skip_to_subcommand("uv", rest, ("pip", "add"))
        if at is None:
            return None
        if rest[at].text == "add":
            sub, rest, keyword = "add", rest[:at] + rest[at + 1 :], rest[at]
        else:
            inner = _skip_to_subcommand("uv", rest[at + 1 :], ("install", "sync"))
            if inner is None:
                return None
            keyword = rest[at + 1 + inner]
            sub, rest = keyword.text, rest[:at] + rest[at + 1 : at + 1 + inner] + rest[at + 2 + inner :]
    else:
        at = _skip_to_subcommand(tool, rest, SUBCOMMANDS[tool])
        if at is None:
            return None
        keyword, sub, rest = rest[at], rest[at].text, rest[:at] + rest[at + 1 :]
    options, positionals = parse_arguments(tool, sub, rest)
    return Install(
        ins, tool, sub, program, keyword, tuple(options), tuple(positionals), command.exports, command.cwd
    )


def installs(ins: Instruction, commands: tuple[Command, ...]) -> list[Install]:
    """Every install among a RUN's commands."""
    return [found for command in commands if (found := install_of(ins, command))]
