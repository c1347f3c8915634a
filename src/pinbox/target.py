"""The target an environment is locked for: the image's Python, platforms and libc.

A lock is only valid for the interpreter and platform that will install it, which is the
image, not the machine running pinbox. The target is read from the Dockerfile's final stage,
from flags, from configuration, or (last) from the current interpreter.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox.errors import PinboxError
from pinbox.platforms import DEFAULT_GLIBC, Platform, host_platform, parse_platforms, platform_from_key
from pinbox.record import Record

if TYPE_CHECKING:
    from pinbox.dockerfile import Dockerfile

__all__ = ["DEFAULT_GLIBC", "Platform", "Target", "host_platform", "parse_platforms", "platform_from_key"]

# Debian/Ubuntu codename in an image tag -> glibc (major, minor) it ships.
GLIBC_OF_RELEASE = {
    "buster": (2, 28),
    "bullseye": (2, 31),
    "bookworm": (2, 36),
    "trixie": (2, 41),
    "focal": (2, 31),
    "jammy": (2, 35),
    "noble": (2, 39),
}


class Target(Record):
    python: str  # "3.11"
    platforms: tuple[Platform, ...]  # the image's
    source: str  # where it came from, for messages: "Dockerfile:1 (python:3.11-slim)"
    patch: str | None = None  # "3.11.7" when the image tag or --python says it
    base: str | None = None  # the image's base as its Dockerfile names it (`FROM` of the final stage)
    dev_platforms: tuple[Platform, ...] = ()  # the team's machines, locked with the image's Python

    @property
    def full_python(self) -> str:
        """The full version to resolve for: the one given, else a patch release every current image of
        that Python has (data/eol.toml), so `Requires-Python: >=3.8.1` resolves as in the image."""
        if self.patch:
            return self.patch
        from pinbox.datafiles import data_table

        return str(data_table("eol").get("patch", {}).get(self.python, self.python))

    @property
    def all_platforms(self) -> tuple[Platform, ...]:
        """The image's platforms, then each team machine that is not one of them (a Linux laptop of
        the image's architecture shares the image's lines)."""
        return self.platforms + self.team

    @property
    def team(self) -> tuple[Platform, ...]:
        """The team's machines the image's platforms do not already cover."""
        return tuple(d for d in self.dev_platforms if not any(d.same_machine(p) for p in self.platforms))

    def describe(self) -> str:
        plats = ", ".join(f"{p.docker} ({p.tag})" for p in self.platforms)
        team = f"; team machines: {', '.join(p.name for p in self.team)}" if self.team else ""
        return f"CPython {self.python} on {plats}{team}"

    def key(self) -> str:
        """A stable one-line form stored in the lock header."""
        plats = ",".join(p.key for p in self.platforms)
        return f"cpython-{self.python} {plats}" + (
            f" dev={','.join(p.key for p in self.team)}" if self.team else ""
        )


def full_python(value: str | None) -> str | None:
    """'3.8.18' (or 'python3.8.18') -> '3.8.18'; None when no patch release is named."""
    text = (value or "").strip().lower().removeprefix("python").removeprefix("cpython-")
    return text if re.fullmatch(r"3\.\d{1,2}\.\d+", text) else None


def parse_python(value: str, *, source: str = "--python") -> str:
    """'3.11', '3.11.7', 'python3.11', 'cp311' -> '3.11'."""
    text = value.strip().lower().removeprefix("python").removeprefix("cpython-")
    cp = re.fullmatch(r"cp3(\d{1,2})", text)
    if cp:
        return f"3.{cp.group(1)}"
    match = re.fullmatch(r"(3)\.(\d{1,2})(?:\.\d+)?", text)
    if not match:
        raise PinboxError(f"{source}: {value!r} is not a Python version like 3.11")
    return f"{match.group(1)}.{match.group(2)}"


class BaseImageFacts(Record):
    python: str | None
    libc: str
    glibc: tuple[int, int]
    patch: str | None = None  # `python:3.8.18-slim` -> "3.8.18"


def split_ref(ref: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of an image reference; a registry's `host:port/` is not a tag."""
    bare, _, digest = ref.partition("@")
    name, sep, tag = bare.rpartition(":")
    if not sep or "/" in tag:
        return bare, None, digest or None
    return name, tag, digest or None


def facts_of_image(ref: str) -> BaseImageFacts:
    """What an image reference says about Python and libc (`python:3.9-slim-bullseye`, ...)."""
    name, found_tag, _ = split_ref(ref)
    repo = name.split("/")[-1].lower()
    tag = (found_tag or "").lower()
    python = patch = None
    if repo == "python":
        match = re.match(r"(3\.\d{1,2})(\.\d+)?(?:$|-)", tag)
        python = match.group(1) if match else None
        patch = match.group(1) + match.group(2) if match and match.group(2) else None
    else:
        match = re.search(r"python-?(3\.\d{1,2})|py(3\d{1,2})\b", tag)
        if match:
            python = match.group(1) or f"3.{match.group(2)[1:]}"
    libc = "musl" if "alpine" in tag or "alpine" in repo else "glibc"
    glibc = next((v for k, v in GLIBC_OF_RELEASE.items() if k in tag), DEFAULT_GLIBC)
    return BaseImageFacts(python=python, libc=libc, glibc=glibc, patch=patch)


_APT = ("apt-get", "apt", "apt-fast")
_PYTHON3 = r"python3(-(pip|dev|venv|full|minimal))?(=\S*)?"


def _distro_python(dockerfile: Dockerfile, ref: str) -> tuple[str, str] | None:
    """(X.Y, where it comes from) when the final stage installs `python3` from the distribution of
    a base without Python (ubuntu, debian, nvidia/cuda): that distribution's python3."""
    from pinbox.datafiles import data_table
    from pinbox.dockerfile.shell import read_run

    name, tag, _ = split_ref(ref.lower())
    words = f"{name.split('/')[-1]}{tag or ''} {tag or ''}".replace(":", "")
    table: dict[str, str] = data_table("distro_python")["python3"]
    version = next((v for key, v in table.items() if key in words), None)
    final = dockerfile.final_stage
    if version is None or final is None:
        return None
    for ins in (i for s in dockerfile.lineage(final) for i in s.instructions if i.runs):
        for command in read_run(dockerfile, ins).commands:
            words_ = [w.text for w in command.words]
            installs_python = any(re.fullmatch(_PYTHON3, w) for w in words_)
            if command.program in _APT and "install" in words_ and installs_python:
                where = f"{dockerfile.path.name}:{ins.line} (apt installs python3 on {ref}: Python {version})"
                return version, where
    return None


def _newest_python() -> str:
    """The newest Python pinbox knows of (data/eol.toml), for examples in messages."""
    from pinbox.datafiles import data_table

    versions: list[str] = list(data_table("eol")["python"])
    return max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))


def target_from_dockerfile(
    dockerfile: Dockerfile, *, python: str | None = None, platforms: str | None = None
) -> Target:
    """The target of the Dockerfile's final stage; flags given override what it says."""
    stage = dockerfile.final_stage
    if stage is None:
        raise PinboxError("Dockerfile has no FROM", path=dockerfile.path)
    ref, root = dockerfile.root_base(stage)
    facts = facts_of_image(ref)
    where = f"{dockerfile.path.name}:{root.from_line} (FROM {ref})"
    where = f"--python {python}; platform from {where}" if python else where
    py = python or facts.python
    distro = None if py else _distro_python(dockerfile, ref)
    if distro:
        py, where = distro
    patch = full_python(python) if python else facts.patch
    name, tag, _ = split_ref(ref)
    official = name.split("/")[-1].lower() == "python" and "$" not in ref
    if py is None and "$" not in ref and not official:
        from pinbox.engine.image_python import python_of_local_image

        py = patch = python_of_local_image(ref)  # conda's Python in pytorch/pytorch, miniconda3
        where = f"{where}; Python {py} read from the local image" if py else where
    if py is None:
        flavour = re.sub(r"^3(-|$)", "", tag or "")  # `3-slim`: slim
        example = (
            f"python:{_newest_python()}-{flavour if flavour and flavour != 'latest' else 'slim'}"
            if official
            else ""
        )
        said = "names only the major version" if tag and re.match(r"3(-|$)", tag) else "names no version"
        raise PinboxError(
            f"the base image {ref!r} is CPython, but "
            f"{'its tag' if tag else 'without a tag it means `latest`, which'} {said}: the "
            "Python it runs moves with every release, and a lock can only be made for one"
            if official
            else f"the base image {ref!r} does not say which Python it runs",
            path=dockerfile.path,
            line=root.from_line,
            hint=f"pin a version tag (`{example}`), or pass --python 3.X"
            if official
            else "pass --python 3.X (and --platform if not the host's), or set "
            "[tool.pinbox] python in pyproject.toml (pinbox reads it from the image itself when "
            "the Docker engine has the image)",
        )
    stage_platform = stage.platform or root.platform  # `FROM builder` runs on builder's platform
    plat_text = platforms or stage_platform or None
    if plat_text:
        plats = tuple(
            Platform(p.arch, facts.libc, facts.glibc) for p in parse_platforms(plat_text, glibc=facts.glibc)
        )
    else:
        plats = (Platform(host_platform().arch, facts.libc, facts.glibc),)
    base = ref if "$" not in ref else None
    return Target(python=parse_python(py), platforms=plats, source=where, patch=patch, base=base)


def target_from_flags(python: str | None, platforms: str | None, source: str) -> Target:
    """Target from flags or config; missing parts come from the current interpreter and host."""
    py = parse_python(python) if python else f"{sys.version_info[0]}.{sys.version_info[1]}"
    plats = parse_platforms(platforms) if platforms else (host_platform(),)
    here = ".".join(map(str, sys.version_info[:3]))
    return Target(python=py, platforms=plats, source=source, patch=full_python(python) if python else here)


DOCKERFILE_NAMES = ("Dockerfile", "dockerfile", "Containerfile", "containerfile")


def find_dockerfile(project: Path) -> Path | None:
    """The project's Dockerfile: `Dockerfile`, else `dockerfile` or `Containerfile`."""
    return next((project / n for n in DOCKERFILE_NAMES if (project / n).is_file()), None)


def target_from_key(key: str) -> Target:
    """Target.key() read back (`cpython-3.11 x86_64-manylinux_2_28,aarch64-unknown-linux-musl`, then
    ` dev=aarch64-apple-darwin@13.0,x86_64-pc-windows-msvc` when the team's machines are locked too)."""
    python, _, rest = key.partition(" ")
    plats, _, dev = rest.partition(" dev=")
    try:
        platforms = tuple(platform_from_key(item) for item in plats.split(","))
        dev_platforms = tuple(platform_from_key(item) for item in dev.split(",")) if dev else ()
        if any(p.os != "linux" for p in platforms):
            raise ValueError(plats)
    except ValueError:
        platforms = ()
    if not platforms or not re.fullmatch(r"cpython-3\.\d{1,2}", python):
        raise PinboxError(
            f"cannot read the target {key!r} in the lock's header", hint="regenerate it with `pinbox lock`"
        )
    return Target(
        python.removeprefix("cpython-"), platforms, "the lock's header", dev_platforms=dev_platforms
    )
