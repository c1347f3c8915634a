"""Rules about where code comes from at build time: a VCS or URL requirement that can change under
the same text (PB110), packages found through an unhashed `--find-links` page (PB209), and a
script downloaded and run without being checked (PB210). Docs: data/sources_rules.toml."""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator, Mapping
from urllib.parse import urlsplit

from pinbox.dockerfile.installs import Install
from pinbox.dockerfile.lexer import Word
from pinbox.dockerfile.shell import SHELLS, Command
from pinbox.redact import redact
from pinbox.requirements.model import Entry, Kind
from pinbox.rules.context import DockerfileDoc, Project
from pinbox.rules.documented import documented
from pinbox.rules.install_facts import boolean, finding_at, pip_installs
from pinbox.rules.model import Finding, Severity
from pinbox.rules.requirements import is_deployable

_VCS = ("git+", "hg+", "svn+", "bzr+")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_HASH_FRAGMENT = re.compile(r"#(?:.*&)?(?:md5|sha1|sha224|sha256|sha384|sha512)=")
_IMMUTABLE_HOSTS = ("files.pythonhosted.org",)  # PyPI never replaces a file's content
_FETCHERS = ("curl", "wget")
_RUNNERS = (*SHELLS, "python", "python3", "perl", "ruby", "node")
_VERIFIERS = ("sha256sum", "sha512sum", "shasum", "gpg", "gpgv", "cosign", "minisign")


def mutable_reason(url: str) -> str | None:
    """Why the code behind a URL requirement can change, or None when the URL names fixed content."""
    url = url.split(" @ ", 1)[-1].strip()
    if url.startswith(_VCS):
        path = urlsplit(url.split("+", 1)[1]).path
        ref = path.rpartition("@")[2] if "@" in path else ""
        if _COMMIT.fullmatch(ref):
            return None
        return f"`@{ref}` is a branch or tag, which can move" if ref else "it names no commit"
    if "://" not in url or url.startswith("file:"):
        return None
    if _HASH_FRAGMENT.search(url) or urlsplit(url).hostname in _IMMUTABLE_HOSTS:
        return None
    return "the file at that URL can be replaced and carries no hash"


def _entry_url(entry: Entry) -> str | None:
    if entry.requirement is not None and entry.requirement.url:
        return entry.requirement.url if not entry.hashes else None
    if entry.kind in (Kind.PATH, Kind.EDITABLE) and entry.value and not entry.hashes:
        return entry.value
    return None


def _message(url: str, why: str) -> str:
    return (
        f"`{redact(url)}` installs whatever it points to at build time: {why}; pin a full commit "
        "(`@<40-hex sha>`) or add `#sha256=` of the file, or publish a release and pin it"
    )


def _mutable(project: Project) -> Iterator[Finding]:
    for doc in project.requirements:
        if not is_deployable(doc) or project.feeds_a_lock_only(doc.path):
            continue
        for entry in doc.parsed.entries:
            url = _entry_url(entry)
            why = mutable_reason(url) if url else None
            if url and why:
                yield MUTABLE_URL.finding(doc.path, entry.line, _message(url, why), col=entry.col)
    for docfile in project.dockerfiles:
        for install, _ in pip_installs(docfile):
            for word in install.package_words:
                why = mutable_reason(word.text) if not install.has("--require-hashes") else None
                if why:
                    yield finding_at(
                        MUTABLE_URL, docfile, install.instruction, _message(word.text, why), word
                    )


# --- PB209 -------------------------------------------------------------------------------------


def _remote_links(install: Install) -> list[tuple[str, Word]]:
    """`-f URL` on the command line (a requirement file's own `--find-links` is reported there)."""
    found = [
        (o.value.text if o.value else o.value_text or "", o.value or o.word)
        for o in install.option_list("-f", "--find-links")
    ]
    return [(url, word) for url, word in found if url.startswith(("http://", "https://"))]


def _hashed(project: Project, doc: DockerfileDoc, install: Install, env: Mapping[str, str]) -> bool:
    if install.has("--require-hashes") or boolean(env.get("PIP_REQUIRE_HASHES")):
        return True
    files = [project.requirements_at(p) if p else None for _, p in doc.requirement_files(install)]
    others = set(install.packages) - set(install.requirement_files)
    return bool(files) and all(f is not None and f.parsed.is_hash_pinned for f in files) and not others


def _links_message(url: str) -> str:
    return (
        f"packages are taken from the links on `{redact(url)}` without hashes: whatever that page lists "
        "at build time is installed; install a hashed lock (`--require-hashes`), or use the index it "
        "belongs to (`--index-url`)"
    )


def _find_links(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install, env in pip_installs(doc):
            if not _hashed(project, doc, install, env):
                for url, word in _remote_links(install):
                    yield finding_at(UNHASHED_FIND_LINKS, doc, install.instruction, _links_message(url), word)
    for req in project.requirements:
        if req.parsed.is_hash_pinned or req.parsed.options("--require-hashes"):
            continue
        for entry in req.parsed.entries:
            if entry.option == "--find-links" and (entry.value or "").startswith(("http://", "https://")):
                message = _links_message(entry.value or "")
                yield UNHASHED_FIND_LINKS.finding(req.path, entry.line, message, col=entry.col)


# --- PB210 -------------------------------------------------------------------------------------


def _url_of(command: Command) -> Word | None:
    return next((w for w in command.words[1:] if w.text.startswith(("http://", "https://"))), None)


def _output_of(command: Command) -> str | None:
    """The file `curl -o F` / `wget -O F` writes."""
    words = [w.text for w in command.words]
    for flag in ("-o", "--output", "-O", "--output-document"):
        if flag in words[:-1] and not (command.program == "curl" and flag == "-O"):
            return words[words.index(flag) + 1]
    return None


def _runs(command: Command, path: str) -> bool:
    words = [w.text for w in command.words]
    name = posixpath.basename(path)
    if words and posixpath.basename(words[0]) == name:
        return True
    return command.program in _RUNNERS and any(posixpath.basename(w) == name for w in words[1:])


def _piped(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for ins, script in doc.scripts.items():
            commands = script.commands
            verified = any(c.program in _VERIFIERS for c in commands)
            for before, after in itertools.pairwise(commands):
                url = _url_of(before) if before.program in _FETCHERS else None
                if url and after.operator in ("|", "|&") and after.program in _RUNNERS:
                    yield finding_at(REMOTE_SCRIPT, doc, ins, _script_message(url.text, "piped into"), url)
            for i, fetch in enumerate(commands):
                url = _url_of(fetch) if fetch.program in _FETCHERS else None
                out = _output_of(fetch) if url else None
                if url and out and not verified and any(_runs(c, out) for c in commands[i + 1 :]):
                    yield finding_at(
                        REMOTE_SCRIPT, doc, ins, _script_message(url.text, "downloaded and run by"), url
                    )
        yield from _added_scripts(doc)


def _added_scripts(doc: DockerfileDoc) -> Iterator[Finding]:
    """`ADD https://.../install.sh /tmp/` (no --checksum) followed by a RUN that runs it."""
    for ins in doc.model.instructions:
        remote = (
            [v for v in ins.value[:-1] if v.startswith(("http://", "https://"))] if ins.cmd == "ADD" else []
        )
        if not remote or ins.flag("checksum"):
            continue
        dest = ins.value[-1]
        names = [
            posixpath.join(dest, posixpath.basename(urlsplit(r).path)) if dest.endswith("/") else dest
            for r in remote
        ]
        later = [i for i in doc.model.instructions if i.line > ins.line and i in doc.scripts]
        if any(_runs(c, name) for i in later for c in doc.script(i).commands for name in names):
            yield finding_at(REMOTE_SCRIPT, doc, ins, _script_message(remote[0], "added by ADD and run in"))


def _script_message(url: str, how: str) -> str:
    return (
        f"`{redact(url)}` is {how} the build unverified: whoever controls that URL (or the path to it) "
        "runs code in the image; pin it (`ADD --checksum=sha256:...`, or check `sha256sum -c` before "
        "running it), or install the tool from a package"
    )


_TABLE = "sources_rules"  # data/sources_rules.toml
MUTABLE_URL = documented(_TABLE, "PB110", "mutable-url-requirement", _mutable)
UNHASHED_FIND_LINKS = documented(_TABLE, "PB209", "unhashed-find-links", _find_links)
REMOTE_SCRIPT = documented(_TABLE, "PB210", "unverified-remote-script", _piped, severity=Severity.ERROR)

RULES = (MUTABLE_URL, UNHASHED_FIND_LINKS, REMOTE_SCRIPT)
