"""Plain values for a parsed Dockerfile: instructions grouped into build stages."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox.record import Record, dataclass

if TYPE_CHECKING:
    from pinbox.dockerfile.state import State


class Instruction(Record):
    """One instruction as BuildKit's parser sees it (continuations joined, heredocs attached)."""

    cmd: str  # upper-case: FROM, RUN, COPY, ...
    flags: tuple[str, ...]  # --mount=..., --from=..., --platform=...
    value: tuple[str, ...]  # arguments after the flags
    original: str
    line: int  # 1-based first line
    end_line: int
    json: bool = False
    heredocs: tuple[str, ...] = ()
    sub: str | None = None  # the instruction an ONBUILD runs (upper-case), e.g. RUN

    @property
    def runs(self) -> bool:
        """A RUN, or an ONBUILD RUN (checked like a RUN: it runs in every image built on this one)."""
        return self.cmd == "RUN" or self.sub == "RUN"

    def flag(self, name: str) -> str | None:
        """The value of `--name=value`, or None."""
        prefix = f"--{name}="
        return next((f[len(prefix) :] for f in self.flags if f.startswith(prefix)), None)


@dataclass(frozen=True, eq=False)
class Stage:
    """A build stage: its FROM and the instructions until the next FROM."""

    index: int
    base: str  # the image reference as written (ARGs not substituted)
    base_resolved: str  # with global ARG defaults substituted
    name: str | None
    platform: str | None  # --platform, substituted
    from_line: int
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True, eq=False)
class Dockerfile:
    """A parsed Dockerfile: its instructions, global ARGs and stages, and the text they came from."""

    path: Path
    text: str
    instructions: tuple[Instruction, ...]
    global_args: tuple[tuple[str, str | None], ...]
    stages: tuple[Stage, ...]
    escape: str = "\\"  # the `# escape=` directive: `\\` or a backtick

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    @cached_property
    def _names(self) -> dict[str, Stage]:
        named: dict[str, Stage] = {}
        for stage in self.stages:
            named.setdefault((stage.name or "").lower(), stage)
        return named

    @cached_property
    def stage_index(self) -> dict[Instruction, int]:
        """The index of each instruction's stage (global ARGs have none)."""
        return {ins: stage.index for stage in self.stages for ins in stage.instructions}

    @cached_property
    def context_copies(self) -> dict[int, tuple[Instruction, ...]]:
        """By stage index: the COPY/ADD from the build context in the stage and the stages it is
        built FROM, in file order (see dockerfile.copies)."""
        from pinbox.dockerfile.copies import context_copies

        return context_copies(self)

    @cached_property
    def order(self) -> dict[Instruction, int]:
        """Each instruction's index in the file."""
        return {ins: i for i, ins in enumerate(self.instructions)}

    @cached_property
    def states(self) -> dict[Instruction, State]:
        """The build state before each instruction (see dockerfile.state)."""
        from pinbox.dockerfile.state import states

        return states(self)

    def state(self, ins: Instruction) -> State:
        from pinbox.dockerfile.state import State

        return self.states.get(ins) or State()

    def stage_named(self, name: str) -> Stage | None:
        return self._names.get(name.lower()) if name else None

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage and the earlier stages it is built `FROM`, oldest first."""
        chain = [stage]
        while (parent := self.stage_named(chain[0].base_resolved)) and parent.index < chain[0].index:
            chain.insert(0, parent)
        return chain

    def stage_of(self, ins: Instruction) -> Stage | None:
        """The stage an instruction belongs to (None for a global ARG)."""
        index = self.stage_index.get(ins)
        return None if index is None else self.stages[index]

    def root_base(self, stage: Stage) -> tuple[str, Stage]:
        """Follow `FROM <earlier stage>` links down to an external image reference."""
        root = self.lineage(stage)[0]
        return root.base_resolved, root
