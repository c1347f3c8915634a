"""Ctrl-C exits 130 and SIGTERM 143 at any moment once pinbox's code runs (the interpreter's own
start-up, ~15 ms here, is before any program can install a handler): no traceback, no temporary
folder left behind, no uv still running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PINBOX = str(Path(sys.executable).parent / "pinbox")
DELAYS = (0.03, 0.06, 0.12, 0.25, 0.5, 0.9)


def uv_running_in(folder: Path) -> list[int]:
    """uv processes whose working folder is `folder` (pinbox runs uv there)."""
    found = []
    for pid in (p.name for p in Path("/proc").iterdir() if p.name.isdigit()):
        try:
            if (
                Path(f"/proc/{pid}/cwd").resolve() == folder.resolve()
                and "uv" in Path(f"/proc/{pid}/comm").read_text()
            ):
                found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.mark.network
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("delay", DELAYS)
def test_a_signal_during_lock_cleans_up(tmp_path: Path, sig: signal.Signals, delay: float) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("pandas==2.2.2\nscikit-learn==1.5.0\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(temp),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),  # cold: uv is still working when the signal lands
        "PINBOX_CACHE_DIR": str(tmp_path / "pinbox-cache"),
        "UV_NO_CONFIG": "1",
    }
    proc = subprocess.Popen(
        [PINBOX, "lock", "--python", "3.11", "--platform", "linux/amd64", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    expected = 130 if sig == signal.SIGINT else 143
    finished = "Locked " in err  # the work was done: a signal now meets the interpreter's own exit
    assert proc.returncode == expected or (finished and proc.returncode in (0, -sig)), err
    lock = project / "requirements.lock"
    if lock.exists():  # written before the signal landed: then it is whole (writes are atomic)
        text = lock.read_text()
        assert "pandas==2.2.2" in text and "scikit-learn==1.5.0" in text and "--hash=sha256:" in text
    assert not list(project.glob(".requirements.lock.*"))  # no half-written temporary file
    assert "Traceback" not in err
    assert list(temp.iterdir()) == []
    time.sleep(0.2)
    assert uv_running_in(project) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("delay", DELAYS[:4])
def test_a_signal_during_check_exits_cleanly(tmp_path: Path, sig: signal.Signals, delay: float) -> None:
    runs = "".join(f"RUN pip install --no-cache-dir x{i}\n" for i in range(3000))
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.11-slim\nUSER app\n{runs}")
    proc = subprocess.Popen(
        [PINBOX, "check", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(delay)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    expected = 130 if sig == signal.SIGINT else 143
    finished = "Found " in out  # the check was done before the signal landed
    assert proc.returncode == expected or (finished and proc.returncode in (1, -sig)), err
    assert "Traceback" not in err


def test_signals_are_held_while_c_code_runs_and_delivered_after() -> None:
    """BuildKit's parser crashed (SIGSEGV) when a handler raised inside it: it runs with SIGINT
    and SIGTERM held, and the interrupt arrives as soon as it returns."""

    import threading

    from pinbox.signals import held

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)  # a process-directed signal may go here
    other.start()
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # a handler would have raised here
            reached.append("end of the held block")
        reached.append("after it")  # the interrupt lands before this line
    stop.set()
    assert reached == ["end of the held block"]


def test_the_sigterm_handler_needs_no_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM 30 ms after start landed while `pinbox.errors` was being imported, and the handler's
    own import of it failed with a traceback: the handler holds its exception from the start."""
    import sys

    from pinbox import entry
    from pinbox.errors import Terminated

    monkeypatch.setitem(sys.modules, "pinbox.errors", None)  # importing it now fails
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    with pytest.raises(Terminated):
        entry._terminate(signal.SIGTERM, None)
