"""Image references checked against Docker's grammar (distribution/reference) before use, so a
bad `-t`, `--base` or `--image` is a clear error, never an empty one, and never a line injected into
a generated file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pinbox import wildcard
from pinbox.errors import PinboxError
from pinbox.target import split_ref

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*"
_HOST = rf"(?:{_DOMAIN}|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_NAME = rf"(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = rf"(?P<name>{_NAME})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
MAX_NAME = 255


def check_reference(ref: str, what: str) -> str:
    """`ref` when it is a valid image reference; else an error naming the option and the rule."""
    match = re.fullmatch(_REFERENCE, ref)
    if match is None or len(match.group("name")) > MAX_NAME:
        shown = ref if ref.isprintable() and len(ref) <= 100 else repr(ref[:100])
        raise PinboxError(
            f"{what}: {shown!r} is not a valid image reference",
            hint="use NAME[:TAG][@DIGEST]: lower-case name parts separated by '/', '.', '_' or '-' "
            "(a registry host first, if any); a tag of letters, digits, '_', '.' and '-'",
        )
    return ref


_NOT_NAME = re.compile(r"[^a-z0-9]+")
_SEPARATOR = re.compile(r"[._]|__|-+")  # the separators a name component allows between its parts


def project_name(project: Path) -> str:
    """The image name a project gets when none is given (`pinbox build`'s tag, the compose file
    `pinbox init` writes): its folder's name made a valid reference, else `app`."""
    name = _NOT_NAME.sub(
        lambda run: run.group() if _SEPARATOR.fullmatch(run.group()) else "-",
        project.resolve().name.lower(),
    )
    name = name[:MAX_NAME].strip("-._") or "app"
    return check_reference(name, "the project folder's name")


def image_name(ref: str) -> str:
    """A reference as the tables write it: lower case, without docker.io/ and library/."""
    ref = ref.lower().removeprefix("docker.io/").removeprefix("index.docker.io/")
    return ref.removeprefix("library/")


def image_matches(ref: str, patterns: Iterable[str], *, repository_only: bool = False) -> str | None:
    """The first of `patterns` (`*` wildcards) that an image reference matches as `name:tag`: written as
    `image_name` writes it, without digest, `latest` when it has no tag. With `repository_only`,
    `name` is the repository's last part (`python` of `ghcr.io/org/python`)."""
    name, tag, _ = split_ref(image_name(ref))
    short = f"{name.rsplit('/', 1)[-1] if repository_only else name}:{tag or 'latest'}"
    return wildcard.first_match(short, patterns)
