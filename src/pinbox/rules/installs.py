"""Rules about how a Dockerfile installs Python dependencies: layer order, pins, caches, locks,
hashes, indexes and credentials. Build-state facts and fix edits live in `install_fixes`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pinbox.dockerfile.model import Instruction
from pinbox.dockerfile.shell import Install, shell_words
from pinbox.requirements.model import Kind
from pinbox.rules import install_fixes as fx
from pinbox.rules.context import DockerfileDoc, Project, PylockDoc, RequirementsDoc, kind_of
from pinbox.rules.model import Finding, Fix, Rule, Severity
from pinbox.target import facts_of_image
from pinbox.textpos import position

_PYPI = ("pypi.org", "pypi.python.org", "files.pythonhosted.org")
_SECRET_NAME = re.compile(
    r"(\w*_)?(TOKEN|PASSWORD|PASSWD|SECRET|SECRET_KEY|API_KEY|ACCESS_KEY|PRIVATE_KEY)$", re.I
)
_TARGET_PYTHON = re.compile(r"cpython-(3\.\d+)")
Lock = RequirementsDoc | PylockDoc


def _at(
    rule: Rule,
    doc: DockerfileDoc,
    ins: Instruction,
    message: str,
    word: str | int = "",
    fix: Fix | None = None,
) -> Finding:
    """A finding on the instruction's line, at the column of `word` (or offset) when on that line."""
    start, end = fx.span(doc.text, ins)
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


def _pip_installs(doc: DockerfileDoc) -> Iterator[tuple[Install, dict[str, str]]]:
    """pip and uv installs, with the variables each one sees."""
    for install in doc.installs:
        if install.tool in fx.PIP_TOOLS:
            yield install, fx.env_at(doc.model, install.instruction, install)


def _files(doc: DockerfileDoc, install: Install) -> list[tuple[str, Path | None]]:
    return [(n, fx.host_path(doc, install.instruction, n)) for n in fx.installed_files(install)]


def _hash_pinned(req: RequirementsDoc | None) -> bool:
    """Every line a pinned requirement with hashes: pip and uv can install it with --require-hashes."""
    entries = req.parsed.entries if req else ()
    needs = [e for e in entries if e.kind is not Kind.OPTION]  # includes, -e and paths fail the check
    return bool(needs) and all(e.kind is Kind.REQUIREMENT and e.is_pinned and e.hashes for e in needs)


def _is_lock(project: Project, path: Path) -> bool:
    req = project.requirements_at(path)
    return kind_of(path) == "lock" or (req is not None and (req.is_lock or _hash_pinned(req)))


def _rel(path: Path, doc: DockerfileDoc) -> str:
    return Path(os.path.relpath(path, doc.context)).as_posix()


# --- PB201 -------------------------------------------------------------------------------------


def _copy_all(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for stage in doc.model.stages:
            for k, ins in enumerate(stage.instructions):
                if ins.cmd not in ("COPY", "ADD") or ins.flag("from") or ins.heredocs:
                    continue
                if not fx.WHOLE_CONTEXT & set(ins.value[:-1]):
                    continue
                run = next((i for i in stage.instructions[k + 1 :] if fx.dependency_installs(doc, i)), None)
                if run is not None:
                    message = (
                        f"`{ins.original}` copies the whole context before the dependency install on "
                        f"line {run.line}: any source change re-runs it; copy the requirement files first"
                    )
                    yield _at(COPY_ALL, doc, ins, message, fix=fx.copy_first(project, doc, stage, k))


# --- PB202 -------------------------------------------------------------------------------------


def _unpinned_requirement(word: str) -> Requirement | None:
    """The requirement a package argument names, when it is not pinned with ==."""
    if fx.is_local(word) or "$" in word or "@" in word:
        return None
    try:
        req = Requirement(word)
    except InvalidRequirement:
        return None
    specs = list(req.specifier)
    pinned = len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version
    return None if pinned else req


def _locked_versions(lock: Lock | None) -> dict[str, str]:
    """name -> version for names the lock pins to exactly one version."""
    pairs: list[tuple[str, str]] = []
    if isinstance(lock, RequirementsDoc):
        pairs = [
            (str(e.name), str(e.requirement.specifier).lstrip("="))
            for e in lock.parsed.requirements
            if e.is_pinned and e.requirement
        ]
    elif isinstance(lock, PylockDoc):
        packages = lock.data.get("packages", [])
        pairs = [
            (canonicalize_name(str(p["name"])), str(p["version"]))
            for p in packages
            if isinstance(p, dict) and "name" in p and "version" in p
        ]
    versions: dict[str, set[str]] = {}
    for name, version in pairs:
        versions.setdefault(name, set()).add(version)
    return {name: next(iter(v)) for name, v in versions.items() if len(v) == 1}


def _unpinned(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        lock = project.lock_beside(doc.path)
        versions = _locked_versions(lock)
        for install, env in _pip_installs(doc):
            if install.constraint_files or env.get("PIP_CONSTRAINT") or env.get("UV_CONSTRAINT"):
                continue
            for word in install.packages:
                req = _unpinned_requirement(word)
                if req is None:
                    continue
                version = versions.get(canonicalize_name(req.name))
                fix = None
                if lock and version and not req.marker and req.specifier.contains(version, prereleases=True):
                    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
                    pinned = f"{req.name}{extras}=={version}"
                    edit = fx.replace_word(doc, install, word, pinned)
                    fix = Fix(f"pin `{pinned}` from {lock.path.name}", (edit,), safe=False) if edit else None
                hint = f"; {lock.path.name} has {version}" if lock and version else ""
                message = f"`{word}` is installed without a version pin, so builds may differ{hint}"
                yield _at(UNPINNED, doc, install.instruction, message, word, fix)


# --- PB203 -------------------------------------------------------------------------------------


def _shipped(doc: DockerfileDoc) -> set[int]:
    """Stages that end up in an image: the final one and its bases, and any not only COPY --from'd."""
    model = doc.model
    keep = {s.index for s in fx.lineage(model, model.final_stage)} if model.final_stage else set()
    sources = {str(i.flag("from")).lower() for i in model.instructions if i.cmd == "COPY" and i.flag("from")}
    return {
        s.index
        for s in model.stages
        if s.index in keep or not {(s.name or "").lower(), str(s.index)} & sources
    }


def _cache_dirs(install: Install, env: dict[str, str], home: str | None) -> list[str] | None:
    """Where this pip or uv writes its cache (None when the user's home is unknown)."""
    tool = "pip" if install.tool == "pip" else "uv"
    explicit = install.values("--cache-dir") or (env.get(f"{tool.upper()}_CACHE_DIR", ""),)
    if explicit[-1]:
        return [fx.expand_home(explicit[-1], home).rstrip("/") or "/"]
    if env.get("XDG_CACHE_HOME"):
        return [f"{env['XDG_CACHE_HOME'].rstrip('/')}/{tool}"]
    return None if home is None else [f"{home.rstrip('/')}/.cache/{tool}"]


def _cache_kept(doc: DockerfileDoc, install: Install, env: dict[str, str]) -> bool:
    ins = install.instruction
    if install.tool == "pip":
        if install.has("--no-cache-dir") or fx.boolean(env.get("PIP_NO_CACHE_DIR")) is not None:
            return False  # pip disables the cache for any valid boolean, even "false"
    elif install.has("--no-cache", "-n") or fx.boolean(env.get("UV_NO_CACHE")):
        return False
    home = fx.home_at(doc.model, ins, env)
    mounts, removed = [fx.expand_home(m, home) for m in fx.cache_mounts(ins)], fx.removed_dirs(ins, home)
    dirs = _cache_dirs(install, env, home)
    if dirs is None:  # unknown home: any cache mount on a .cache folder is taken to cover it
        return not any(m.endswith(("/.cache", "/.cache/pip", "/.cache/uv")) for m in mounts)
    return not any(fx.under(d, m) for d in dirs for m in (*mounts, *removed))


def _cache(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        shipped = _shipped(doc)
        for install, env in _pip_installs(doc):
            stage = fx.stage_of(doc.model, install.instruction)
            if stage is None or stage.index not in shipped or not _cache_kept(doc, install, env):
                continue
            flag = "--no-cache-dir" if install.tool == "pip" else "--no-cache"
            edit = fx.insert_flag(doc, install, flag)
            fix = Fix(f"add {flag}", (edit,)) if edit else None
            message = (
                f"{install.tool} writes its download cache into the image layer; add `{flag}` "
                "or mount a build cache on the cache folder"
            )
            yield _at(CACHE, doc, install.instruction, message, (fx.keyword(doc, install) or ("",))[0], fix)


# --- PB204, PB205, PB206 -----------------------------------------------------------------------


def _inputs_of(project: Project, lock: Lock, path: Path) -> bool:
    """True when the lock was made from `path` (or does not say what it was made from)."""
    inputs = lock.header.get("inputs", "").split()
    resolved = path.resolve()
    return not inputs or any(
        (base / i).resolve() == resolved for i in inputs for base in (project.root, lock.path.parent)
    )


def _not_from_lock(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, _ in _pip_installs(doc):
            names = (*fx.installed_files(install), *install.constraint_files)
            used = {p.resolve() for n in names if (p := fx.host_path(doc, install.instruction, n))}
            for name, path in _files(doc, install):
                if path is None or _is_lock(project, path):
                    continue
                lock = project.lock_beside(doc.path) or project.lock_beside(path)
                if lock and lock.path.resolve() not in used and _inputs_of(project, lock, path):
                    message = (
                        f"installs `{name}`, the unpinned input, although the lock "
                        f"`{_rel(lock.path, doc)}` exists; install the lock instead"
                    )
                    yield _at(NOT_FROM_LOCK, doc, install.instruction, message, name)


def _without_hashes(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, env in _pip_installs(doc):
            if install.has("--require-hashes") or any(
                fx.boolean(env.get(f"{t}_REQUIRE_HASHES")) for t in ("PIP", "UV")
            ):
                continue
            docs = [(n, project.requirements_at(p) if p else None) for n, p in _files(doc, install)]
            locks = [(n, r) for n, r in docs if r and (r.is_lock or any(e.hashes for e in r.parsed.entries))]
            if not locks or any(e.option == "--require-hashes" for _, r in locks for e in r.parsed.entries):
                continue
            others = set(install.packages) - set(fx.installed_files(install))
            fixable = all(_hash_pinned(r) for _, r in docs) and not (
                others or install.constraint_files or install.values("-e", "--editable")
            )
            edit = fx.insert_flag(doc, install, "--require-hashes") if fixable else None
            name, lock = locks[0]
            message = (
                f"`{name}` is a lock installed without `--require-hashes`: unhashed lines install unchecked"
            )
            if not any(e.hashes for e in lock.parsed.entries):
                message = (
                    f"`{name}` is a lock without hashes; re-lock with hashes, install with --require-hashes"
                )
            fix = Fix("add --require-hashes", (edit,)) if edit else None
            yield _at(NO_REQUIRE_HASHES, doc, install.instruction, message, name, fix)


def _python_mismatch(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        final = doc.model.final_stage
        if final is None:
            continue
        ref, root = doc.model.root_base(final)
        python = facts_of_image(ref).python
        installed = [project.requirements_at(p) for i in doc.installs for _, p in _files(doc, i) if p]
        locks = [lock for lock in (*installed, project.lock_beside(doc.path)) if lock and lock.header]
        for lock in {lock.path.resolve(): lock for lock in locks}.values():
            match = _TARGET_PYTHON.match(lock.header.get("target", ""))
            if python and match and match.group(1) != python:
                message = (
                    f"the base image `{ref}` runs Python {python} but `{_rel(lock.path, doc)}` is "
                    f"locked for CPython {match.group(1)}; re-lock or change the base image"
                )
                yield _at(PYTHON_MISMATCH, doc, root.instructions[0], message, root.base)


# --- PB207, PB208 ------------------------------------------------------------------------------


def _extra_indexes(project: Project, doc: DockerfileDoc, install: Install, env: dict[str, str]) -> list[str]:
    """Non-PyPI extra indexes this install reads: flags, environment, its requirement files."""
    tool = install.tool
    urls = [*install.values("--extra-index-url"), *(install.values("--index") if tool == "uv" else ())]
    for var in ("PIP_EXTRA_INDEX_URL",) if tool == "pip" else ("UV_EXTRA_INDEX_URL", "UV_INDEX"):
        urls += env.get(var, "").split()
    for _, path in _files(doc, install):
        req = project.requirements_at(path) if path else None
        urls += req.parsed.options("--extra-index-url") if req else ()
    urls = [u.rpartition("=")[2] if "=" in u.split("://")[0] else u for u in urls]  # uv: name=url
    return [u for u in urls if re.sub(r"^\w+://([^/@]*@)?", "", u).split("/")[0].split(":")[0] not in _PYPI]


def _confusion(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, env in _pip_installs(doc):
            strategy = (install.values("--index-strategy") or (env.get("UV_INDEX_STRATEGY", ""),))[-1]
            if install.tool == "uv" and strategy != "unsafe-best-match":
                continue  # uv takes each package from the first index that has it
            files = [project.requirements_at(p) if p else None for _, p in _files(doc, install)]
            hashed = bool(files) and all(_hash_pinned(f) for f in files)
            hashed = hashed and not set(install.packages) - set(fx.installed_files(install))
            if hashed or install.has("--require-hashes") or fx.boolean(env.get("PIP_REQUIRE_HASHES")):
                continue
            for url in _extra_indexes(project, doc, install, env):
                message = (
                    f"extra index `{fx.mask(url)}` is searched next to PyPI and the install is not "
                    "hash-pinned: a public package with an internal package's name and a higher "
                    "version wins (dependency confusion)"
                )
                yield _at(CONFUSION, doc, install.instruction, message, "--extra-index-url")


def _exposed(doc: DockerfileDoc, ins: Instruction) -> Iterator[tuple[str, str | int]]:
    """(what is exposed, its name or offset) for each credential an instruction writes down."""
    start, end = fx.span(doc.text, ins)
    for match in fx.credentials(doc.text[start:end]) if ins.cmd not in ("ENV", "ARG") else ():
        url = re.match(r"[^\s'\"]*", doc.text[start + match.start() :])
        yield f"credentials in a URL (`{fx.mask(url.group(0) if url else '')}`)", start + match.start()
    words = shell_words(" ".join(ins.heredocs or ins.value)) if ins.cmd == "RUN" else []
    pairs = fx.assignments(ins) or [(n, v) for n, sep, v in (w.partition("=") for w in words) if sep]
    for name, value in pairs:
        if value and fx.credentials(value):
            if ins.cmd in ("ENV", "ARG"):  # RUN text was scanned above
                yield f"credentials in a URL (`{fx.mask(value)}`) in {name}", name
        elif value and value.strip() and "$" not in value and _SECRET_NAME.match(name):
            yield f"a literal value for {name}", name


def _secrets(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for ins in doc.model.instructions:
            for what, where in _exposed(doc, ins):
                message = f"{ins.cmd} writes {what} into the image history; pass it as a build secret"
                yield _at(SECRET, doc, ins, message, where)


COPY_ALL = Rule(
    code="PB201",
    name="copy-all-before-install",
    check=_copy_all,
    fix="safe and unsafe",
    summary="The whole build context is copied before the dependency install.",
    doc="""## What it does
Reports a `COPY . .` / `ADD . …` (or `./`, `*`) that copies the whole build context before the
`RUN pip install` / `uv pip install` of dependencies in the same stage. `COPY --from=` is ignored.

## Why is this bad?
Docker re-runs every step after a layer whose input changed. With the whole context copied first,
editing any source file re-downloads and re-installs every dependency.

## Example
```
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
```

## Use instead
```
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
```

## Fix safety
The fix copies the `-r`/`-c` files (and the files they include) to where the install reads them,
right above the install, and moves the whole-context COPY (with its comments) below the installs.
It is safe when it only moves past installs and system package managers, and stops before a RUN
that may read the application; moving past such a RUN, or copying a requirement file pinbox does
not read (so its includes are unknown), is an unsafe fix. There is no fix when the install itself
reads the context (`pip install .`, `-e .`, a local path in a requirement file), since moving the
COPY would break the build, or when a WORKDIR, ADD, VOLUME or other COPY sits in between.
""",
)

UNPINNED = Rule(
    code="PB202",
    name="pip-install-unpinned",
    check=_unpinned,
    fix="unsafe",
    summary="A package is installed without an `==` pin.",
    doc="""## What it does
Reports package arguments of `pip install` / `uv pip install` (also with `-U`) without an exact
`==` pin. Paths, URLs, `.`, `name @ url` and installs constrained with `-c` are not reported.

## Why is this bad?
Each build resolves the newest release, so two builds of the same commit can differ and break.

## Example
```
RUN pip install --no-cache-dir flask gunicorn
```

## Use instead
```
RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0
```

## Fix safety
Unsafe: the fix pins the version the lock beside the Dockerfile holds, which may be older or newer
than what the build installs today. No fix when the lock lacks the package, pins several versions
of it, or its version is outside the range written in the Dockerfile.
""",
)

CACHE = Rule(
    code="PB203",
    name="pip-cache-in-image",
    check=_cache,
    fix="safe",
    summary="pip or uv writes its download cache into the image.",
    doc="""## What it does
Reports pip installs without `--no-cache-dir` or `PIP_NO_CACHE_DIR`, and uv installs without
`--no-cache` or `UV_NO_CACHE`, unless a `RUN --mount=type=cache` covers the cache folder (the
`--cache-dir` / `PIP_CACHE_DIR` / `UV_CACHE_DIR` value, else `~/.cache/pip` or `~/.cache/uv` of the
current USER) or the same RUN removes it. Stages only used through `COPY --from` are skipped.

## Why is this bad?
The cache holds a second copy of every wheel; it can double the size of the layer.

## Example
```
RUN pip install -r requirements.txt
```

## Use instead
```
RUN pip install --no-cache-dir -r requirements.txt
```
or keep the cache between builds without shipping it:
```
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Fix safety
Safe: the fix adds `--no-cache-dir` (uv: `--no-cache`) after `install`; what gets installed does
not change. The cache mount is the better alternative when BuildKit is available, but it is not
applied automatically (it needs BuildKit and changes where the cache lives); add it by hand.
""",
)

NOT_FROM_LOCK = Rule(
    code="PB204",
    name="requirements-not-installed-from-lock",
    check=_not_from_lock,
    summary="The image installs the unpinned input although a lock exists.",
    doc="""## What it does
Reports `-r requirements.txt` (or `.in`) when a lock made from that file exists beside the
Dockerfile or beside the file, and the install does not use the lock as `-r` or `-c`.

## Why is this bad?
The image resolves versions afresh and ignores the lock, so it does not contain what was locked
and tested.

## Example
```
RUN pip install --no-cache-dir -r requirements.txt
```

## Use instead
```
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
```

## Fix safety
No fix yet; a later version rewrites the `-r` to the lock.
""",
)

NO_REQUIRE_HASHES = Rule(
    code="PB205",
    name="lock-without-require-hashes",
    check=_without_hashes,
    fix="safe",
    summary="A lock is installed without `--require-hashes`.",
    doc="""## What it does
Reports a lock (a pinbox lock, or a requirements file with `--hash` lines) installed by pip or uv
without `--require-hashes` (or `PIP_REQUIRE_HASHES` / `UV_REQUIRE_HASHES`, or the option in the file).

## Why is this bad?
uv only checks hashes that are present, and pip turns checking on implicitly; neither fails when
the lock is regenerated without hashes, so a tampered or swapped artifact can install silently.

## Example
```
RUN pip install --no-cache-dir -r requirements.lock
```

## Use instead
```
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
```

## Fix safety
Safe: the fix adds `--require-hashes` after `install` only when every installed line is pinned
with hashes and nothing else (packages, `-e`, `-c`) is installed, so the install cannot start failing.
""",
)

PYTHON_MISMATCH = Rule(
    code="PB206",
    name="python-version-mismatch",
    check=_python_mismatch,
    severity=Severity.ERROR,
    summary="The base image's Python differs from the Python the lock was made for.",
    doc="""## What it does
Compares the Python of the final stage's base image (`python:3.12-slim` -> 3.12) with the
`target: cpython-X.Y` of the lock the Dockerfile installs or the lock beside it.

## Why is this bad?
Wheels and markers were chosen for another interpreter: the install fails on missing wheels or
installs a different set of packages than the lock says.

## Example
```
FROM python:3.12-slim   # requirements.lock: target: cpython-3.11 x86_64-manylinux_2_28
```

## Use instead
```
FROM python:3.11-slim
```

## Fix safety
No fix: choose the base image or re-lock with `pinbox lock`.
""",
)

CONFUSION = Rule(
    code="PB207",
    name="extra-index-url-confusion",
    check=_confusion,
    severity=Severity.ERROR,
    summary="An extra index next to PyPI without hash pinning (dependency confusion).",
    doc="""## What it does
Reports a non-PyPI `--extra-index-url` (in the RUN, in an installed requirements file, or in
`PIP_EXTRA_INDEX_URL`) when the install is not hash-pinned. uv installs are reported only with
`--index-strategy unsafe-best-match`, since uv otherwise takes a package from the first index with it.

## Why is this bad?
pip merges all indexes and picks the highest version: anyone can publish your internal package's
name on PyPI with a higher version and it is installed instead (the 2022 torchtriton attack).

## Example
```
RUN pip install --extra-index-url https://pkgs.example.com/simple -r requirements.txt
```

## Use instead
```
RUN pip install --require-hashes -r requirements.lock
```

## Fix safety
No fix: lock with hashes, or use `--index-url` for a single index that mirrors PyPI.
""",
)

SECRET = Rule(
    code="PB208",
    name="secret-in-build",
    check=_secrets,
    severity=Severity.ERROR,
    summary="Credentials are written into the Dockerfile.",
    doc="""## What it does
Reports URLs with `user:password@` (index URLs, `--extra-index-url`, git URLs) in ENV, ARG or RUN,
and ENV/ARG/RUN variables named `*_TOKEN`, `*_PASSWORD`, `*_SECRET`, `*_API_KEY` or
`AWS_SECRET_ACCESS_KEY` with a literal value. Messages show the URL with the password as `****`.

## Why is this bad?
ENV, ARG and RUN text is kept in the image config and history: anyone who can pull the image
can read the credential.

## Example
```
ENV PIP_INDEX_URL=https://ci:s3cr3t@pkgs.example.com/simple
```

## Use instead
```
RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install -r requirements.lock
```

## Fix safety
No fix: the credential must move to a build secret and be rotated.
""",
)

RULES: tuple[Rule, ...] = (
    COPY_ALL,
    UNPINNED,
    CACHE,
    NOT_FROM_LOCK,
    NO_REQUIRE_HASHES,
    PYTHON_MISMATCH,
    CONFUSION,
    SECRET,
)
