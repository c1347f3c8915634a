"""What the install rules read around a pip or uv install: the build state at its RUN (ENV/ARG,
the user's home, cache mounts, folders the RUN removes), which installs install dependencies,
and where a word of an instruction stands in the Dockerfile text.

Where files come from (WORKDIR, COPY) is in `pinbox.dockerfile.copies`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from pinbox.dockerfile.copies import before, unquote
from pinbox.dockerfile.model import Dockerfile, Instruction
from pinbox.dockerfile.shell import Install, shell_words, simple_commands
from pinbox.rules.context import DockerfileDoc
from pinbox.rules.model import Finding, Fix, Rule
from pinbox.textpos import line_span, position

PIP_TOOLS = ("pip", "uv")
_LOCAL_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".txt", ".in", ".lock", ".toml")
_BOOL = dict.fromkeys(("1", "y", "yes", "t", "true", "on"), True) | dict.fromkeys(
    ("0", "n", "no", "f", "false", "off"), False
)
_KEYWORD = re.compile(
    r"""(?<![\w.-])(?:uv(?:\s|\\\n|",\s*")+pip|pip[\d.]*|uv)(?:\s|\\\n|",\s*")+(?:install|sync|add)(?![\w-])"""
)


def boolean(value: str | None) -> bool | None:
    """pip's and uv's reading of a boolean environment value (None when not one)."""
    return None if value is None else _BOOL.get(value.strip().lower())


def is_local(word: str) -> bool:
    """A path, URL or file argument of pip rather than a package name."""
    return word.startswith((".", "/", "~")) or "://" in word or word.endswith(_LOCAL_SUFFIXES)


def pip_installs(doc: DockerfileDoc) -> Iterator[tuple[Install, dict[str, str]]]:
    """pip and uv installs, with the variables each one sees."""
    for install in doc.installs:
        if install.tool in PIP_TOOLS:
            yield install, env_at(doc.model, install.instruction, install)


def dependency_installs(doc: DockerfileDoc, ins: Instruction) -> list[Install]:
    """pip/uv installs of a RUN that install requirement files or named packages."""
    return [
        i
        for i in doc.installs
        if i.instruction == ins
        and i.tool in PIP_TOOLS
        and (i.requirement_files or i.constraint_files or any(not is_local(p) for p in i.packages))
    ]


# --- build state at an instruction ---------------------------------------------------------


def assignments(ins: Instruction) -> list[tuple[str, str | None]]:
    """(name, value) of an ENV or ARG instruction; None for an ARG without default."""
    if ins.cmd == "ENV":
        return [(ins.value[i], unquote(ins.value[i + 1])) for i in range(0, len(ins.value) - 1, 2)]
    if ins.cmd == "ARG":
        return [(k, unquote(v) if sep else None) for k, sep, v in (w.partition("=") for w in ins.value)]
    return []


def env_at(model: Dockerfile, ins: Instruction, install: Install | None = None) -> dict[str, str]:
    """Variables a RUN sees: ARG values, ENV over them, then the command's own `VAR=value`."""
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    defaults = dict(model.global_args)
    for i in before(model, ins):
        for name, value in assignments(i):
            known = value if value is not None else defaults.get(name)
            if i.cmd == "ENV":
                env[name] = value or ""
            elif known is not None:
                args[name] = known
    return args | env | dict(install.env if install else ())


def home_at(model: Dockerfile, ins: Instruction, env: dict[str, str]) -> str | None:
    """$HOME of the RUN's user: /root, /home/NAME, or None for an unknown numeric uid."""
    users = [unquote(i.value[0]).split(":")[0] for i in before(model, ins) if i.cmd == "USER" and i.value]
    user = users[-1] if users else "root"
    if env.get("HOME"):
        return env["HOME"]
    if user in ("root", "0"):
        return "/root"
    return None if user.isdigit() or "$" in user else f"/home/{user}"


def cache_mounts(ins: Instruction) -> list[str]:
    """Targets of `RUN --mount=type=cache,...`."""
    out = []
    for flag in ins.flags:
        if flag.startswith("--mount="):
            fields = {k: v for k, _, v in (p.partition("=") for p in flag[len("--mount=") :].split(","))}
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if fields.get("type") == "cache" and target:
                out.append(posixpath.normpath(unquote(target)))
    return out


def expand_home(path: str, home: str | None) -> str:
    """`~`, `$HOME` and `${HOME}` at the start of a path, replaced by the user's home."""
    return re.sub(r"^(~|\$HOME|\$\{HOME\})(?=/|$)", home or "~", path)


def removed_dirs(ins: Instruction, home: str | None) -> list[str]:
    """Folders `rm -r`-ed in the same RUN (so a cache written there is gone from the layer)."""
    out = []
    for text in ins.heredocs or (" ".join(ins.value),):
        for cmd in simple_commands(shell_words(text)):
            if cmd[0] == "rm" and any(w.startswith("-") and "r" in w.lower() for w in cmd[1:]):
                for word in cmd[1:]:
                    word = expand_home(word, home).removesuffix("/*")
                    if word.startswith("/"):
                        out.append(posixpath.normpath(word))
    return out


# --- positions -----------------------------------------------------------------------------


def span(text: str, ins: Instruction) -> tuple[int, int]:
    return line_span(text, ins.line, ins.end_line)


def find_word(text: str, word: str, start: int, end: int) -> int | None:
    """Offset of `word` standing alone (bounded by blanks, quotes, `=` or brackets) in text[start:end]."""
    i = text.find(word, start, end)
    while i != -1:
        after = i + len(word)
        if text[i - 1 : i] in ("", " ", "\t", "\n", '"', "'", "=", "[") and (
            after == end or text[after] in " \t\n\"',]\\;&|"
        ):
            return i
        i = text.find(word, i + 1, end)
    return None


def keyword(doc: DockerfileDoc, install: Install) -> tuple[int, int] | None:
    """Offsets of the `pip install` / `uv pip sync` / ... words of a pip or uv install."""
    ins = install.instruction
    same = [i for i in doc.installs if i.instruction == ins and i.tool in PIP_TOOLS]
    start, end = span(doc.text, ins)
    found = [m.span() for m in _KEYWORD.finditer(doc.text, start, end)]
    if len(found) != len(same) or not any(i is install for i in same):
        return None
    return found[next(k for k, i in enumerate(same) if i is install)]


def finding_at(
    rule: Rule,
    doc: DockerfileDoc,
    ins: Instruction,
    message: str,
    word: str | int = "",
    fix: Fix | None = None,
) -> Finding:
    """A finding on the instruction's line, at the column of `word` (or offset) when on that line."""
    start, end = span(doc.text, ins)
    col = len(doc.text[start:end]) - len(doc.text[start:end].lstrip()) + 1
    found_at = word if isinstance(word, int) else None
    if isinstance(word, str) and word:
        edge = (
            r"(?<![\w-])" if word[:1].isalnum() or word[:1] == "-" else "",
            r"(?![\w-])" if word[-1:].isalnum() else "",
        )
        found = re.search(edge[0] + re.escape(word) + edge[1], doc.text[start:end])
        found_at = start + found.start() if found else None
    if found_at is not None and position(doc.text, found_at)[0] == ins.line:
        col = position(doc.text, found_at)[1]
    return rule.finding(doc.path, ins.line, message, col=col, fix=fix, end_line=ins.end_line)
