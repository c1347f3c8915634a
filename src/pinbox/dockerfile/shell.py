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
    words: tuple[str, ...]  # every word after `install`
    env: tuple[tuple[str, str], ...]  # VAR=value prefixes of the command

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
        return self.values("-r", "--requirement")

    @property
    def constraint_files(self) -> tuple[str, ...]:
        return self.values("-c", "--constraint")

    @property
    def packages(self) -> tuple[str, ...]:
        """Positional arguments: package specs, paths or URLs."""
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


def _install_of(command: list[str]) -> tuple[str, list[str]] | None:
    """(tool, words after `install`) if this simple command installs packages."""
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
    if _PIP.match(head) or name == "pip":
        return ("pip", rest[1:]) if rest[:1] == ["install"] else None
    if name == "uv":
        if rest[:2] in (["pip", "install"], ["pip", "sync"]):
            return "uv", rest[2:]
        return ("uv", rest[1:]) if rest[:1] == ["add"] else None
    if name in ("conda", "mamba", "micromamba"):
        return ("conda", rest[1:]) if rest[:1] == ["install"] else None
    if name == "poetry":
        return ("poetry", rest[1:]) if rest[:1] in (["install"], ["add"]) else None
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
                tool, rest = match
                found.append(Install(instruction, tool, tuple(rest), env))
    return found
