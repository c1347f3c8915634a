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
