"""missing-transitive-pins (PB103): a requirements file installed in the image pins only its
top-level packages, so what they pull in floats.

Judged against the lock beside the file when there is one (what it pins that the file does not),
else against what a lock of the project says a pinned release pulls in, else against the table of
well-known packages and what they always install (data/requirements_closure.toml).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pinbox import paths
from pinbox.datafiles import data_table
from pinbox.requirements.model import Entry, Kind
from pinbox.rules.context import LockDoc, Project, RequirementsDoc
from pinbox.rules.documented import documented
from pinbox.rules.locked import locked
from pinbox.rules.model import Finding, Rule
from pinbox.rules.requirements import TABLE, is_deployable


@cache
def closure_table() -> dict[str, tuple[str, ...]]:
    """Well-known package -> distributions it always installs (data/requirements_closure.toml)."""
    return {row["name"]: tuple(row["requires"]) for row in data_table("requirements_closure")["package"]}


def _installed(project: Project) -> Iterator[RequirementsDoc]:
    """Deployable files an image installs with `-r` (not constrained with `-c`, not `--no-deps`);
    without a Dockerfile, every deployable file with no lock beside it."""
    if not project.dockerfiles:
        yield from (d for d in project.requirements if is_deployable(d) and not project.lock_beside(d.path))
        return
    seen: set[Path] = set()
    for dockerfile in project.dockerfiles:
        for install, path in project.installed_files(dockerfile):
            doc = project.requirements_at(path)
            skip = install.constraint_files or install.has("--no-deps")
            if doc and is_deployable(doc) and doc.path not in seen and not skip:
                seen.add(doc.path)
                yield doc


def _with_includes(project: Project, doc: RequirementsDoc) -> list[Entry] | None:
    """Requirements of the file and of the files it includes (`-r`); None if any uses `-c`."""
    todo, seen, found = [doc], set[Path](), list[Entry]()
    while todo:
        current = todo.pop()
        if current.path not in seen:
            seen.add(current.path)
            if any(e.kind is Kind.CONSTRAINT for e in current.parsed.entries):
                return None  # constraints pin whatever the resolver pulls in
            found += current.parsed.requirements
            targets = [
                current.path.parent / e.value
                for e in current.parsed.entries
                if e.kind is Kind.INCLUDE and e.value
            ]
            todo += [d for d in map(project.requirements_at, targets) if d]
    return found


def _against_lock(doc: RequirementsDoc, entries: list[Entry], lock: LockDoc) -> tuple[Entry, str] | None:
    missing = sorted({p.name for p in locked(lock)} - {str(e.name) for e in entries})
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    text = f"{lock.path.name} beside it also pins {', '.join(missing[:3])}{more}; install the lock"
    return (doc.parsed.entries[0], text) if missing else None


def _from_a_lock(project: Project, e: Entry, pinned: set[str]) -> str | None:
    """What a lock of the project that pins this very release says it pulls in, when none of it is
    pinned here (None when no such lock has an annotation for it)."""
    for lock in project.locks:
        packages = locked(lock)
        if not any(p.name == e.name and p.version == e.pinned_version for p in packages):
            continue
        pulled = sorted(p.name for p in packages if e.name in p.pulled_by and p.name != e.name)
        if pulled and not pinned.intersection(pulled):
            more = f" and {len(pulled) - 3} more" if len(pulled) > 3 else ""
            names, where = ", ".join(pulled[:3]), paths.shown(lock.path)
            return f"{e.name}=={e.pinned_version} pulls in {names}{more} (per {where}), none pinned here"
        if pulled:
            return ""
    return None


def _against_table(project: Project, doc: RequirementsDoc, entries: list[Entry]) -> tuple[Entry, str] | None:
    pinned = {str(e.name) for e in entries if e.is_pinned}
    for e in doc.parsed.requirements:
        if not e.is_pinned:
            continue
        said = _from_a_lock(project, e, pinned)
        if said:
            return e, f"{said}; install the lock"
        needs = closure_table().get(str(e.name), ()) if said is None else ()
        if needs and not pinned.intersection(needs):
            spec = f"{e.name}=={e.pinned_version}"
            return e, f"`{spec}` is pinned but not the packages it depends on; lock the set (`pinbox lock`)"
    return None


def _missing_transitive(project: Project) -> Iterator[Finding]:
    for doc in _installed(project):
        entries = _with_includes(project, doc)
        lock = project.lock_beside(doc.path)
        if not entries:
            continue
        hit = _against_lock(doc, entries, lock) if lock else _against_table(project, doc, entries)
        if hit:
            at, text = hit
            text = f"pins only top-level packages: {text}"
            yield MISSING_TRANSITIVE.finding(doc.path, at.line, text, col=at.col)


MISSING_TRANSITIVE = documented(TABLE, "PB103", "missing-transitive-pins", _missing_transitive)

RULES: tuple[Rule, ...] = (MISSING_TRANSITIVE,)
