"""Rules about where a Dockerfile's installs download from and with which credentials: an extra
index next to PyPI without hash pinning (PB207), and credentials written into the image (PB208).
Their summaries and docs are in data/installs_rules.toml with the other install rules'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pinbox.dockerfile.installs import Install
from pinbox.dockerfile.model import Instruction
from pinbox.dockerfile.state import assignments
from pinbox.redact import credentials_in, is_secret_name, redact
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.documented import documented
from pinbox.rules.install_facts import boolean, finding_at, pip_installs, span
from pinbox.rules.model import Finding, Severity

_PYPI = ("pypi.org", "pypi.python.org", "files.pythonhosted.org")
# --- PB207 -------------------------------------------------------------------------------------


def _extra_indexes(
    project: Project, doc: DockerfileDoc, install: Install, env: Mapping[str, str]
) -> list[str]:
    """Non-PyPI extra indexes this install reads: flags, environment, its requirement files."""
    tool = install.tool
    urls = [*install.values("--extra-index-url"), *(install.values("--index") if tool == "uv" else ())]
    for var in ("PIP_EXTRA_INDEX_URL",) if tool == "pip" else ("UV_EXTRA_INDEX_URL", "UV_INDEX"):
        urls += env.get(var, "").split()
    for _, path in doc.requirement_files(install):
        req = project.requirements_at(path) if path else None
        urls += req.parsed.options("--extra-index-url") if req else ()
    urls = [u.rpartition("=")[2] if "=" in u.split("://")[0] else u for u in urls]  # uv: name=url
    return [u for u in urls if re.sub(r"^\w+://([^/@]*@)?", "", u).split("/")[0].split(":")[0] not in _PYPI]


def _hash_pinned(project: Project, doc: DockerfileDoc, install: Install) -> bool:
    """Only files installed, each of them pinned and hashed, so no index can swap a package."""
    files = [project.requirements_at(p) if p else None for _, p in doc.requirement_files(install)]
    others = set(install.packages) - set(install.requirement_files)
    return bool(files) and all(f is not None and f.parsed.is_hash_pinned for f in files) and not others


def _confusion(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, env in pip_installs(doc):
            strategy = (install.values("--index-strategy") or (env.get("UV_INDEX_STRATEGY", ""),))[-1]
            if install.tool == "uv" and strategy != "unsafe-best-match":
                continue  # uv takes each package from the first index that has it
            if (
                _hash_pinned(project, doc, install)
                or install.has("--require-hashes")
                or boolean(env.get("PIP_REQUIRE_HASHES"))
            ):
                continue
            for url in _extra_indexes(project, doc, install, env):
                message = (
                    f"extra index `{redact(url)}` is searched next to PyPI and the install is not "
                    "hash-pinned: a public package with an internal package's name and a higher "
                    "version wins (dependency confusion)"
                )
                option = next(iter(install.option_list("--extra-index-url", "--index")), None)
                yield finding_at(
                    CONFUSION, doc, install.instruction, message, option.word if option else None
                )


# --- PB208 -------------------------------------------------------------------------------------


def _exposed(doc: DockerfileDoc, ins: Instruction) -> Iterator[tuple[str, int | None]]:
    """(what is exposed, its offset) for each credential an instruction writes down."""
    start, end = span(doc.text, ins)
    for match in credentials_in(doc.text[start:end]) if ins.cmd not in ("ENV", "ARG") else ():
        url = re.match(r"[^\s'\"]*", doc.text[start + match.start() :])
        yield f"credentials in a URL (`{redact(url.group(0) if url else '')}`)", start + match.start()
    pairs: list[tuple[str, str | None, int | None]] = [
        (a.name, a.value, a.word.start if a.word.exact else None) for a in doc.script(ins).assignments
    ]
    written = assignments(ins)
    offsets = _names_at(doc.text[start:end], {name for name, _ in written})
    pairs += [(name, value, start + offsets[name] if name in offsets else None) for name, value in written]
    for name, value, at in pairs:
        if value and credentials_in(value):
            if ins.cmd in ("ENV", "ARG"):  # RUN text was scanned above
                yield f"credentials in a URL (`{redact(value)}`) in {name}", at
        elif value and value.strip() and "$" not in value and is_secret_name(name):
            yield f"a literal value for {name}", at


_TOKEN = re.compile(r"[^=\s]+")  # a name is written followed by `=` or a space
_WORD = re.compile(r"[\w$]")


def _names_at(text: str, names: set[str]) -> dict[str, int]:
    """The offset of each name's first occurrence in `text` that is not the tail of a longer name
    (nor `$NAME`) and is followed by `=` or a space; one scan, however many names."""
    lengths = sorted({len(name) for name in names})
    found: dict[str, int] = {}
    for token in _TOKEN.finditer(text):
        if token.end() == len(text):
            break  # followed by nothing
        for size in lengths:  # a name ends where its token does: only its length is free
            at = token.end() - size
            if at < token.start():
                break
            name = text[at : token.end()]
            if name in names and not (at and _WORD.match(text, at - 1)):
                found.setdefault(name, at)
    return found


def _secrets(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for ins in doc.model.instructions:
            for what, where in _exposed(doc, ins):
                message = f"{ins.cmd} writes {what} into the image history; pass it as a build secret"
                yield finding_at(SECRET, doc, ins, message, where)


_TABLE = "installs_rules"  # data/installs_rules.toml
CONFUSION = documented(_TABLE, "PB207", "extra-index-url-confusion", _confusion, severity=Severity.ERROR)
SECRET = documented(_TABLE, "PB208", "secret-in-build", _secrets, severity=Severity.ERROR)

RULES = (CONFUSION, SECRET)
