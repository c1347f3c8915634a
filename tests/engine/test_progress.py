"""BuildKit's plain progress, parsed into steps."""

from __future__ import annotations

from pinbox.engine.build import stage_ref
from pinbox.engine.progress import BuildLog

PLAIN = """\
#1 [internal] load build definition from Dockerfile
#1 sha256:aaaa
#1 DONE 0.0s
#4 [builder 2/6] RUN pip install -r req.txt
#4 sha256:bbbb
#4 0.800 Collecting six
#4 1.100 Installing collected packages: six
#4 DONE 1.2s
#5 [stage-1 2/3] COPY --from=builder /opt/layers/1/ /opt/venv/
#5 CACHED
#6 [stage-1 3/3] RUN false
#6 0.101 boom
#6 ERROR: executor failed running [/bin/sh -c false]: exit code: 1
"""


def test_steps_cached_done_and_failed() -> None:
    log = BuildLog()
    finished = [s.name for line in PLAIN.splitlines() if (s := log.feed(line))]
    assert finished == [
        "[internal] load build definition from Dockerfile",
        "[builder 2/6] RUN pip install -r req.txt",
        "[stage-1 2/3] COPY --from=builder /opt/layers/1/ /opt/venv/",
        "[stage-1 3/3] RUN false",
    ]
    assert [s.name for s in log.user_steps if s.cached] == [
        "[stage-1 2/3] COPY --from=builder /opt/layers/1/ /opt/venv/"
    ]
    run = log.steps[4]
    assert (run.seconds, run.output) == (1.2, ["Collecting six", "Installing collected packages: six"])
    failed = log.failed
    assert failed is not None and failed.output == ["boom"] and "exit code: 1" in str(failed.error)


def test_stage_cache_refs() -> None:
    assert stage_ref("127.0.0.1:5000/app:cache", "builder") == "127.0.0.1:5000/app:cache-builder"
    assert stage_ref("127.0.0.1:5000/app", "builder") == "127.0.0.1:5000/app:builder"


def test_steps_are_said_in_dockerfile_order_with_the_export_last() -> None:
    """BuildKit finishes the final stage's FROM before the builder's steps: said after them."""
    from pinbox.engine.steps import Ordered

    said: list[str] = []
    log = BuildLog()
    order = Ordered(["builder", "stage-1"], said.append, log)
    lines = [
        "#2 [builder 1/3] FROM docker.io/library/python:3.11-slim",
        "#3 [stage-1 1/2] FROM docker.io/library/python:3.11-slim",
        "#3 CACHED",
        "#2 CACHED",
        "#4 [builder 2/3] RUN uv pip install -r a.txt",
        "#5 [builder 3/3] RUN uv pip install -r b.txt",
        "#5 DONE 2.0s",
        "#4 DONE 9.5s",
        "#6 [stage-1 2/2] COPY --from=builder /opt/layers/1/ /opt/venv/",
        "#6 DONE 0.4s",
        "#7 exporting to image",
        "#7 DONE 1.3s",
    ]
    for line in lines:
        step = log.feed(line)
        if step is not None:
            order.finished(step)
    order.flush()
    assert [s.split("  ")[-1] for s in said] == [
        "[builder 1/3] FROM docker.io/library/python:3.11-slim",
        "[builder 2/3] RUN uv pip install -r a.txt",
        "[builder 3/3] RUN uv pip install -r b.txt",
        "[stage-1 1/2] FROM docker.io/library/python:3.11-slim",
        "[stage-1 2/2] COPY --from=builder /opt/layers/1/ /opt/venv/",
        "exporting to image",
    ]
    assert said[1].split()[0] == "9.5s" and said[0].split()[0] == "cached"


def test_a_quiet_minute_says_what_still_runs() -> None:
    from pinbox.engine import steps

    said: list[str] = []
    log = BuildLog()
    order = steps.Ordered([""], said.append, log)
    log.feed("#4 [2/3] RUN python train.py")
    order.tick()
    assert said == []  # not quiet for long yet
    order._last -= steps.QUIET + 1
    log.steps[4].started -= 75
    order.tick()
    assert said == ["       ...  [2/3] RUN python train.py (running 75s)"]
