"""The image rule `entrypoint-not-installed`: the program the final stage's ENTRYPOINT or CMD runs
must be on the image's PATH.

What a base image provides is data (data/image_programs.toml; an image not listed is not
judged); what the Dockerfile adds is read from it (apt/apk/conda packages of that name, files
copied or written under that name, packages installed by name); what the locked wheels provide
is the console scripts `pinbox lock` recorded from their entry_points.txt. The rule speaks only
when it knows all three.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox import wildcard
from pinbox.dockerfile.installs import Install
from pinbox.dockerfile.lexer import Word
from pinbox.dockerfile.model import Instruction
from pinbox.dockerfile.shell import SHELLS, read_run
from pinbox.names import normalize, package_name
from pinbox.programs import base_programs
from pinbox.record import Record
from pinbox.rules.context import DockerfileDoc, LockDoc, Project, PylockDoc, lock_inputs
from pinbox.rules.documented import documented
from pinbox.rules.image import final_base
from pinbox.rules.install_facts import finding_at, is_local
from pinbox.rules.locked import locked, scripts_complete
from pinbox.rules.model import Finding, Severity

if TYPE_CHECKING:
    from pinbox.lock.scripts import Pin

    Asked = dict[tuple[Pin, ...], frozenset[str] | None]  # lookups made in this check, by their pins

_SYSTEM = ("apt-get", "apt", "apk", "yum", "dnf", "microdnf", "conda", "mamba", "micromamba", "npm")
_VENV_BIN = ("/bin/",)  # /opt/venv/bin/uvicorn: the venv's own script


class Program(Record):
    word: Word
    instruction: Instruction

    @property
    def name(self) -> str:
        return posixpath.basename(self.word.text)


def program_of(doc: DockerfileDoc) -> Program | None:
    """The program the final stage runs: its ENTRYPOINT's, else its CMD's (inherited from the
    stages it is built on); None when it is a path, a variable or unknown."""
    final = doc.model.final_stage
    if final is None:
        return None
    chain = [i for s in doc.model.lineage(final) for i in s.instructions]
    last = {cmd: next((i for i in reversed(chain) if i.cmd == cmd), None) for cmd in ("ENTRYPOINT", "CMD")}
    ins = last["ENTRYPOINT"] or last["CMD"]
    if ins is None:
        return None
    commands = [c for c in read_run(doc.model, ins).commands if c.program not in SHELLS]
    word = commands[0].words[0] if commands else None
    if word is None or "$" in word.text or not word.text:
        return None
    if "/" in word.text and not any(part in word.text for part in _VENV_BIN):
        return None  # a script the image itself holds (/entrypoint.sh, ./run.sh)
    return Program(word, ins)


def _added_by_dockerfile(doc: DockerfileDoc, name: str) -> bool:
    """A system package, a copied or written file, or a named package of that name."""
    for ins in doc.model.instructions:
        if ins.cmd in ("COPY", "ADD") and any(posixpath.basename(v.rstrip("/")) == name for v in ins.value):
            return True
        for command in doc.script(ins).commands:
            words = [w.text for w in command.words]
            if command.program in _SYSTEM and name in words[1:]:
                return True
            if any(w.endswith(f"/{name}") for w in words[1:]):
                return True  # curl -o /usr/local/bin/NAME, ln -s ... /usr/bin/NAME
    return False


def _installed_scripts(project: Project, doc: DockerfileDoc, program: str, asked: Asked) -> set[str] | None:
    """Console scripts of what the Dockerfile installs from locks; None when some install's scripts
    stay unknown (a package installed by name, a local project, a wheel that cannot be read).
    A fully hash-pinned requirements file the image installs (pip-compile's, uv's) is a lock too:
    pip installs exactly what it lists, or nothing."""
    locks = _locks(project, doc)
    if not doc.installs or not locks:
        return None
    names = {str(normalize(p.name)) for lock in locks for p in locked(lock)}
    known = {lock.path.resolve() for lock in locks} | {
        path for lock in locks for path in lock_inputs(lock, lock.path.parent)
    }
    for install in doc.installs:
        files = [path.resolve() if path else None for _, path in doc.requirement_files(install)]
        if _unknown_packages(install, names) or any(f is None or f not in known for f in files):
            return None
    if normalize(program) in names:
        return {program}  # the distribution of that name: its script, without reading its wheel
    recorded = {script for lock in locks for package in locked(lock) for script in package.scripts}
    if program in recorded or all(scripts_complete(lock) for lock in locks):
        return recorded
    return _completed(locks, recorded, asked)


def _locks(project: Project, doc: DockerfileDoc) -> list[LockDoc]:
    """The project's locks the image may install, and the hash-pinned files it installs."""
    found: dict[Path, LockDoc] = {lock.path.resolve(): lock for lock in project.locks_of(doc)}
    for _, path in project.installed_files(doc):
        req = project.requirements_at(path)
        if req is not None and not req.is_lock and req.parsed.is_hash_pinned:
            found.setdefault(req.path.resolve(), req)
    return list(found.values())


def _completed(locks: list[LockDoc], recorded: set[str], asked: Asked) -> set[str] | None:
    """The scripts of locks that did not record them all (an older pinbox, pip-compile, uv), read
    from the wheels their sha256s name: pinbox's cache, else that file on PyPI. Not for a lock
    that names another index (its package names are not PyPI's to be asked about) or a pin
    without a hash: those stay unknown, and nothing is asked."""
    from pinbox.inventory.pypi import is_pypi
    from pinbox.lock.scripts import scripts_of_pins

    if not all(is_pypi(url) for lock in locks for url in _indexes(lock)):
        return None
    pins = tuple((p.name, p.version, p.hashes) for lock in locks for p in locked(lock) if not p.scripts)
    if any(not hashes for _, _, hashes in pins):
        return None
    if pins not in asked:  # Dockerfiles that share a lock ask once
        asked[pins] = scripts_of_pins(pins)
    found = asked[pins]
    return None if found is None else recorded | found


def _indexes(lock: LockDoc) -> list[str]:
    """The index and find-links URLs a lock installs from."""
    if isinstance(lock, PylockDoc):
        packages = lock.data.get("packages")
        return (
            [str(p["index"]) for p in packages if isinstance(p, dict) and "index" in p]
            if isinstance(packages, list)
            else []
        )
    return [
        u
        for option in ("--index-url", "--extra-index-url", "--find-links")
        for u in lock.parsed.options(option)
    ]


def _unknown_packages(install: Install, locked_names: set[str]) -> bool:
    """Packages installed by name (or from a path) that the locks do not cover."""
    if install.tool not in ("pip", "uv"):
        return True
    for word in install.packages:
        if is_local(word) or "$" in word:
            return True
        name = package_name(word)
        if name is None or name not in locked_names:
            return True
    return False


def _not_installed(project: Project) -> Iterator[Finding]:
    asked: Asked = {}
    for doc in project.dockerfiles:
        program, base = program_of(doc), final_base(doc)
        if program is None or base is None:
            continue
        provided = base_programs(base)
        if provided is None or any(wildcard.matches(program.name, p) for p in provided):
            continue
        if _added_by_dockerfile(doc, program.name):  # cheap and local: before any lookup
            continue
        scripts = _installed_scripts(project, doc, program.name, asked)
        if scripts is None or program.name in scripts:
            continue
        locks = ", ".join(lock.path.name for lock in _locks(project, doc))
        message = (
            f"{program.instruction.cmd} runs `{program.name}`, which neither the base image `{base}` nor "
            f"a console script of a locked package ({locks}) provides, so the container fails with "
            f"`{program.name}: not found`; add the package that provides it to the requirements and "
            "re-lock"
        )
        yield finding_at(ENTRYPOINT_NOT_INSTALLED, doc, program.instruction, message, program.word)


ENTRYPOINT_NOT_INSTALLED = documented(
    "image_rules", "PB306", "entrypoint-not-installed", _not_installed, severity=Severity.ERROR
)

RULES = (ENTRYPOINT_NOT_INSTALLED,)
