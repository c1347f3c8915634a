"""Shell words of RUN instructions, and the package installs hidden in them.

RUN text is split with a real shell tokenizer (shlex, POSIX rules, with `&&`, `||`, `;`, `|`
as separate tokens), so `pip install` is found after `&&`, behind `python -m pip`, `pip3`,
`python3.11 -m pip`, `/venv/bin/pip` or `uv pip install`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from itertools import takewhile

from pinbox.dockerfile.model import Instruction

_SEPARATORS = {"&&", "||", ";", "|", "&", ";;", "(", ")"}
_PIP = re.compile(r"^(?:.*/)?pip(?:3(?:\.\d+)?)?$")
_PYTHON = re.compile(r"^(?:.*/)?python(?:3(?:\.\d+)?)?$")
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# pip/uv options that take a value (so the value is not mistaken for a package)
_VALUED = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--cache-dir",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--trusted-host",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--python",
    "-p",
    "--default-timeout",
    "--timeout",
    "--retries",
    "--log",
    "--src",
    "--upgrade-strategy",
    "--config-settings",
    "-C",
    "--global-option",
    "--index-strategy",
    "--extra",
    "--group",
    "--torch-backend",
    "--exclude-newer",
    "--python-platform",
}


def shell_words(command: str) -> list[str]:
    """Split a shell command into words and operators; unbalanced quotes fall back to spaces."""
    # a newline ends a command (heredoc scripts); a backslash-newline continues it
    command = command.replace("\\\n", " ").replace("\n", " ; ")
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return command.split()


def simple_commands(words: list[str]) -> list[list[str]]:
    """Split words at `&&`, `||`, `;`, `|` into simple commands."""
    out: list[list[str]] = [[]]
    for word in words:
        if word in _SEPARATORS:
            out.append([])
        else:
            out[-1].append(word)
    return [c for c in out if c]


@dataclass(frozen=True)
class Install:
    """One `pip install` / `uv pip install` / `uv add` / `conda install` in a RUN instruction."""

    instruction: Instruction
    tool: str  # "pip" | "uv" | "conda" | "poetry"
    words: tuple[str, ...]  # options before the subcommand, then every word after it
    env: tuple[tuple[str, str], ...]  # VAR=value prefixes of the command
    command: str = "install"  # install | sync | add

    def values(self, *names: str) -> tuple[str, ...]:
        """Values of options such as -r/--requirement, in both `-r x` and `--requirement=x` forms."""
        out: list[str] = []
        words = list(self.words)
        for i, word in enumerate(words):
            for name in names:
                if word == name and i + 1 < len(words):
                    out.append(words[i + 1])
                elif name.startswith("--") and word.startswith(name + "="):
                    out.append(word.split("=", 1)[1])
                elif not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                    out.append(word[len(name) :])
        return tuple(out)

    def has(self, *flags: str) -> bool:
        return any(w in flags or any(w.startswith(f + "=") for f in flags) for w in self.words)

    @property
    def requirement_files(self) -> tuple[str, ...]:
        """`-r` files, and the files `uv pip sync` takes as arguments."""
        synced = self._positionals() if self.command == "sync" else ()
        return self.values("-r", "--requirement") + synced

    @property
    def constraint_files(self) -> tuple[str, ...]:
        return self.values("-c", "--constraint")

    @property
    def packages(self) -> tuple[str, ...]:
        """Package specs, paths or URLs (`uv pip sync` takes files instead: requirement_files)."""
        return () if self.command == "sync" else self._positionals()

    def _positionals(self) -> tuple[str, ...]:
        out: list[str] = []
        skip = False
        for word in self.words:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                skip = word in _VALUED
                continue
            out.append(word)
        return tuple(out)


def _subcommand(words: list[str], *names: str) -> tuple[str, list[str]] | None:
    """Skip leading options (`pip -q install`, `uv --no-cache pip install`) to the subcommand.

    Returns (the subcommand, the leading options followed by the words after it)."""
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in _VALUED else 1
    if i < len(words) and words[i] in names:
        return words[i], words[:i] + words[i + 1 :]
    return None


def _install_of(command: list[str]) -> tuple[str, str, list[str]] | None:
    """(tool, subcommand, words) if this simple command installs packages."""
    words = list(command)
    while words and words[0] in ("sudo", "exec", "env", "time", "nice"):
        words = words[1:]
    while words and _ASSIGN.match(words[0]):
        words = words[1:]
    if not words:
        return None
    head = words[0]
    rest = words[1:]
    if _PYTHON.match(head) and len(rest) >= 2 and rest[0] == "-m" and rest[1] in ("pip", "uv"):
        head, rest = rest[1], rest[2:]
    name = head.rsplit("/", 1)[-1]
    tools = {
        "pip": ("install",),
        "conda": ("install",),
        "mamba": ("install",),
        "micromamba": ("install",),
        "poetry": ("install", "add"),
    }
    if _PIP.match(head):
        name = "pip"
    if name == "uv":
        top = _subcommand(rest, "pip", "add")
        if top is None:
            return None
        if top[0] == "add":
            return "uv", "add", top[1]
        sub = _subcommand(top[1], "install", "sync")
        return ("uv", sub[0], sub[1]) if sub else None
    if name in tools:
        found = _subcommand(rest, *tools[name])
        tool = "conda" if name in ("mamba", "micromamba") else name
        return (tool, found[0], found[1]) if found else None
    return None


def installs(instruction: Instruction) -> list[Install]:
    """Every package install in a RUN instruction (shell form, exec form or heredoc)."""
    if instruction.cmd != "RUN":
        return []
    texts = list(instruction.heredocs) or [" ".join(instruction.value)]
    found: list[Install] = []
    for text in texts:
        words = instruction.value if instruction.json else shell_words(text)
        for command in simple_commands(list(words)):
            env = tuple(
                (name, value)
                for name, _, value in (w.partition("=") for w in takewhile(_ASSIGN.match, command))
            )
            match = _install_of(command)
            if match:
                tool, subcommand, rest = match
                found.append(Install(instruction, tool, tuple(rest), env, subcommand))
    return found
