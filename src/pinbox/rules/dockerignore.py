"""The build context: `.dockerignore` matching as Docker does it, the context's size, and the
rule reporting what a context sends but should not (`context-bloat`).

Matching follows moby/patternmatcher, which BuildKit uses: patterns are cleaned like paths and
anchored at the context root (`foo` is only ./foo; `**/foo` is foo anywhere), `*` and `?` stop at
`/`, `**` spans folders, a pattern matching a folder matches everything in it, and the last
matching pattern wins, so a `!` pattern re-includes what an earlier one excluded.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.rules.compose import data_table
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.model import Finding, Rule, Severity

MAX_FILES = 100_000  # files looked at per context before the size becomes "more than"
SHOWN = 5  # offenders named in a message
_ESCAPED = frozenset(".+()|{}$")


@dataclass(frozen=True)
class Pattern:
    """One cleaned .dockerignore pattern; `negated` for `!pattern` (re-include)."""

    text: str
    negated: bool = False
    regex: re.Pattern[str] | None = None  # None: invalid, matches nothing

    def matches(self, path: str) -> bool:
        return self.regex is not None and self.regex.fullmatch(path) is not None


def _translate(pattern: str) -> str:
    """moby's translation: exact, prefix (`a/**`), suffix (`**/a`) or a regex, as one regex."""
    regex, kind, i, step = "", "exact", 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 3 if pattern.startswith("**/", i) else 2
            if i >= len(pattern):
                kind, regex = ("prefix", regex) if kind == "exact" else ("regex", regex + ".*")
            else:
                kind, regex = "regex", regex + "(.*/)?"
            kind = "suffix" if step == 0 else kind
            step += 1
            continue
        if ch in "*?[]":
            kind, regex = "regex", regex + {"*": "[^/]*", "?": "[^/]"}.get(ch, ch)
        elif ch == "\\" and i + 1 < len(pattern):
            kind, regex, i = "regex", regex + "\\" + pattern[i + 1], i + 1
        else:
            regex += "\\" + ch if ch in _ESCAPED or ch == "\\" else ch
        i, step = i + 1, step + 1
    if kind == "exact":
        return re.escape(pattern)
    if kind == "prefix":
        return re.escape(pattern[:-2]) + "(?s:.*)"
    if kind == "suffix":
        tail = pattern[2:]
        return "(?s:.*/)?" + re.escape(tail[1:]) if tail.startswith("/") else "(?s:.*)" + re.escape(tail)
    return regex


def compile_pattern(text: str, negated: bool = False) -> Pattern:
    try:
        return Pattern(text, negated, re.compile(_translate(text)))
    except re.error:
        return Pattern(text, negated)


def _clean(pattern: str) -> str:
    """Go's filepath.Clean, then a leading `/` dropped: `/data/` and `./data` are `data`."""
    cleaned = posixpath.normpath(pattern)
    cleaned = "/" + cleaned.lstrip("/") if cleaned.startswith("/") else cleaned
    return cleaned[1:] if len(cleaned) > 1 and cleaned.startswith("/") else cleaned


@dataclass(frozen=True)
class DockerIgnore:
    patterns: tuple[Pattern, ...] = ()

    def hits(self, path: str, above: tuple[bool, ...] | None = None) -> tuple[bool, ...]:
        """Per pattern: does it match `path` or a folder above it (`above`: that folder's hits)."""
        if above is None:
            head = posixpath.dirname(path)
            above = self.hits(head) if head else tuple(False for _ in self.patterns)
        return tuple(hit or p.matches(path) for p, hit in zip(self.patterns, above, strict=True))

    def decide(self, hits: tuple[bool, ...]) -> bool:
        """Excluded? The last pattern that matches wins (moby's MatchesOrParentMatches)."""
        excluded = False
        for pattern, hit in zip(self.patterns, hits, strict=True):
            if hit and pattern.negated == excluded:
                excluded = not pattern.negated
        return excluded

    def excludes(self, path: str) -> bool:
        """Is `path` (relative to the context, `/`-separated) left out of the build context?"""
        path = posixpath.normpath(path)
        return path != "." and self.decide(self.hits(path))

    def may_reinclude(self, folder: str) -> bool:
        """Could a `!` pattern re-include something below an excluded `folder`?"""
        depth = folder.count("/") + 1
        for pattern in (p for p in self.patterns if p.negated):
            parts = pattern.text.split("/")
            if "**" in pattern.text or (
                len(parts) > depth and compile_pattern("/".join(parts[:depth])).matches(folder)
            ):
                return True
        return False


def parse_dockerignore(text: str) -> DockerIgnore:
    """Patterns of a .dockerignore: `#` comments only at the start of a line, blank lines skipped."""
    patterns: list[Pattern] = []
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        line = raw.strip()
        negated = line.startswith("!")
        line = line[1:].strip() if negated else line
        if line:
            patterns.append(compile_pattern(_clean(line), negated))
    return DockerIgnore(tuple(patterns))


@dataclass(frozen=True)
class Bloat:
    """A row of data/image_context_bloat.toml: what should stay out of a build context."""

    pattern: Pattern
    why: str


@cache
def bloat_table() -> tuple[Bloat, ...]:
    rows = data_table("image_context_bloat.toml")["bloat"]
    return tuple(Bloat(compile_pattern(row["pattern"]), row["why"]) for row in rows)


@dataclass(frozen=True)
class Offender:
    path: str  # relative to the context; folders end with "/"
    bloat: Bloat
    size: int


@dataclass(frozen=True)
class ContextSize:
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
                nbytes = (Path(folder) / name).lstat().st_size
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
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} bytes"


def ignore_file(doc: DockerfileDoc) -> Path | None:
    """BuildKit's `<Dockerfile>.dockerignore` beside the Dockerfile, else the context's."""
    for candidate in (doc.path.with_name(doc.path.name + ".dockerignore"), doc.context / ".dockerignore"):
        if candidate.is_file():
            return candidate
    return None


def _copied(doc: DockerfileDoc) -> set[str]:
    """Context paths the Dockerfile COPYs or ADDs by name (not `.`): the image needs them."""
    sources = (
        src
        for ins in doc.model.instructions
        if ins.cmd in ("COPY", "ADD") and ins.flag("from") is None
        for src in ins.value[:-1]
    )
    cleaned = (posixpath.normpath(s).lstrip("/") for s in sources if "$" not in s and not s.startswith("<<"))
    return {s for s in cleaned if s not in (".", "")}


def _needed(path: str, copied: set[str]) -> bool:
    path = path.rstrip("/")
    return any(
        path == s or path.startswith(s + "/") or s.startswith(path + "/") or fnmatch.fnmatchcase(path, s)
        for s in copied
    )


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
        copied = {source for doc in docs for source in _copied(doc)}
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


CONTEXT_BLOAT = Rule(
    code="PB305",
    name="context-bloat",
    check=_context_bloat,
    summary="The build context sends .git, virtualenvs, caches, data or model files.",
    doc="""## What it does
Walks each Dockerfile's context folder the way BuildKit does, applying the `.dockerignore` beside
it (`<Dockerfile>.dockerignore` first) with Docker's own matching, and reports the context's size
and the biggest things it sends that an image rarely needs: `.git`, `.venv`/`venv`,
`__pycache__`, checkpoints and weights (`*.ckpt`, `*.pt`, `*.pth`, `*.safetensors`, `*.onnx`,
`*.h5`), `mlruns/` and `data/`. Paths the Dockerfile COPYs by name are not reported. A context
without any `.dockerignore` is reported even when none of these exist (as info).

## Why is this bad?
Every byte is sent to the builder before the first instruction runs, on every build; `COPY . .`
then bakes it into a layer (repository history and secrets in `.git` included) and any change to
it invalidates the cache. Docker patterns are anchored at the context root, unlike `.gitignore`:
`__pycache__` ignores only `./__pycache__`, not `src/pkg/__pycache__`.

## Example
```
# .dockerignore
__pycache__
*.pt
```

## Use instead
```
# .dockerignore
.git
.venv
**/__pycache__
**/*.pt
data
```

## Fix safety
No fix: only you know which of these files the image needs.
""",
)
