"""Parse BuildKit's plain progress output (`--progress=plain`) into steps, line by line."""

from __future__ import annotations

import re
import time
from dataclasses import field

from pinbox.record import dataclass

_LINE = re.compile(r"^#(\d+) (.*)$")
_DONE = re.compile(r"^DONE (\d+(?:\.\d+)?)s$")
_NAME = re.compile(r"^\[[^\]]+\] ")


@dataclass
class Step:
    number: int
    name: str
    cached: bool = False
    done: bool = False
    error: str | None = None
    seconds: float | None = None
    output: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def internal(self) -> bool:
        return self.name.startswith("[internal]") or not _NAME.match(self.name)


@dataclass
class BuildLog:
    """Steps in the order BuildKit announced them; feed() returns the step a line finished."""

    steps: dict[int, Step] = field(default_factory=dict)
    tail: list[str] = field(default_factory=list)  # every line, the last ones kept for errors

    def feed(self, line: str) -> Step | None:
        line = line.rstrip("\n")
        self.tail = [*self.tail[-199:], line]
        match = _LINE.match(line)
        if not match:
            return None
        number, rest = int(match.group(1)), match.group(2)
        step = self.steps.get(number)
        if step is None:
            self.steps[number] = Step(number, rest)
            return None
        if rest == "CACHED":
            step.cached = step.done = True
            return step
        done = _DONE.match(rest)
        if done:
            step.done, step.seconds = True, float(done.group(1))
            return step
        if rest.startswith("ERROR"):
            step.error = rest.removeprefix("ERROR:").strip() or "failed"
            step.done = True
            return step
        if not rest.startswith("sha256:"):
            step.output.append(re.sub(r"^\d+\.\d+ ", "", rest))
        return None

    @property
    def user_steps(self) -> list[Step]:
        return [s for s in self.steps.values() if not s.internal]

    @property
    def running(self) -> list[Step]:
        return [s for s in list(self.steps.values()) if not s.done and not s.internal]

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps.values() if s.error), None)
