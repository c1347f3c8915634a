"""The build's progress as people read it: finished steps in Dockerfile order (BuildKit runs stages
side by side and finishes them out of order), the export phase at the end, and a line at least
every `QUIET` seconds while a long step runs.

A finished step waits until every earlier step is done: steps of earlier stages of the
Dockerfile and earlier steps of its own stage (each step's name says its stage, its place and the
stage's size: `[builder 2/10]`). A stage's FROM may never show (stages on the same image share
one step), and a stage that is not needed never starts: neither holds anything back. The export
phase comes last; what is still held then is said in order before it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence

from pinbox.engine.progress import BuildLog, Step

QUIET = 60.0  # seconds without a line before saying what still runs
_STAGE = re.compile(r"^\[(?:(?P<stage>[^\]\s]+)\s+)?(?P<i>\d+)/(?P<n>\d+)\] ")  # `[builder  2/10] `


class Ordered:
    """Receives finished steps (from any thread), says them in order through `say`."""

    def __init__(self, stages: Sequence[str], say: Callable[[str], None], log: BuildLog) -> None:
        self._stages = {name: i for i, name in enumerate(stages)}
        self._say = say
        self._log = log  # every step BuildKit announced, finished or not
        self._held: dict[tuple[int, int], Step] = {}
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def _key(self, name: str) -> tuple[int, int] | None:
        found = self._parts(name)
        return found[:2] if found else None

    def _parts(self, name: str) -> tuple[int, int, int] | None:
        """(stage index, step, steps in that stage) from `[builder  2/10] RUN ...`."""
        found = _STAGE.match(name)
        if found is None:
            return None
        stage = self._stages.get(found.group("stage") or "", len(self._stages))  # unknown: last
        return stage, int(found.group("i")), int(found.group("n"))

    def finished(self, step: Step) -> None:
        with self._lock:
            key = self._key(step.name)
            if key is None:  # the export phase and BuildKit's own steps
                if step.name.startswith("exporting") and not step.error:
                    self._release(everything=True)
                    self._emit(step)
                return
            self._held[key] = step
            self._release()

    def _release(self, *, everything: bool = False) -> None:
        """Say the held steps that no earlier step still holds back: one BuildKit started and has
        not finished, or one of a stage it has started that it has not announced yet (a stage's
        FROM excepted: stages on the same image share it)."""
        announced = [p for s in list(self._log.steps.values()) if (p := self._parts(s.name))]
        done = {(stage, i) for stage, i, _ in announced} - {
            key for s in list(self._log.steps.values()) if not s.done and (key := self._key(s.name))
        }
        sizes = {stage: n for stage, _, n in announced}
        expected = {(stage, i) for stage, n in sizes.items() for i in range(2, n + 1)}
        expected |= {(stage, i) for stage, i, _ in announced}
        for key in sorted(self._held):
            if not everything and any(k < key and k not in done for k in expected):
                break
            self._emit(self._held.pop(key))

    def flush(self) -> None:
        """At the end (or on failure): what is still held, in order."""
        with self._lock:
            for key in sorted(self._held):
                self._emit(self._held.pop(key))

    def _emit(self, step: Step) -> None:
        if step.error:
            state = "error"
        elif step.cached:
            state = "cached"
        else:
            state = f"{step.seconds or 0:.1f}s"
        self._say(f"  {state:>8}  {step.name[:110]}")
        self._last = time.monotonic()

    def tick(self) -> None:
        """Say what still runs when nothing was said for `QUIET` seconds."""
        with self._lock:
            now = time.monotonic()
            running = self._log.running
            if now - self._last < QUIET or not running:
                return
            oldest = min(running, key=lambda step: step.started)
            self._say(f"  {'...':>8}  {oldest.name[:100]} (running {now - oldest.started:.0f}s)")
            self._last = now


class Heartbeat:
    """Calls `tick` every few seconds on a daemon thread while the build runs (a context manager)."""

    def __init__(self, tick: Callable[[], None], every: float = 5.0) -> None:
        self._tick, self._every = tick, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._tick()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
