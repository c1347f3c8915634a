"""Rules about where a Dockerfile's installs download from and with which credentials: an extra
index next to PyPI without hash pinning (PB207), and credentials written into the image (PB208).
Their summaries and docs are in data/installs_rules.toml with the other install rules'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pinbox.dockerfile.model import Instruction
from pinbox.dockerfile.shell import Install, shell_words
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.documented import documented
from pinbox.rules.install_facts import assignments, boolean, finding_at, pip_installs, span
from pinbox.rules.model import Finding, Severity

_PYPI = ("pypi.org", "pypi.python.org", "files.pythonhosted.org")
_SECRET_NAME = re.compile(
    r"(\w*_)?(TOKEN|PASSWORD|PASSWD|SECRET|SECRET_KEY|API_KEY|ACCESS_KEY|PRIVATE_KEY)$", re.I
)
_CREDENTIALS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/\s:@'\"]+)(?::(?P<pw>[^/\s@'\"]*))?@"
)


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


# --- PB207 -------------------------------------------------------------------------------------


def _extra_indexes(project: Project, doc: DockerfileDoc, install: Install, env: dict[str, str]) -> list[str]:
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
                    f"extra index `{mask(url)}` is searched next to PyPI and the install is not "
                    "hash-pinned: a public package with an internal package's name and a higher "
                    "version wins (dependency confusion)"
                )
                yield finding_at(CONFUSION, doc, install.instruction, message, "--extra-index-url")


# --- PB208 -------------------------------------------------------------------------------------


def _exposed(doc: DockerfileDoc, ins: Instruction) -> Iterator[tuple[str, str | int]]:
    """(what is exposed, its name or offset) for each credential an instruction writes down."""
    start, end = span(doc.text, ins)
    for match in credentials(doc.text[start:end]) if ins.cmd not in ("ENV", "ARG") else ():
        url = re.match(r"[^\s'\"]*", doc.text[start + match.start() :])
        yield f"credentials in a URL (`{mask(url.group(0) if url else '')}`)", start + match.start()
    words = shell_words(" ".join(ins.heredocs or ins.value)) if ins.cmd == "RUN" else []
    pairs = assignments(ins) or [(n, v) for n, sep, v in (w.partition("=") for w in words) if sep]
    for name, value in pairs:
        if value and credentials(value):
            if ins.cmd in ("ENV", "ARG"):  # RUN text was scanned above
                yield f"credentials in a URL (`{mask(value)}`) in {name}", name
        elif value and value.strip() and "$" not in value and _SECRET_NAME.match(name):
            yield f"a literal value for {name}", name


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
