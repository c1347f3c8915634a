"""The commands a RUN instruction runs, read as the shell reads them.

A RUN's text (shell form, exec form, or a heredoc script) is tokenized with positions
(`lexer`), split into simple commands at `&&`, `||`, `;`, `|`, `&` and newlines, and walked
with the shell's own rules for variables: `export VAR=x` and `set -a` reach every later command
of the RUN, `VAR=x cmd` reaches `cmd` only, and a bare `VAR=x` stays in the shell (a program
does not see it unless it was exported). Wrappers (`sudo`, `env`, `exec`, `nice`, ...) are
looked through, and the scripts of `sh -c '...'` and of `bash <<EOF` are read as commands too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import field
from functools import cached_property

from pinbox.dockerfile.lexer import Op, Redirect, Token, Word, json_words, tokenize
from pinbox.dockerfile.model import Dockerfile, Instruction
from pinbox.dockerfile.source import Source, command_source, heredoc_sources, json_strings
from pinbox.dockerfile.variables import Variables
from pinbox.record import Record, dataclass

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# wrapper -> its options that take a value; `None` for a wrapper whose first argument is not the command
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir"}),
    "exec": frozenset({"-a"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
}
_WRAPPER_ARGS = {"gosu": 1, "su-exec": 1, "timeout": 1, "chroot": 1}  # then the command
_LEADING = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_CLAUSES = frozenset({"fi", "done", "esac", "}", "for", "case", "in", "select", "function"})
MAX_DEPTH = 4  # `sh -c` inside `sh -c` ...: deeper scripts are not read


@dataclass(frozen=True, eq=False)
class Command:
    """A simple command: its words (the program first) and the variables its process receives from
    the RUN itself (exported earlier in the RUN, or written before the command)."""

    words: tuple[Word, ...]
    exports: Variables = field(default_factory=Variables)  # shared with the RUN's other commands
    operator: str = ""  # the operator before it ("|" when it reads a pipe)
    cwd: str | None = ""  # where an earlier `cd` of the RUN went ("": no cd; None: unknown)

    @property
    def env(self) -> tuple[tuple[str, str], ...]:
        """(name, value) of each variable its process receives from the RUN."""
        return tuple(self.exports.as_dict().items())

    @cached_property  # rules ask it of every command of a RUN, for each install in it
    def program(self) -> str:
        """The program's name without its folder (`/usr/bin/pip3` -> `pip3`)."""
        return basename(self.words[0].text) if self.words else ""


def basename(program: str) -> str:
    """A program's name without its folder (`/usr/bin/pip3` -> `pip3`)."""
    return program.rsplit("/", 1)[-1]


class Assignment(Record):
    """`NAME=value` anywhere in a RUN: before a command, alone, after `export` or `env`."""

    name: str
    value: str
    word: Word


@dataclass(frozen=True, eq=False)
class Script:
    """What a RUN runs: its simple commands in order, and every variable assignment written in it."""

    commands: tuple[Command, ...] = ()
    assignments: tuple[Assignment, ...] = ()


@dataclass(eq=False)
class _Shell:
    """Variables of one shell: value and whether exported; `set -a` exports every assignment.

    What it exports is also kept as `Variables`, taken when a command runs: a RUN's commands
    share them instead of each holding a copy of every exported variable."""

    values: dict[str, tuple[str, bool]] = field(default_factory=dict)
    allexport: bool = False
    cwd: str | None = ""  # relative to the WORKDIR unless absolute; None after `cd $VAR` or `cd -`
    taken: Variables = field(default_factory=Variables)  # the exported variables when last taken
    changed: dict[str, str | None] = field(default_factory=dict)  # since then; None: unset

    def exported(self) -> Variables:
        """What the shell exports now (the same `Variables` until an assignment changes it)."""
        self.taken, self.changed = self.taken.then(self.changed), {}
        return self.taken

    def assign(self, name: str, value: str, export: bool = False) -> None:
        exported = export or self.values.get(name, ("", False))[1] or self.allexport
        self.values[name] = (value, exported)
        if exported:
            self.changed[name] = value

    def unset(self, name: str) -> None:
        if self.values.pop(name, ("", False))[1]:
            self.changed[name] = None

    def child(self, exports: Variables) -> _Shell:
        values = {k: (v, True) for k, v in exports.as_dict().items()}
        return _Shell(values, cwd=self.cwd, taken=exports.fork())

    def cd(self, args: list[str]) -> None:
        target = next((a for a in args if not a.startswith("-")), None) if args != ["-"] else None
        if target is None or "$" in target or target.startswith("~"):
            self.cwd = None
        elif self.cwd is not None:
            self.cwd = posixpath.normpath(posixpath.join(self.cwd or ".", target))


def _reserved(words: list[Word]) -> list[Word]:
    """The command inside `if`/`then`/`else`/`do`/`!`...; nothing for `fi`, `done`, a `for` clause."""
    while words and words[0].text in _LEADING and not words[0].quoted:
        words = words[1:]
    if words and not words[0].quoted and words[0].text in _CLAUSES:
        return []
    return words


def _split_assignment(text: str) -> tuple[str, str] | None:
    """(name, value) of `NAME=value`; None for any other word (`1A=x` included)."""
    name, sep, value = text.partition("=")
    return (name, value) if sep and re.fullmatch(NAME, name) else None


def _strip_wrappers(words: list[Word], env: dict[str, str]) -> list[Word]:
    """Look through `sudo -u x`, `env A=1`, `exec`, `nice -n 5`, `gosu user` ... to the command."""
    while words:
        name = basename(words[0].text)
        if name in _WRAPPERS:
            valued, i = _WRAPPERS[name], 1
            while i < len(words) and words[i].text.startswith("-") and words[i].text != "--":
                i += 2 if words[i].text in valued else 1
            i += 1 if i < len(words) and words[i].text == "--" else 0
            while name == "env" and i < len(words) and (pair := _split_assignment(words[i].text)):
                env[pair[0]] = pair[1]
                i += 1
            words = words[i:]
        elif name in _WRAPPER_ARGS:
            words = [w for w in words[1:] if not w.text.startswith("-")][_WRAPPER_ARGS[name] :]
        else:
            return words
    return words


def _shell_script(words: list[Word]) -> Word | None:
    """The script word of `sh -c 'script'` / `bash -ec "..."`."""
    if not words or basename(words[0].text) not in SHELLS:
        return None
    for i, word in enumerate(words[1:-1], 1):
        text = word.text
        if text.startswith("-") and not text.startswith("--") and "c" in text[1:]:
            return words[i + 1]
        if not text.startswith(("-", "+")):
            return None
    return None


@dataclass(eq=False)
class _Walker:
    """One walk over a RUN's tokens: the commands and assignments found, and the heredocs left."""

    heredocs: list[Source]
    depth: int = 0
    found: list[Command] = field(default_factory=list)
    assigned: list[Assignment] = field(default_factory=list)

    def note(self, word: Word) -> tuple[str, str] | None:
        pair = _split_assignment(word.text)
        if pair is not None:
            self.assigned.append(Assignment(pair[0], pair[1], word))
        return pair

    def run(self, tokens: list[Token], shell: _Shell) -> None:
        words: list[Word] = []
        stdin: list[Source] = []
        operator = ""
        redirect: Redirect | None = None
        for token in [*tokens, Op("", -1)]:
            if isinstance(token, Word):
                if redirect is None:
                    words.append(token)
                elif redirect.text in ("<<", "<<-") and self.heredocs:
                    stdin.append(self.heredocs.pop(0))
                redirect = None
            elif isinstance(token, Redirect):
                redirect = token
            else:
                self.simple(words, stdin, operator, shell)
                words, stdin, operator, redirect = [], [], token.text, None

    def simple(self, words: list[Word], stdin: list[Source], operator: str, shell: _Shell) -> None:
        prefix: dict[str, str] = {}
        while words and (pair := self.note(words[0])):
            prefix[pair[0]] = pair[1]
            words = words[1:]
        if not words:
            for name, value in prefix.items():
                shell.assign(name, value)
            return
        words = _reserved(words)
        for word in words[1:] if words and words[0].text in ("export", "env") else ():
            self.note(word)
        words = _strip_wrappers(words, prefix)  # `env A=1 cmd`: A is the command's own, like a prefix
        if not words:
            return
        exports = shell.exported().fork().then(prefix) if prefix else shell.exported()
        self.found.append(Command(tuple(words), exports, operator, shell.cwd))
        self.builtin(words, shell)
        if self.depth >= MAX_DEPTH:
            return
        script = _shell_script(words)
        if script is not None:
            self.nested(script.source(), shell.child(exports))
        elif basename(words[0].text) in SHELLS:
            for body in stdin:  # `bash <<EOF`: the heredoc is the script
                self.nested(body, shell.child(exports))

    def nested(self, source: Source, shell: _Shell) -> None:
        inner = _Walker([], self.depth + 1, self.found, self.assigned)
        inner.run(tokenize(source), shell)

    @staticmethod
    def builtin(words: list[Word], shell: _Shell) -> None:
        """`export`, `unset` and `set -a` change what later commands of the RUN receive."""
        name, args = words[0].text, [w.text for w in words[1:]]
        if name == "cd":
            shell.cd(args)
        elif name == "export":
            for arg in (a for a in args if not a.startswith("-")):
                pair = _split_assignment(arg)
                if pair is not None:
                    shell.assign(*pair, export=True)
                elif re.fullmatch(NAME, arg):
                    shell.assign(arg, shell.values.get(arg, ("", False))[0], export=True)
        elif name == "unset":
            for arg in args:
                shell.unset(arg)
        elif name == "set":
            for arg in args:
                if arg.startswith(("-", "+")) and "a" in arg[1:] and not arg.startswith("--"):
                    shell.allexport = arg[0] == "-"
            if "allexport" in args:
                shell.allexport = args[args.index("allexport") - 1] == "-o"


def scripts(model: Dockerfile, ins: Instruction) -> tuple[list[Token], list[Source]]:
    """The tokens of a RUN's command line, and its heredoc bodies (in order)."""
    source, last = command_source(model.text, ins, model.escape)
    bodies = heredoc_sources(model.text, ins, last) if ins.heredocs else []
    if ins.json:
        strings = json_strings(source)
        if strings is None or [s[0] for s in strings] != list(ins.value):
            fallback = source.at(0)
            strings = [(v, (fallback,) * len(v), fallback, fallback) for v in ins.value]
            return list(json_words(strings, exact=False)), bodies
        return list(json_words(strings, source.exact)), bodies
    return tokenize(source), bodies


COMMANDS = ("RUN", "CMD", "ENTRYPOINT")


def read_run(model: Dockerfile, ins: Instruction) -> Script:
    """Every simple command a RUN (or ONBUILD RUN, CMD, ENTRYPOINT) runs, in order, with what it
    receives."""
    if ins.cmd not in COMMANDS and not ins.runs:
        return Script()
    tokens, bodies = scripts(model, ins)
    walker = _Walker(list(bodies))
    if ins.json:
        walker.simple([t for t in tokens if isinstance(t, Word)], [], "", _Shell())
    elif bodies and not _has_command(tokens):  # `RUN <<EOF`: the heredoc is the script itself
        for body in bodies:
            if not body.text.startswith("#!") or _shebang_shell(body.text):
                walker.nested(body, _Shell())
    else:
        walker.run(tokens, _Shell())
    return Script(tuple(walker.found), tuple(walker.assigned))


def _has_command(tokens: list[Token]) -> bool:
    """True when the line has a word that is not a redirection's target (`<<EOF` alone has none)."""
    return any(
        isinstance(t, Word) and not isinstance(p, Redirect)
        for p, t in zip([None, *tokens], tokens, strict=False)
    )


def _shebang_shell(body: str) -> bool:
    first = body.split("\n", 1)[0][2:].split()
    program = first[1] if first and first[0].endswith("/env") and len(first) > 1 else (first or [""])[0]
    return basename(program) in SHELLS


def words_of(commands: tuple[Command, ...]) -> Iterator[Word]:
    """Every word of every command."""
    for command in commands:
        yield from command.words
