"""The build state before each instruction: build arguments, environment, user and working folder.

Computed in one pass over the stages. A stage built `FROM` an earlier one starts from that
stage's environment, user and folder; build arguments do not cross stages (an `ARG NAME` without
a value takes the global `ARG` default, as Docker does). Every state shares its variables with the
states before it (`Variables`), so a Dockerfile with thousands of ENV lines stays small.
"""

from __future__ import annotations

import posixpath
import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import field, replace

from pinbox.dockerfile.model import Dockerfile, Instruction
from pinbox.dockerfile.variables import Variables
from pinbox.record import dataclass
from pinbox.redact import is_secret_name, remember

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class _Unknown(Exception):
    """A variable without a known value (and no default)."""


def _replace(text: str, values: Mapping[str, str | None], strict: bool) -> str:
    def repl(match: re.Match[str]) -> str:
        value = values.get(match.group(1) or match.group(4))
        op, word = match.group(2), match.group(3) or ""
        if op is None:
            if value is None and strict:
                raise _Unknown
            return value or ""
        if op == "-" and value:
            return value
        if op == "+" and not value:
            return ""
        if strict and "$" in word:
            raise _Unknown  # a variable inside a default is not read
        return word

    return _VAR.sub(repl, text)


def substitute(text: str, values: Mapping[str, str | None]) -> str:
    """Expand `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` as Dockerfiles do (unknown: empty)."""
    return _replace(text, values, strict=False)


def expand(text: str, variables: Mapping[str, str | None]) -> str | None:
    """`text` with its variables replaced, or None when one without a default is not known."""
    try:
        return _replace(text, variables, strict=True)
    except _Unknown:
        return None


def unquote(value: str) -> str:
    """A Dockerfile word without its surrounding quotes."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def assignments(ins: Instruction) -> list[tuple[str, str | None]]:
    """(name, value) of an ENV or ARG instruction; None for an ARG without default."""
    if ins.cmd == "ENV":
        return [(ins.value[i], unquote(ins.value[i + 1])) for i in range(0, len(ins.value) - 1, 2)]
    if ins.cmd == "ARG":
        return [(k, unquote(v) if sep else None) for k, sep, v in (w.partition("=") for w in ins.value)]
    return []


@dataclass(frozen=True, eq=False)
class State:
    """What a RUN at this point sees (the base image's own ENV is not known)."""

    args: Variables = field(default_factory=Variables)
    env: Variables = field(default_factory=Variables)
    user: str = "root"
    workdir: str | None = "/"  # None when it depends on a value pinbox cannot know

    @property
    def variables(self) -> dict[str, str]:
        """Build arguments and environment as a RUN's process receives them (ENV wins)."""
        return self.args.as_dict() | self.env.as_dict()

    @property
    def home(self) -> str | None:
        """$HOME of the user: /root, /home/NAME, or None for an unknown numeric uid."""
        if home := self.env.get("HOME"):
            return home
        if self.user in ("root", "0"):
            return "/root"
        return None if self.user.isdigit() or "$" in self.user else f"/home/{self.user}"


@dataclass(eq=False)
class _Stage:
    """One stage's walk: the state so far, and its variables as dicts to look names up in."""

    state: State
    defaults: dict[str, str | None]
    args: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def apply(self, ins: Instruction) -> None:
        state = self.state
        known = ChainMap(self.env, self.args)  # the values before this instruction; ENV wins
        if ins.cmd == "ENV":
            env = {name: substitute(value or "", known) for name, value in assignments(ins)}
            self.env.update(env)
            self.state = replace(state, env=state.env.then(env))
        elif ins.cmd == "ARG":
            args: dict[str, str] = {}
            for name, value in assignments(ins):
                if (found := value if value is not None else self.defaults.get(name)) is not None:
                    args[name] = found
            self.args.update(args)
            self.state = replace(state, args=state.args.then(args))
        elif ins.cmd == "USER" and ins.value:
            self.state = replace(state, user=unquote(ins.value[0]).split(":")[0])
        elif ins.cmd == "WORKDIR" and ins.value:
            path = expand(unquote(ins.value[0]), known)
            if path is None or (state.workdir is None and not path.startswith("/")):
                self.state = replace(state, workdir=None)
            else:
                workdir = posixpath.normpath(posixpath.join(state.workdir or "/", path))
                self.state = replace(state, workdir=workdir)


def states(model: Dockerfile) -> dict[Instruction, State]:
    """The state before each instruction of every stage (FROM lines included)."""
    defaults = dict(model.global_args)
    out: dict[Instruction, State] = {}
    ends: dict[int, State] = {}
    for stage in model.stages:
        parent = model.stage_named(stage.base_resolved)
        inherited = ends.get(parent.index) if parent is not None and parent.index < stage.index else None
        state = replace(inherited, args=Variables()) if inherited else State()
        walk = _Stage(state, defaults, env=state.env.as_dict())
        for ins in stage.instructions:
            out[ins] = walk.state
            walk.apply(ins)
        ends[stage.index] = walk.state
    return out


def remember_secrets(model: Dockerfile) -> None:
    """Literal values of secret-named ARG and ENV (`ARG HF_TOKEN=hf_...`): masked in every output
    from now on, wherever a build or a finding shows them."""
    for ins in model.instructions:
        for name, value in assignments(ins):
            if value and is_secret_name(name):
                remember(value)
