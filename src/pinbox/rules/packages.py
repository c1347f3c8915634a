"""Rules about which packages end up together in an environment: distributions that overwrite
each other (PB111), `conda install` without pins (PB211), and torch installed again over a base
image that ships it (PB308). The families and base images are data (data/conflicts.toml); docs
are in data/packages_rules.toml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from pinbox.datafiles import data_table
from pinbox.dockerfile.installs import Install
from pinbox.dockerfile.lexer import Word
from pinbox.names import normalize, package_name
from pinbox.reference import image_matches
from pinbox.rules.context import DockerfileDoc, LockDoc, Project
from pinbox.rules.documented import documented
from pinbox.rules.image import final_base
from pinbox.rules.install_facts import file_word, finding_at
from pinbox.rules.locked import locked
from pinbox.rules.model import Finding, Severity
from pinbox.target import split_ref

_CONDA_PIN = r"^[A-Za-z0-9][\w.-]*(?:==[\w.+!-]+|=\d+(?:\.\d+){2,}[\w.+!-]*)(?:=[\w.*+-]+)?$"


@cache
def _conflicts() -> dict[str, Any]:
    return data_table("conflicts")


def family_of(name: str) -> str | None:
    """The import package a distribution shares with others (`opencv-python` -> `cv2`)."""
    wanted = str(normalize(name))
    return next((f["package"] for f in _conflicts()["family"] if wanted in f["distributions"]), None)


# --- PB111 -------------------------------------------------------------------------------------


def _conflict_message(first: str, second: str, where: str) -> str:
    return (
        f"{second} and {first} ({where}) both install the `{family_of(second)}` package: the one installed "
        "last overwrites the other's files and leaves a mix of both; keep one of them"
    )


def _in_files(project: Project) -> Iterator[Finding]:
    docs: list[LockDoc] = [*project.requirements, *project.pylocks]
    for doc in docs:
        seen: dict[str, tuple[str, int]] = {}
        for package in locked(doc):
            family = family_of(package.name)
            first = seen.setdefault(family, (package.name, package.line)) if family else None
            if first and first[0] != package.name:
                message = _conflict_message(first[0], package.name, f"line {first[1]}")
                yield CONFLICTING.finding(doc.path, package.line, message)


def _installed_by(project: Project, doc: DockerfileDoc, install: Install) -> Iterator[tuple[str, Word, str]]:
    """(distribution, word to report at, where it is named) for each package an install names,
    directly or in the requirements files it installs (`-r`)."""
    for written, path in doc.requirement_files(install):
        req = project.requirements_at(path) if path else None
        at = file_word(install, written)
        if req is None or at is None:
            continue
        in_file: set[str | None] = set()  # a conflict inside the file is reported in the file
        for package in locked(req):
            if (family := family_of(package.name)) not in in_file:
                in_file.add(family)
                yield package.name, at, f"{written} line {package.line}"
    for word in install.package_words:
        if name := package_name(word.text):
            yield name, word, ""


def _in_runs(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        seen: dict[str, tuple[str, str]] = {}
        for install in doc.installs:
            for name, word, where in _installed_by(project, doc, install):
                family = family_of(name)
                first = (
                    seen.setdefault(family, (name, where or f"line {install.instruction.line}"))
                    if family
                    else None
                )
                if first and first[0] != name:
                    message = _conflict_message(first[0], name, first[1])
                    yield finding_at(CONFLICTING, doc, install.instruction, message, word)


def _conflicting(project: Project) -> Iterator[Finding]:
    yield from _in_files(project)
    yield from _in_runs(project)


# --- PB211 -------------------------------------------------------------------------------------


def _conda_unpinned(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        for install in (i for i in doc.installs if i.tool == "conda"):
            for word in install.package_words:
                if install.command == "create" and word.text.startswith(("-", "/")):
                    continue
                if "$" in word.text or re.match(_CONDA_PIN, word.text):
                    continue
                message = (
                    f"`{word.text}` is installed by {install.program.text} without an exact version, so "
                    "the solver picks whatever is newest at build time; pin it (`name=1.2.3` or with "
                    "its build: `name=1.2.3=h1234_0`), or install from a lock (`conda-lock`, `--file`)"
                )
                yield finding_at(CONDA_UNPINNED, doc, install.instruction, message, word)


# --- PB308 -------------------------------------------------------------------------------------


def _torch_base(doc: DockerfileDoc) -> str | None:
    base = final_base(doc)
    return base if base and image_matches(base, _conflicts()["torch-bases"]["patterns"]) else None


def _torch_word(project: Project, doc: DockerfileDoc, install: Install) -> Word | None:
    """The word through which an install puts torch in the image: `torch...`, or `-r FILE` with it."""
    for word in install.package_words:
        if package_name(word.text) == "torch":
            return word
    for written, path in doc.requirement_files(install):
        req = project.requirements_at(path) if path else None
        if req and any(p.name == "torch" for p in locked(req)):
            return file_word(install, written) or install.keyword
    return None


def _shipped(base: str) -> tuple[str, bool]:
    """What the base image's tag says it ships (`torch 2.3.1 with its CUDA libraries`; `torch` when
    the tag is not a torch version), and whether that includes CUDA."""
    tag = (split_ref(base)[1] or "").lower()
    version = re.match(r"\d+\.\d+(?:\.\d+)?", tag)
    ships = "torch"
    if version and image_matches(base, _conflicts()["torch-bases"]["versioned"]):
        ships += f" {version.group(0)}"
    cuda = "cuda" in tag
    return ships + " with its CUDA libraries" * cuda, cuda


def _torch_again(project: Project) -> Iterator[Finding]:
    for doc in project.dockerfiles:
        base = _torch_base(doc)
        final = doc.model.final_stage
        if base is None or final is None:
            continue
        shipped = {i for s in doc.model.lineage(final) for i in s.instructions}
        for install in (i for i in doc.installs if i.instruction in shipped and i.tool in ("pip", "uv")):
            word = _torch_word(project, doc, install)
            if word is None:
                continue
            ships, cuda = _shipped(base)
            mismatch = (
                "may not match the base's CUDA" if cuda else "may not be built for the base's CUDA (or CPU)"
            )
            message = (
                f"`{base}` already ships {ships}; installing torch again adds a second copy (gigabytes) "
                f"in a new layer and {mismatch}; use the base's torch (leave torch out of the install, "
                "or constrain it to the base's version), or start from a plain python image"
            )
            yield finding_at(TORCH_AGAIN, doc, install.instruction, message, word)


_TABLE = "packages_rules"  # data/packages_rules.toml
CONFLICTING = documented(_TABLE, "PB111", "conflicting-distributions", _conflicting, severity=Severity.ERROR)
CONDA_UNPINNED = documented(_TABLE, "PB211", "conda-install-unpinned", _conda_unpinned)
TORCH_AGAIN = documented(_TABLE, "PB308", "base-torch-reinstalled", _torch_again)

RULES = (CONFLICTING, CONDA_UNPINNED, TORCH_AGAIN)
