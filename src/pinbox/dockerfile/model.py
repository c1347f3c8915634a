"""Plain values for a parsed Dockerfile: instructions grouped into build stages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    """One instruction as BuildKit's parser sees it (continuations joined, heredocs attached)."""

    cmd: str  # upper-case: FROM, RUN, COPY, ...
    flags: tuple[str, ...]  # --mount=..., --from=..., --platform=...
    value: tuple[str, ...]  # arguments after the flags
    original: str
    line: int  # 1-based first line
    end_line: int
    json: bool = False
    heredocs: tuple[str, ...] = ()

    def flag(self, name: str) -> str | None:
        """The value of `--name=value`, or None."""
        prefix = f"--{name}="
        return next((f[len(prefix) :] for f in self.flags if f.startswith(prefix)), None)


@dataclass(frozen=True)
class Stage:
    """A build stage: its FROM and the instructions until the next FROM."""

    index: int
    base: str  # the image reference as written (ARGs not substituted)
    base_resolved: str  # with global ARG defaults substituted
    name: str | None
    platform: str | None  # --platform, substituted
    from_line: int
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Dockerfile:
    path: Path
    text: str
    instructions: tuple[Instruction, ...]
    global_args: tuple[tuple[str, str | None], ...]
    stages: tuple[Stage, ...]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        lowered = name.lower()
        return next((s for s in self.stages if s.name and s.name.lower() == lowered), None)

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage and the earlier stages it is built `FROM`, oldest first."""
        chain = [stage]
        while (parent := self.stage_named(chain[0].base_resolved)) and parent.index < chain[0].index:
            chain.insert(0, parent)
        return chain

    def stage_of(self, ins: Instruction) -> Stage | None:
        """The stage an instruction belongs to (None for a global ARG)."""
        return next((s for s in self.stages if ins in s.instructions), None)

    def root_base(self, stage: Stage) -> tuple[str, Stage]:
        """Follow `FROM <earlier stage>` links down to an external image reference."""
        root = self.lineage(stage)[0]
        return root.base_resolved, root
