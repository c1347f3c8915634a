"""What the Dockerfile-install rules read around an install, and the edits of their fixes.

Build state at a RUN (ENV/ARG, USER, WORKDIR, cache mounts, in-image paths back to context
files), positions of words in the original text, credential masking, and the edits: insert a
flag after `install`, replace a word, move a whole-context COPY below the dependency install.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from pinbox.dockerfile.model import Dockerfile, Instruction, Stage
from pinbox.dockerfile.shell import Install, shell_words, simple_commands
from pinbox.requirements.model import Kind
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.model import Edit, Fix
from pinbox.textpos import line_span

PIP_TOOLS = ("pip", "uv")
WHOLE_CONTEXT = frozenset({".", "./", "*", "./*"})
FILE_SUFFIXES = (".txt", ".in", ".lock", ".toml")
_LOCAL_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", *FILE_SUFFIXES)
_BOOL = dict.fromkeys(("1", "y", "yes", "t", "true", "on"), True) | dict.fromkeys(
    ("0", "n", "no", "f", "false", "off"), False
)
_KEYWORD = re.compile(
    r"""(?<![\w.-])(?:uv(?:\s|\\\n|",\s*")+pip|pip[\d.]*|uv)(?:\s|\\\n|",\s*")+(?:install|sync|add)(?![\w-])"""
)
_CREDENTIALS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/\s:@'\"]+)(?::(?P<pw>[^/\s@'\"]*))?@"
)


def boolean(value: str | None) -> bool | None:
    """pip's and uv's reading of a boolean environment value (None when not one)."""
    return None if value is None else _BOOL.get(value.strip().lower())


def unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def mask(text: str) -> str:
    """`text` with every URL password (or user-only token) and query string replaced by ****."""

    def repl(m: re.Match[str]) -> str:
        user = "****" if m.group("pw") is None else f"{m.group('user')}:****"
        return f"{m.group('scheme')}{user}@"

    return re.sub(r"\?[^\s'\"]*", "?****", _CREDENTIALS.sub(repl, text))  # query strings may hold tokens


def credentials(text: str) -> list[re.Match[str]]:
    """URLs in `text` carrying a literal password, or a user part long enough to be a token."""
    out = []
    for m in _CREDENTIALS.finditer(text):
        secret = m.group("pw") if m.group("pw") is not None else m.group("user")
        if secret and "$" not in secret and (m.group("pw") is not None or len(secret) >= 20):
            out.append(m)
    return out


def is_local(word: str) -> bool:
    """A path, URL or file argument of pip rather than a package name."""
    return word.startswith((".", "/", "~")) or "://" in word or word.endswith(_LOCAL_SUFFIXES)


def installed_files(install: Install) -> tuple[str, ...]:
    """The `-r` files of an install, and the files `uv pip sync` takes as arguments."""
    synced = tuple(p for p in install.packages if install.tool == "uv" and p.endswith(FILE_SUFFIXES))
    return install.requirement_files + synced


# --- build state at an instruction ---------------------------------------------------------


def lineage(model: Dockerfile, stage: Stage) -> list[Stage]:
    """The stage and the earlier stages it is built FROM, oldest first."""
    chain = [stage]
    while True:
        parent = model.stage_named(chain[0].base_resolved)
        if parent is None or parent.index >= chain[0].index or parent in chain:
            return chain
        chain.insert(0, parent)


def stage_of(model: Dockerfile, ins: Instruction) -> Stage | None:
    return next((s for s in model.stages if ins in s.instructions), None)


def before(model: Dockerfile, ins: Instruction) -> list[Instruction]:
    """Instructions that shaped the build state at `ins`: its ancestor stages, then its own stage."""
    stage = stage_of(model, ins)
    if stage is None:
        return []
    out = [i for s in lineage(model, stage)[:-1] for i in s.instructions]
    return out + list(stage.instructions[: stage.instructions.index(ins)])


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


def workdir_at(model: Dockerfile, ins: Instruction) -> str | None:
    """The absolute WORKDIR at `ins` (None when it depends on a variable)."""
    current: str | None = "/"
    for i in before(model, ins):
        path = unquote(i.value[0]) if i.cmd == "WORKDIR" and i.value else None
        if path is not None:
            joined = (
                None if current is None and not path.startswith("/") else posixpath.join(current or "/", path)
            )
            current = None if "$" in path or joined is None else posixpath.normpath(joined)
    return current


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


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


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


def host_path(doc: DockerfileDoc, ins: Instruction, name: str) -> Path | None:
    """The context file behind an in-image path at `ins`, following the COPY that put it there."""
    if "$" in name:
        return None
    target = posixpath.normpath(posixpath.join(workdir_at(doc.model, ins) or "/", name))
    for copy in reversed(before(doc.model, ins)):
        if copy.cmd not in ("COPY", "ADD") or copy.flag("from") or copy.heredocs or len(copy.value) < 2:
            continue
        dest = posixpath.normpath(posixpath.join(workdir_at(doc.model, copy) or "/", copy.value[-1]))
        for src in copy.value[:-1]:
            rel = posixpath.relpath(target, dest) if under(target, dest) else None
            if rel is not None and src in WHOLE_CONTEXT:
                return doc.context / rel
            if rel in (".", posixpath.basename(src)):
                return doc.context / src
            if rel is not None and (doc.context / src / rel).is_file():
                return doc.context / src / rel
    return doc.context / name if not name.startswith("/") else None


# --- positions and edits -------------------------------------------------------------------


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


def insert_flag(doc: DockerfileDoc, install: Install, flag: str) -> Edit | None:
    """An edit adding `flag` right after the install's `install` word."""
    at = (keyword(doc, install) or (0, None))[1]
    if at is None:
        return None
    if install.instruction.json:
        return Edit(at + 1, at + 1, f', "{flag}"') if doc.text[at : at + 1] == '"' else None
    return Edit(at, at, f" {flag}")


def replace_word(doc: DockerfileDoc, install: Install, word: str, new: str) -> Edit | None:
    """An edit replacing one argument of an install, found after its `install` word."""
    at = (keyword(doc, install) or (0, None))[1]
    found = None if at is None else find_word(doc.text, word, at, span(doc.text, install.instruction)[1])
    return None if found is None else Edit(found, found + len(word), new)


def _block_start(doc: DockerfileDoc, ins: Instruction) -> int:
    """First line of `ins` with the comment lines directly above it."""
    previous = max((i.end_line for i in doc.model.instructions if i.end_line < ins.line), default=0)
    lines = doc.text.splitlines()
    first = ins.line
    while first - 1 > previous and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def move_below(
    doc: DockerfileDoc, copy: Instruction, first: Instruction, last: Instruction, new: list[str]
) -> list[Edit]:
    """Move `copy` (with its comments) below `last`; add the `new` lines above `first`."""
    start, end = line_span(doc.text, _block_start(doc, copy), copy.end_line)
    block = doc.text[start:end]
    if doc.text[:start].endswith("\n\n") and doc.text[end : end + 1] == "\n":
        end += 1  # do not leave two blank lines where the block was
    at = line_span(doc.text, _block_start(doc, first), first.line)[0]
    indent = re.match(r"[ \t]*", doc.text[at:]).group(0)  # type: ignore[union-attr]
    below = span(doc.text, last)[1]
    moved = block if doc.text[:below].endswith("\n") else "\n" + block.rstrip("\n")
    edits = [Edit(start, end, ""), Edit(below, below, moved)]
    return edits + ([Edit(at, at, "".join(f"{indent}{line}\n" for line in new))] if new else [])


# --- PB201: copy the requirement files first, the whole context after the install -------------

# commands that cannot read the build context (package managers, users, folders)
_HARMLESS = re.compile(
    r"apt-get|apt|apk|yum|dnf|microdnf|rm|mkdir|useradd|adduser|groupadd|addgroup|echo|true|set|uv|pip[\d.]*"
)
_BLOCKERS = ("WORKDIR", "ADD", "VOLUME", "ONBUILD")


def dependency_installs(doc: DockerfileDoc, ins: Instruction) -> list[Install]:
    """pip/uv installs of a RUN that install requirement files or named packages."""
    return [
        i
        for i in doc.installs
        if i.instruction == ins
        and i.tool in PIP_TOOLS
        and (installed_files(i) or i.constraint_files or any(not is_local(p) for p in i.packages))
    ]


def _harmless(ins: Instruction) -> bool:
    """True when no command of the RUN can read a file of the build context."""
    texts = [shell_words(t) for t in ins.heredocs or (" ".join(ins.value),)]
    texts = [list(ins.value)] if ins.json else texts
    for cmd in (c for words in texts for c in simple_commands(words)):
        words = [w for w in cmd if w not in ("sudo", "env")]
        while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
            words = words[1:]
        head = words[0].rsplit("/", 1)[-1] if words else "true"
        module = re.fullmatch(r"python[\d.]*", head) and words[1:3] in (["-m", "pip"], ["-m", "uv"])
        if not (_HARMLESS.fullmatch(head) or module):
            return False
    return True


def copied_paths(ins: Instruction, workdir: str) -> list[str]:
    """In-image paths a COPY writes, one per source (None-free; wildcards kept as written)."""
    dest, sources = ins.value[-1], ins.value[:-1]
    folder = dest.endswith(("/", "/.")) or dest == "." or len(sources) > 1
    base = posixpath.normpath(posixpath.join(workdir, dest))
    return [posixpath.join(base, posixpath.basename(s.rstrip("/"))) if folder else base for s in sources]


def _reads_context(install: Install, workdir: str, dest: str) -> bool:
    """True when the install reads a path that only the whole-context COPY provides."""
    synced = installed_files(install)
    paths = [p for p in install.packages if is_local(p) and p not in synced and "://" not in p]
    paths += install.values("-e", "--editable")
    paths += [v for v in install.values("-f", "--find-links") if "://" not in v]
    return any(under(posixpath.normpath(posixpath.join(workdir, p)), dest) for p in paths)


def _files_to_copy(
    project: Project, doc: DockerfileDoc, target: str, dest: str, depth: int = 0
) -> tuple[list[str], bool] | None:
    """(context-relative files, all seen) a requirement file needs, following its includes."""
    if not under(target, dest):
        return [], True  # put there by an earlier COPY, not by the whole-context one
    rel = posixpath.relpath(target, dest)
    host = doc.context / rel
    req = project.requirements_at(host)
    if depth > 8 or not host.is_file():
        return None
    files, seen = [rel], req is not None
    for entry in req.parsed.entries if req else ():
        value = entry.value or ""
        if "://" in value:
            continue
        if entry.kind in (Kind.EDITABLE, Kind.PATH) or "$" in value:
            return None
        if entry.kind in (Kind.INCLUDE, Kind.CONSTRAINT):
            nested = posixpath.normpath(posixpath.join(posixpath.dirname(target), value))
            more = _files_to_copy(project, doc, nested, dest, depth + 1)
            if more is None:
                return None
            files, seen = files + more[0], seen and more[1]
    return files, seen


def copy_first(project: Project, doc: DockerfileDoc, stage: Stage, k: int) -> Fix | None:
    """Copy the requirement files above the install and move the whole-context COPY below it."""
    copy = stage.instructions[k]
    workdir = workdir_at(doc.model, copy)
    if workdir is None or "$" in copy.value[-1] or copy.value[-1] == "*":
        return None
    dest = posixpath.normpath(posixpath.join(workdir, copy.value[-1]))
    passed: list[Instruction] = []
    for ins in stage.instructions[k + 1 :]:
        explicit = ins.cmd == "COPY" and not ins.flag("from")
        if ins.cmd in _BLOCKERS or (explicit and not _same_layout(ins, dest, workdir)):
            break
        passed.append(ins)
    runs = [i for i in passed if dependency_installs(doc, i)]
    risky = next((k for k, i in enumerate(passed) if i.cmd == "RUN" and not _harmless(i)), len(passed))
    runs = [r for r in runs if passed.index(r) < risky] or runs  # stop before a command reading the app
    if not runs:
        return None
    passed = passed[: passed.index(runs[-1]) + 1]
    safe = all(_harmless(i) for i in passed if i.cmd == "RUN")
    have = {
        p
        for i in before(doc.model, runs[0])
        if i.cmd == "COPY" and i != copy and not i.flag("from")
        for p in copied_paths(i, workdir_at(doc.model, i) or "/")
    }
    needed: dict[str, list[str]] = {}
    for install in (i for run in runs for i in dependency_installs(doc, run)):
        if _reads_context(install, workdir, dest):
            return None
        for name in (*installed_files(install), *install.constraint_files):
            target = posixpath.normpath(posixpath.join(workdir, name))
            found = None if "$" in name else _files_to_copy(project, doc, target, dest)
            if found is None:
                return None
            safe = safe and found[1]
            for rel in found[0]:
                if "/" in rel and any("*" in s for s in copy.value[:-1]):
                    return None  # `COPY * ./` flattens folders: the file is not where -r reads it
                image = posixpath.join(dest, rel)
                into = _relative_dir(posixpath.dirname(image), workdir)
                if image not in have and rel not in needed.setdefault(into, []):
                    needed[into].append(rel)
    lines = [f"COPY {' '.join(files)} {into}" for into, files in needed.items() if files]
    edits = move_below(doc, copy, runs[0], runs[-1], lines)
    what = f"copy the requirement files first and move `{copy.original}` below the install"
    return Fix(what, tuple(edits), safe=safe)


def _relative_dir(folder: str, workdir: str) -> str:
    """A COPY destination folder, written relative to the WORKDIR when it is inside it."""
    rel = posixpath.relpath(folder, workdir)
    if rel.startswith(".."):
        return folder.rstrip("/") + "/"
    return "./" if rel == "." else f"./{rel}/"


def _same_layout(ins: Instruction, dest: str, workdir: str) -> bool:
    """A COPY that puts each file where the whole-context COPY would (so order does not matter)."""
    sources = ins.value[:-1]
    if ins.heredocs or any("$" in s or "*" in s or ".." in s for s in ins.value):
        return False
    wanted = [posixpath.normpath(posixpath.join(dest, s)) for s in sources]
    return copied_paths(ins, workdir) == wanted
