"""The edits of the install rules' fixes: a flag inserted after `install`, an argument replaced,
and (PB201) the requirement files copied first with the whole-context COPY moved below the install.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from pinbox.dockerfile.copies import (
    WHOLE_CONTEXT,
    before,
    context_copies_before,
    copied_paths,
    is_context_copy,
    under,
    workdir_at,
)
from pinbox.dockerfile.installs import Install
from pinbox.dockerfile.lexer import Word
from pinbox.dockerfile.model import Instruction, Stage
from pinbox.requirements.model import Kind
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.install_facts import dependency_installs, is_local, span
from pinbox.rules.model import Edit, Fix
from pinbox.textpos import line_span, line_starts, line_text, newline_of

_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./<>!~*\[\]-]+")


def insert_flag(install: Install, flag: str) -> Edit | None:
    """An edit adding `flag` right after the install's subcommand word (`install`, `sync`)."""
    word = install.keyword
    if not word.exact:
        return None
    return Edit(word.end, word.end, f', "{flag}"' if word.quote == "json" else f" {flag}")


def replace_word(word: Word, new: str) -> Edit | None:
    """An edit replacing a whole word, written in the word's own quoting (None when it cannot be)."""
    if not word.exact or not _PLAIN.fullmatch(new):
        return None
    if word.quote == "json":
        return Edit(word.start, word.end, f'"{new}"')
    return Edit(word.start, word.end, f"{word.quote}{new}{word.quote}")


def install_lock(doc: DockerfileDoc, install: Install, name: str, path: Path, lock: Path) -> Fix | None:
    """(PB204) Install the lock beside the input instead: `-r` to the lock, with hashes and no
    resolution, and the COPY that brought the input brings the lock. Unsafe: versions change."""
    if install.instruction.json or install.tool != "pip" or lock.parent.resolve() != path.parent.resolve():
        return None
    option = next((o for o in install.option_list("-r") if o.value and o.value.text == name), None)
    renamed = posixpath.join(posixpath.dirname(name), lock.name)
    edits = [replace_word(option.value, renamed) if option and option.value else None]
    flags = " ".join(f for f in ("--require-hashes", "--no-deps") if not install.has(f))
    if flags:
        edits.append(insert_flag(install, flags))
    context = doc.context.resolve()
    if not path.resolve().is_relative_to(context):
        return None
    source = path.resolve().relative_to(context).as_posix()
    earlier = context_copies_before(doc.model, install.instruction)
    copies = [ins for ins in earlier if ins.cmd == "COPY" and source in ins.value[:-1]]
    if copies:
        edits.append(
            _rename_source(doc, copies[-1], source, posixpath.join(posixpath.dirname(source), lock.name))
        )
    elif not any(set(ins.value[:-1]) & WHOLE_CONTEXT for ins in earlier):
        return None  # the input arrives some other way; leave it to a person
    if any(edit is None for edit in edits):
        return None
    chosen = tuple(edit for edit in edits if edit is not None)
    return Fix(f"install {lock.name} with --require-hashes --no-deps", chosen, safe=False)


def _rename_source(doc: DockerfileDoc, copy: Instruction, source: str, new: str) -> Edit | None:
    """Rename one source word of a COPY (the word must stand alone on the instruction's lines)."""
    start, end = span(doc.text, copy)
    found = [m for m in re.finditer(r"\S+", doc.text[start:end]) if m.group(0) == source]
    if len(found) != 1:
        return None
    at = start + found[0].start()
    return Edit(at, at + len(source), new)


def _block_start(doc: DockerfileDoc, ins: Instruction) -> int:
    """First line of `ins` with the comment lines directly above it."""
    order = doc.model.order[ins]
    previous = doc.model.instructions[order - 1].end_line if order else 0
    first = ins.line
    while first - 1 > previous and line_text(doc.text, first - 1).lstrip().startswith("#"):
        first -= 1
    return first


def move_below(
    doc: DockerfileDoc, copy: Instruction, first: Instruction, last: Instruction, new: list[str]
) -> list[Edit]:
    """Move `copy` (with its comments) below `last`; add the `new` lines above `first`."""
    text, newline = doc.text, newline_of(doc.text)
    top = _block_start(doc, copy)
    start, end = line_span(text, top, copy.end_line)
    block = text[start:end]
    if top > 1 and not line_text(text, top - 1).strip() and _blank_after(text, copy.end_line):
        end = line_span(text, copy.end_line + 1, copy.end_line + 1)[1]  # no two blank lines left behind
    at = line_span(text, _block_start(doc, first), first.line)[0]
    indent = re.match(r"[ \t]*", text[at:]).group(0)  # type: ignore[union-attr]
    below = span(text, last)[1]
    if not text[:below].endswith("\n"):
        block = newline + block.rstrip("\r\n")
    edits = [Edit(start, end, ""), Edit(below, below, block)]
    return edits + ([Edit(at, at, "".join(f"{indent}{line}{newline}" for line in new))] if new else [])


def _blank_after(text: str, line: int) -> bool:
    """Is line `line + 1` blank (and present)?"""
    return line < len(line_starts(text)) and not line_text(text, line + 1).strip()


# --- PB201: copy the requirement files first, the whole context after the install -------------

# commands that cannot read the build context (package managers, users, folders)
_HARMLESS = re.compile(
    r"apt-get|apt|apk|yum|dnf|microdnf|rm|mkdir|useradd|adduser|groupadd|addgroup|echo|true|set|uv|pip[\d.]*"
)
_BLOCKERS = ("WORKDIR", "ADD", "VOLUME", "ONBUILD")


def _harmless(doc: DockerfileDoc, ins: Instruction) -> bool:
    """True when no command of the RUN can read a file of the build context."""
    installers = {id(i.program) for i in doc.installs_in(ins)}
    for command in doc.script(ins).commands:
        if not (_HARMLESS.fullmatch(command.program) or id(command.words[0]) in installers):
            return False
    return True


def _reads_context(install: Install, workdir: str, dest: str) -> bool:
    """True when the install reads a path that only the whole-context COPY provides (or one whose
    place a `cd` of the RUN makes unknown)."""
    paths = [p for p in install.packages if is_local(p) and "://" not in p]
    paths += install.values("-e", "--editable")
    paths += [v for v in install.values("-f", "--find-links") if "://" not in v]
    seen = [install.relative_to_workdir(p) for p in paths]
    return any(s is None or under(posixpath.normpath(posixpath.join(workdir, s)), dest) for s in seen)


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
        if ins.cmd in _BLOCKERS or (is_context_copy(ins) and not _same_layout(ins, dest, workdir)):
            break
        passed.append(ins)
    runs = [i for i in passed if dependency_installs(doc, i)]
    risky = next((k for k, i in enumerate(passed) if i.runs and not _harmless(doc, i)), len(passed))
    runs = [r for r in runs if passed.index(r) < risky] or runs  # stop before a command reading the app
    if not runs:
        return None
    passed = passed[: passed.index(runs[-1]) + 1]
    safe = all(_harmless(doc, i) for i in passed if i.runs)
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
        for name in (*install.requirement_files, *install.constraint_files):
            seen = install.relative_to_workdir(name)
            target = posixpath.normpath(posixpath.join(workdir, seen)) if seen else ""
            found = None if "$" in name or not seen else _files_to_copy(project, doc, target, dest)
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
    if rel == ".":
        return "./"
    return folder.rstrip("/") + "/" if rel.startswith("..") or workdir == "/" else f"./{rel}/"


def _same_layout(ins: Instruction, dest: str, workdir: str) -> bool:
    """A COPY that puts each file where the whole-context COPY would (so order does not matter)."""
    sources = ins.value[:-1]
    if ins.heredocs or any("$" in s or "*" in s or ".." in s for s in ins.value):
        return False
    wanted = [posixpath.normpath(posixpath.join(dest, s)) for s in sources]
    return copied_paths(ins, workdir) == wanted
