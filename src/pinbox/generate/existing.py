"""What a project's existing Dockerfile says, read before `pinbox init` replaces it: the final
stage's ENTRYPOINT/CMD, EXPOSE, WORKDIR and ENV (with what it inherits from the stages it is
built on), its base image, what asks for a GPU, and the packages its RUN lines install by name.
Kept in the generated files, or named in a one-line note each when they cannot be.
"""

from __future__ import annotations

import re
from pathlib import Path

from pinbox import gpu
from pinbox.dockerfile import Dockerfile, Instruction, load_dockerfile
from pinbox.dockerfile.installs import installs
from pinbox.dockerfile.shell import read_run
from pinbox.errors import PinboxError
from pinbox.names import package_name
from pinbox.record import dataclass
from pinbox.redact import is_secret_name

_PORT = re.compile(r"(\d{1,5})(/tcp)?")
_TOOLS = ("pip", "setuptools", "wheel", "uv", "pip-tools")  # installers, not what the app imports
# set by every generated image itself (or meaningless in it)
OWN_ENV = (
    "PATH",
    "VIRTUAL_ENV",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES",
    "HOME",
    "LANG",
    "GPG_KEY",
    "PYTHON_VERSION",
    "PYTHON_SHA256",
    "PYTHON_PIP_VERSION",
    "PYTHON_GET_PIP_URL",
    "PYTHON_GET_PIP_SHA256",
    "PYTHON_SETUPTOOLS_VERSION",
)
_INSTALLER_ENV = ("PIP_", "UV_")  # index URLs (perhaps with credentials) stay out of the new image
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Extra:
    """A package a RUN line installs by name, outside the project's input files."""

    requirement: str  # as written: `scikit-learn`, `torch==2.2.0`
    name: str
    line: int


@dataclass(frozen=True)
class Existing:
    path: Path
    base: str | None
    entrypoint: tuple[str, ...] | None  # exec form (a shell form is `/bin/sh -c TEXT`)
    cmd: tuple[str, ...] | None
    ports: tuple[int, ...]
    workdir: str | None
    env: tuple[tuple[str, str], ...]  # kept: (name, value as written)
    notes: tuple[str, ...]  # one line per thing that is not kept, and why
    extras: tuple[Extra, ...]
    gpu_hint: str | None
    conda: tuple[str, ...]  # packages conda installs (their PyPI names may differ)

    @property
    def argv(self) -> tuple[str, ...] | None:
        """What the image runs: ENTRYPOINT then CMD, as Docker joins them."""
        if self.entrypoint is None and self.cmd is None:
            return None
        return (*(self.entrypoint or ()), *(self.cmd or ()))


def _argv(ins: Instruction) -> tuple[str, ...]:
    return ins.value if ins.json else ("/bin/sh", "-c", " ".join(ins.value))


def _env_value(value: str) -> str:
    """An ENV value written so that `ENV NAME=VALUE` means what the old line meant."""
    if value[:1] in "\"'" or not re.search(r"\s", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _env(chain: list[Instruction], args: set[str]) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    kept: dict[str, str] = {}
    notes: list[str] = []
    for ins in (i for i in chain if i.cmd == "ENV"):
        for name, value in zip(ins.value[::2], ins.value[1::2], strict=False):
            if name in OWN_ENV or name.startswith(_INSTALLER_ENV):
                continue  # the image sets its own; an installer's settings mean nothing at run time
            if is_secret_name(name):
                notes.append(
                    f"{name} (ENV on line {ins.line}) is not kept: a secret in an image layer is readable "
                    "by anyone with the image; pass it at run time (compose `environment:`, `docker run -e`)"
                )
                continue
            unknown = [v for v in _VARIABLE.findall(value) if v not in kept and v not in OWN_ENV]
            if unknown and any(v in args for v in unknown):
                notes.append(
                    f"{name} (ENV on line {ins.line}) is not kept: it uses the build argument ${unknown[0]}, "
                    "which the generated Dockerfile does not declare; set it in compose.yaml"
                )
                continue
            kept[name] = _env_value(value)
    return tuple(kept.items()), notes


def _ports(chain: list[Instruction]) -> tuple[tuple[int, ...], list[str]]:
    ports: list[int] = []
    notes: list[str] = []
    for ins in (i for i in chain if i.cmd == "EXPOSE"):
        for value in ins.value:
            found = _PORT.fullmatch(value)
            if found and 0 < int(found.group(1)) < 65536:
                ports.append(int(found.group(1)))
            else:
                notes.append(f"EXPOSE {value} (line {ins.line}) is not kept: only fixed TCP ports are")
    return tuple(dict.fromkeys(ports)), notes


def _extras(model: Dockerfile) -> tuple[tuple[Extra, ...], tuple[str, ...]]:
    """Packages installed by name with pip or uv (not files, not the installers), and by conda."""
    found: dict[str, Extra] = {}
    conda: list[str] = []
    for ins in (i for i in model.instructions if i.runs):
        for install in installs(ins, read_run(model, ins).commands):
            if install.command not in ("install", "add"):
                continue
            for word in install.packages:
                name = package_name(word)
                if name is None or "$" in word or word.startswith((".", "/")):
                    continue
                if install.tool == "conda":
                    conda.append(word)
                elif install.tool in ("pip", "uv") and name not in _TOOLS:
                    found.setdefault(name, Extra(word.strip("'\""), name, ins.line))
    return tuple(found.values()), tuple(dict.fromkeys(conda))


def read_existing(path: Path) -> Existing | None:
    """The facts of `path` (None when there is none; a Dockerfile that does not parse is replaced
    as it is, with nothing kept)."""
    if not path.is_file():
        return None
    try:
        model = load_dockerfile(path)
    except PinboxError:
        return None
    final = model.final_stage
    if final is None:
        return None
    chain = [i for s in model.lineage(final) for i in s.instructions]
    last = {c: next((i for i in reversed(chain) if i.cmd == c), None) for c in ("ENTRYPOINT", "CMD")}
    workdirs = [i.value[0] for i in chain if i.cmd == "WORKDIR" and i.value]
    workdir = workdirs[-1] if workdirs and workdirs[-1].startswith("/") and "$" not in workdirs[-1] else None
    args = {i.value[0].partition("=")[0] for i in model.instructions if i.cmd == "ARG" and i.value}
    env, env_notes = _env(chain, args)
    ports, port_notes = _ports(chain)
    extras, conda = _extras(model)
    notes = env_notes + port_notes
    if workdirs and workdir is None:
        notes.append(
            f"WORKDIR {workdirs[-1]} is not kept: only an absolute path without variables is; using /app"
        )
    return Existing(
        path=path,
        base=model.root_base(final)[0],
        entrypoint=_argv(last["ENTRYPOINT"]) if last["ENTRYPOINT"] else None,
        cmd=_argv(last["CMD"]) if last["CMD"] else None,
        ports=ports,
        workdir=workdir,
        env=env,
        notes=tuple(notes),
        extras=extras,
        gpu_hint=gpu.dockerfile_hint((s.base_resolved for s in model.stages), model.text),
        conda=conda,
    )
