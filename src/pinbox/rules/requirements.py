"""Rule family: requirements files and locks (what they pin, how, and whether Linux can install it).

Each rule's summary and doc (What it does / Why is this bad? / Example / Use instead / Fix safety)
are in data/requirements_rules.toml. Locks are checked only by missing-hashes, duplicate-requirement
and stale-lock; the other rules look at deployable files (`is_deployable`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.names import package_name
from pinbox.requirements.model import Entry, Kind
from pinbox.requirements.platforms import platform_only
from pinbox.rules.context import LockDoc, Project, RequirementsDoc
from pinbox.rules.documented import documented
from pinbox.rules.model import Edit, Finding, Fix, Rule, Severity

_NOT_DEPLOYED = {"dev", "devel", "develop", "development", "test", "tests", "testing", "doc", "docs", "lint"}
_LINUX = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
_OS = {"windows": ("Windows", "win32"), "macos": ("macOS", "darwin")}
_ON_LINUX = {  # data/platform_only.toml `linux`, read from each package's files on PyPI
    "none": "it has no Linux wheel and no source distribution, so pip fails in a Linux image",
    "build": "it has no Linux wheel, so pip tries to build it from source, which fails off {os}",
    "installs": "its pure-Python wheel installs on Linux but does nothing there (or fails when used)",
}
TABLE = "requirements_rules"  # data/requirements_rules.toml: each rule's summary and doc


def is_deployable(doc: RequirementsDoc) -> bool:
    """True for a requirements file meant to be installed where the code runs.

    Not a lock, not a `.in` input, not a `constraints*` file, and neither the file name nor its
    folder names a development set: `requirements-dev.txt`, `dev-requirements.txt`,
    `requirements/test.txt`, `requirements_docs.txt`, `docs/requirements.txt`, ...
    """
    path = doc.path
    if doc.is_lock or path.suffix == ".in" or path.name.startswith("constraints"):
        return False
    return not {*re.split(r"[-_.]", path.stem.lower()), path.parent.name.lower()} & _NOT_DEPLOYED


def _entry_rule(
    code: str,
    name: str,
    message: Callable[[Entry], str | None],
    kind: Kind = Kind.REQUIREMENT,
    also: Callable[[Project], Iterator[Finding]] | None = None,
) -> Rule:
    """A rule reporting each `kind` line of a deployable file that `message` has something to say
    about (and, with `also`, what that finds elsewhere)."""

    def check(project: Project) -> Iterator[Finding]:
        deployed = (
            f for f in project.requirements if is_deployable(f) and not project.feeds_a_lock_only(f.path)
        )
        for file in deployed:
            for e in file.parsed.entries:
                text = message(e) if e.kind is kind else None
                if text:
                    yield rule.finding(file.path, e.line, text, col=e.col)
        if also is not None:
            yield from also(project)

    rule = documented(TABLE, code, name, check)
    return rule


def _spec(entry: Entry) -> str:
    """The requirement as written, without marker and options."""
    return entry.text.split(";")[0].split(" --")[0].strip()


def _unpinned(e: Entry) -> str | None:
    if e.requirement is None or e.requirement.url or e.requirement.specifier:
        return None
    name = e.requirement.name
    return f"{name} has no version, so each build may install another; pin it (`{name}==X.Y.Z`) or use a lock"


def _range(e: Entry) -> str | None:
    if e.requirement is None or e.requirement.url or not e.requirement.specifier or e.is_pinned:
        return None
    return (
        f"`{_spec(e)}` allows more than one version, so a new release changes the next build; pin one (`==`)"
    )


def _version_in(url: str) -> str | None:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    filename = url.rstrip("/").rsplit("/", 1)[-1]
    try:
        parse = parse_wheel_filename if filename.endswith(".whl") else parse_sdist_filename
        return str(parse(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _local_file(e: Entry) -> str | None:
    url = e.requirement.url if e.requirement else None
    if not (e.requirement and url and url.startswith("file:")):
        return None
    name, version = e.requirement.name, _version_in(url)
    pin = f"`{name}=={version}`" if version else "its released version (`pip list --format=freeze`)"
    return f"{name} comes from {url}, a path on the machine that wrote this file, not in the image; pin {pin}"


def _editable(e: Entry) -> str:
    return f"`-e {e.value}` links a source tree into the environment instead of installing a built package"


def _platform_message(name: str, run: bool = False) -> str | None:
    row = platform_only(name)
    if row is None:
        return None
    os_name, platform = _OS.get(row.os, (row.os, row.os))
    guard = "drop it" if run else f'drop it or add `; sys_platform == "{platform}"`'
    instead = f"use {row.replace_with} instead" if row.replace_with else guard
    effect = _ON_LINUX[row.linux].format(os=os_name)
    return f"{name} is for {os_name} only ({row.why}): {effect}; {instead}"


def _platform_only(e: Entry) -> str | None:
    marker = e.requirement.marker if e.requirement else None
    if e.requirement is None or (marker and not marker.evaluate(_LINUX)):
        return None
    return _platform_message(e.requirement.name)


def _platform_only_in_runs(project: Project) -> Iterator[Finding]:
    """The same packages named in a Linux image's `pip install`."""
    from pinbox.rules.install_facts import finding_at, pip_installs

    for doc in project.dockerfiles:
        for install, _ in pip_installs(doc):
            for word in install.package_words:
                name = package_name(word.text)
                text = _platform_message(name, run=True) if name else None
                if text:
                    yield finding_at(PLATFORM_ONLY, doc, install.instruction, text, word)


def _missing_hashes(project: Project) -> Iterator[Finding]:
    for doc in project.requirements:
        entries = [e for e in doc.parsed.entries if e.kind in (Kind.REQUIREMENT, Kind.PATH)]
        hashed = next((e for e in entries if e.is_hashed), None)
        if hashed is None and not doc.parsed.options("--require-hashes"):
            continue
        why = f"line {hashed.line} has one" if hashed else "the file sets --require-hashes"
        for e in (e for e in entries if not e.is_hashed):
            name = e.requirement.name if e.requirement else e.value
            text = f"{name} has no --hash but {why}; in hash-checking mode pip refuses the whole file"
            yield MISSING_HASHES.finding(doc.path, e.line, text, col=e.col)


def _duplicates(project: Project) -> Iterator[Finding]:
    for doc in project.requirements:
        seen: dict[tuple[str, str], Entry] = {}
        for e in doc.parsed.requirements:
            marker = str(e.requirement.marker) if e.requirement and e.requirement.marker else ""
            first = seen.setdefault((str(e.name), marker), e)
            if first is e:
                continue
            same = first.text == e.text
            fix = Fix("remove the repeated line", (Edit(e.start, e.end, ""),))
            how = (
                "by the same line"
                if same
                else f"as `{_spec(first)}` (pip merges both or fails on a conflict)"
            )
            text = f"{e.name} is already required on line {first.line} {how}; keep one line"
            yield DUPLICATE.finding(doc.path, e.line, text, col=e.col, fix=fix if same else None)


def _lock_project(root: Path, doc: LockDoc) -> Path:
    """The folder `pinbox lock` ran in: the nearest one, up to the root, from which the lock's
    recorded `--output` (default: its own name) leads to it."""
    from pinbox.lock.plan import recorded_options

    output = recorded_options(doc.text, root).output or doc.path.name
    for folder in (doc.path.parent, *doc.path.parent.parents):
        if (folder / output).resolve() == doc.path.resolve() or folder.resolve() == root.resolve():
            return folder
    return root


def _stale(project: Project) -> Iterator[Finding]:
    for doc in project.locks:
        if "inputs-digest" not in doc.header:
            continue
        from pinbox.lock.plan import staleness  # the lock machinery, only when there is a pinbox lock

        try:
            reason = staleness(_lock_project(project.root, doc), doc.path)
        except PinboxError as exc:
            reason = f"cannot tell whether {doc.path.name} is fresh: {exc.message}"
        if reason:
            action = "" if "pinbox lock" in reason else "; regenerate it with `pinbox lock`"
            yield STALE_LOCK.finding(doc.path, 1, reason + action)


def _credentials(project: Project) -> Iterator[Finding]:
    """Literal passwords or tokens in any requirements file or lock (deployable or not: all are
    committed, and locks are copied into images)."""
    from pinbox.redact import credentials_in, redact

    for doc in project.requirements:
        for e in doc.parsed.entries:
            text = " ".join(filter(None, (e.text, e.value or "")))
            found = credentials_in(text)
            if found:
                url = redact(found[0].group(0))
                message = (
                    f"`{url}...` holds a literal password or token, committed with this file and copied into "
                    "every image built from it; write it as ${VAR} (pip and uv expand environment variables "
                    "in requirements files) or use a netrc, keyring or BuildKit secret"
                )
                yield CREDENTIALS.finding(doc.path, e.line, message, col=e.col)


UNPINNED = _entry_rule("PB101", "unpinned-requirement", _unpinned)
RANGE = _entry_rule("PB102", "range-requirement", _range)
MISSING_HASHES = documented(TABLE, "PB104", "missing-hashes", _missing_hashes)
LOCAL_FILE = _entry_rule("PB105", "local-file-reference", _local_file)
EDITABLE = _entry_rule("PB106", "editable-install", _editable, kind=Kind.EDITABLE)
PLATFORM_ONLY = _entry_rule("PB107", "platform-only-package", _platform_only, also=_platform_only_in_runs)
DUPLICATE = documented(TABLE, "PB108", "duplicate-requirement", _duplicates, fix="safe")
STALE_LOCK = documented(TABLE, "PB109", "stale-lock", _stale)
CREDENTIALS = documented(TABLE, "PB112", "credentials-in-requirements", _credentials, severity=Severity.ERROR)

RULES: tuple[Rule, ...] = (
    UNPINNED,
    RANGE,
    MISSING_HASHES,
    LOCAL_FILE,
    EDITABLE,
    PLATFORM_ONLY,
    DUPLICATE,
    STALE_LOCK,
    CREDENTIALS,
)
