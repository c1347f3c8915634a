"""The build context: what BuildKit sends for a Dockerfile (its folder, less what `.dockerignore`
leaves out), its size, and the rule reporting what a context sends but should not
(`context-bloat`, whose doc is in data/image_rules.toml).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from pinbox import units
from pinbox.datafiles import data_table
from pinbox.dockerfile.copies import copied_sources, under
from pinbox.dockerfile.ignore import DockerIgnore, Pattern, compile_pattern, parse_dockerignore
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.record import Record
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.documented import documented
from pinbox.rules.model import Finding, Severity

MAX_FILES = 100_000  # files looked at per context before the size becomes "more than"
SHOWN = 5  # offenders named in a message


class Bloat(Record):
    """A row of data/image_context_bloat.toml: what should stay out of a build context."""

    pattern: Pattern
    why: str


@cache
def bloat_table() -> tuple[Bloat, ...]:
    rows = data_table("image_context_bloat")["bloat"]
    return tuple(Bloat(compile_pattern(row["pattern"]), row["why"]) for row in rows)


class Offender(Record):
    path: str  # relative to the context; folders end with "/"
    bloat: Bloat
    size: int


class ContextSize(Record):
    size: int  # bytes sent
    files: int
    truncated: bool  # more than MAX_FILES files: size and files are lower bounds
    offenders: tuple[Offender, ...]  # biggest first


def measure(root: Path, ignore: DockerIgnore, table: Sequence[Bloat]) -> ContextSize:
    """Walk the context as BuildKit sends it, summing sizes and what each bloat row lets in."""
    size = files = looked = 0
    owned: dict[str, tuple[Bloat, int]] = {}

    def claim(path: str) -> str | None:
        row = next((b for b in table if b.pattern.matches(path.rstrip("/"))), None)
        if row is not None:
            owned.setdefault(path, (row, 0))
        return path if row is not None else None

    state: dict[str, tuple[tuple[bool, ...], str | None]] = {".": ((False,) * len(ignore.patterns), None)}
    for folder, dirs, names in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        hits, owner = state.pop(rel)
        prefix = "" if rel == "." else rel + "/"
        kept = []
        for name in sorted(dirs):
            below = ignore.hits(prefix + name, hits)
            if ignore.decide(below) and not ignore.may_reinclude(prefix + name):
                continue
            kept.append(name)
            state[prefix + name] = (below, owner or claim(prefix + name + "/"))
        dirs[:] = kept
        for name in names:
            looked += 1
            if looked > MAX_FILES:
                return _sized(size, files, True, owned)
            path_hits = ignore.hits(prefix + name, hits)
            if ignore.decide(path_hits):
                continue
            try:
                # os.path, not pathlib: this runs once per file of the context
                nbytes = os.lstat(os.path.join(folder, name)).st_size  # noqa: PTH118
            except OSError:
                continue
            size, files = size + nbytes, files + 1
            key = owner or claim(prefix + name)
            if key is not None:
                owned[key] = (owned[key][0], owned[key][1] + nbytes)
    return _sized(size, files, False, owned)


def _sized(size: int, files: int, truncated: bool, owned: dict[str, tuple[Bloat, int]]) -> ContextSize:
    offenders = sorted((Offender(p, row, n) for p, (row, n) in owned.items() if n), key=lambda o: -o.size)
    return ContextSize(size, files, truncated, tuple(offenders))


def human_size(nbytes: int) -> str:
    return units.human_size(nbytes, "bytes")


def ignore_file(doc: DockerfileDoc) -> Path | None:
    """BuildKit's `<Dockerfile>.dockerignore` beside the Dockerfile, else the context's."""
    for candidate in (doc.path.with_name(doc.path.name + ".dockerignore"), doc.context / ".dockerignore"):
        if candidate.is_file():
            return candidate
    return None


def _needed(path: str, copied: set[str]) -> bool:
    path = path.rstrip("/")
    return any(under(path, s) or under(s, path) or fnmatch.fnmatchcase(path, s) for s in copied)


def _context_bloat(project: Project) -> Iterator[Finding]:
    groups: dict[tuple[Path, Path | None], list[DockerfileDoc]] = {}
    for doc in project.dockerfiles:
        groups.setdefault((doc.context, ignore_file(doc)), []).append(doc)
    for (context, ignore_path), docs in groups.items():
        try:
            ignore = parse_dockerignore(read_text(ignore_path, what=".dockerignore")) if ignore_path else None
        except PinboxError:
            continue  # unreadable: Docker fails on it too, and there is nothing to measure against
        sized = measure(context, ignore or DockerIgnore(), bloat_table())
        copied = {source for doc in docs for source in copied_sources(doc.model)}  # the image needs them
        offenders = [o for o in sized.offenders if not _needed(o.path, copied)]
        if ignore_path is not None and not offenders:
            continue
        where = ignore_path or docs[0].path
        severity = Severity.WARNING if offenders else Severity.INFO
        yield CONTEXT_BLOAT.finding(where, 1, _message(sized, offenders, ignore_path), severity=severity)


def _message(sized: ContextSize, offenders: list[Offender], ignore_path: Path | None) -> str:
    more = "more than " if sized.truncated else ""
    total = f"{more}{human_size(sized.size)} in {more}{sized.files:,} files"
    named = ", ".join(f"{o.path} ({human_size(o.size)}, {o.bloat.why})" for o in offenders[:SHOWN])
    named += f" and {len(offenders) - SHOWN} more" if len(offenders) > SHOWN else ""
    add = ", ".join(dict.fromkeys(f"`{o.bloat.pattern.text}`" for o in offenders))
    if ignore_path is not None:
        return (
            f"{ignore_path.name} lets {human_size(sum(o.size for o in offenders))} into the build context "
            f"({total} in all): {named}; add {add} to it, and COPY what the image needs by name"
        )
    if offenders:
        return (
            f"no .dockerignore: the whole folder is sent as build context ({total}), including {named}; "
            f"create .dockerignore with {add}"
        )
    return (
        f"no .dockerignore: every file in the folder is sent as build context ({total}); add one so "
        "that .git, virtualenvs, caches and data stay out as the project grows"
    )


CONTEXT_BLOAT = documented("image_rules", "PB305", "context-bloat", _context_bloat)

RULES = (CONTEXT_BLOAT,)
