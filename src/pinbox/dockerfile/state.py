"""The build state before each instruction: build arguments, environment, user and working folder.

Computed in one pass over the stages. A stage built `FROM` an earlier one starts from that
stage's environment, user and folder; build arguments do not cross stages (an `ARG NAME` without
a value takes the global `ARG` default, as Docker does).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from pinbox.dockerfile.model import Dockerfile, Instruction
from pinbox.dockerfile.parse import substitute

_NAMES = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


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


@dataclass(frozen=True)
class State:
    """What a RUN at this point sees (the base image's own ENV is not known)."""

    args: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    user: str = "root"
    workdir: str | None = "/"  # None when it depends on a value pinbox cannot know

    @property
    def variables(self) -> dict[str, str]:
        """Build arguments and environment as a RUN's process receives them (ENV wins)."""
        return self.args | self.env

    @property
    def home(self) -> str | None:
        """$HOME of the user: /root, /home/NAME, or None for an unknown numeric uid."""
        if self.env.get("HOME"):
            return self.env["HOME"]
        if self.user in ("root", "0"):
            return "/root"
        return None if self.user.isdigit() or "$" in self.user else f"/home/{self.user}"


def _apply(state: State, ins: Instruction, defaults: dict[str, str | None]) -> State:
    if ins.cmd in ("ENV", "ARG"):
        args, env = dict(state.args), dict(state.env)
        for name, value in assignments(ins):
            if ins.cmd == "ENV":
                env[name] = substitute(value or "", state.variables)
            elif (known := value if value is not None else defaults.get(name)) is not None:
                args[name] = known
        return replace(state, args=args, env=env)
    if ins.cmd == "USER" and ins.value:
        return replace(state, user=unquote(ins.value[0]).split(":")[0])
    if ins.cmd == "WORKDIR" and ins.value:
        path = expand(unquote(ins.value[0]), state.variables)
        if path is None or (state.workdir is None and not path.startswith("/")):
            return replace(state, workdir=None)
        return replace(state, workdir=posixpath.normpath(posixpath.join(state.workdir or "/", path)))
    return state


def expand(text: str, variables: dict[str, str]) -> str | None:
    """`text` with its `$VAR`s replaced, or None when one of them is not known."""
    if "$" not in text:
        return text
    if any(name not in variables for name in _NAMES.findall(text)):
        return None
    return substitute(text, dict(variables))


def states(model: Dockerfile) -> dict[Instruction, State]:
    """The state before each instruction of every stage (FROM lines included)."""
    defaults = dict(model.global_args)
    out: dict[Instruction, State] = {}
    ends: dict[int, State] = {}
    for stage in model.stages:
        parent = model.stage_named(stage.base_resolved)
        inherited = ends.get(parent.index) if parent is not None and parent.index < stage.index else None
        state = replace(inherited, args={}) if inherited else State()
        for ins in stage.instructions:
            out[ins] = state
            state = _apply(state, ins, defaults)
        ends[stage.index] = state
    return out


def remember_secrets(model: Dockerfile) -> None:
    """Literal values of secret-named ARG and ENV (`ARG HF_TOKEN=hf_...`): masked in every output
    from now on, wherever a build or a finding shows them."""
    from pinbox.redact import is_secret_name, remember

    for ins in model.instructions:
        for name, value in assignments(ins):
            if value and is_secret_name(name):
                remember(value)
