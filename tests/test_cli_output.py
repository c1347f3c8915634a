"""Colour and terminal output: --color, NO_COLOR/FORCE_COLOR, source frames on a terminal, colour
that never runs into hint lines, did-you-mean for rule names, and shell completion."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pinbox.cli.options import complete_rules
from pinbox.ui import wants_color

Run = Callable[..., tuple[int, str, str]]
ESC = "\x1b["
DOCKERFILE = "FROM python:3.11-slim\nUSER app\nRUN pip install \\\n\tflask==3.0.3 -r requirements.txt\n"


@pytest.mark.parametrize(
    ("choice", "env", "tty", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_color_choice(
    monkeypatch: pytest.MonkeyPatch, choice: str, env: dict[str, str], tty: bool, expected: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert wants_color(Stream(), choice) is expected  # type: ignore[arg-type]


def test_color_flag_on_every_command_and_hints_stay_plain(tmp_path: Path, run_pinbox: Run) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    code, out, _ = run_pinbox("check", "--color", "always", "--select", "PB203", tmp_path)
    assert code == 1 and f"{ESC}1;31mPB203{ESC}0m" in out
    _, plain, _ = run_pinbox("--color", "never", "check", "--select", "PB203", tmp_path)
    assert ESC not in plain
    code, _, err = run_pinbox("rule", "--color", "always", "pip-cach")
    first, hint = err.splitlines()
    assert code == 2 and first.startswith(f"{ESC}") and first.endswith(f"{ESC}0m")
    assert hint == "hint: did you mean 'pip-cache-in-image'?"


def test_terminal_output_shows_the_source_line_and_a_caret(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pinbox", "check", "--select", "PB203"],
        cwd=tmp_path,
        stdin=follower,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    data = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    proc.wait(timeout=30)
    os.close(leader)
    lines = data.decode().replace("\r\n", "\n").splitlines()
    assert lines[:4] == [
        "Dockerfile:3:9: PB203 pip-cache-in-image pip writes its download cache into the image layer; "
        "add `--no-cache-dir` or mount a build cache on the cache folder [*]",
        "  |",
        "3 | RUN pip install \\",
        "  |         ^",
    ]


def test_config_selectors_name_the_file_and_suggest(tmp_path: Path, run_pinbox: Run) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pinbox.check.per-file-ignores]\n"Dockerfile" = ["pip-cache-in-imge"]\n'
    )
    code, _, err = run_pinbox("check", tmp_path)
    assert code == 2
    # named as config.py names the keys it rejects (`[tool.pinbox] check.select must be ...`)
    assert "pyproject.toml: [tool.pinbox] check.per-file-ignores.Dockerfile: no rule matches" in err
    assert "did you mean 'pip-cache-in-image'?" in err
    (tmp_path / "pyproject.toml").write_text('[tool.pinbox.check]\nselect = ["PB2O3"]\n')
    code, _, err = run_pinbox("check", tmp_path)
    assert code == 2 and "pyproject.toml: [tool.pinbox] check.select: no rule matches 'PB2O3'" in err
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "pinbox.toml").write_text('[check]\nselect = ["PB2O3"]\n')
    code, _, err = run_pinbox("check", tmp_path)
    assert code == 2 and "pinbox.toml: check.select: no rule matches 'PB2O3'" in err and "'PB203'" in err


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(run_pinbox: Run, shell: str) -> None:
    code, out, _ = run_pinbox("completion", shell)
    assert code == 0 and "_PINBOX_COMPLETE" in out


def test_rule_names_complete() -> None:
    assert "pip-cache-in-image" in complete_rules(None, None, "pip-c")  # type: ignore[arg-type]
    assert complete_rules(None, None, "PB20,pip-cache") == ["PB20,pip-cache-in-image"]  # type: ignore[arg-type]


def test_completion_runs_through_click(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "_PINBOX_COMPLETE": "bash_complete",
        "COMP_WORDS": "pinbox rule pip-ca",
        "COMP_CWORD": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pinbox"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "pip-cache-in-image" in done.stdout


def _probe(code: str, path: Path) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with `path` as its argument."""
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    """`pinbox check` does not import the other commands (start-up time), yet every command is
    listed in the help and runs."""
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    probe = (
        "import sys; from pinbox.cli import main; code = main(['check', '-q', '--exit-zero', sys.argv[1]]);"
        "print(code, sorted(m for m in sys.modules if m.startswith('pinbox.cli.')))"
    )
    done = _probe(probe, tmp_path / "Dockerfile")
    assert done.stdout.strip().splitlines()[-1] == "0 ['pinbox.cli.check', 'pinbox.cli.options']"
    listed = subprocess.run(
        [sys.executable, "-m", "pinbox", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("lock", "check", "rule", "init", "build", "completion"):
        assert f"\n  {command} " in listed, command
    assert (
        subprocess.run([sys.executable, "-m", "pinbox", "rule", "PB101"], capture_output=True).returncode == 0
    )


def test_the_collector_is_off_while_loading_and_on_while_a_command_runs(tmp_path: Path) -> None:
    """Start-up holds the cycle collector off (its objects live until exit); the command itself
    runs with it on, so a long `lock` or `build` cannot pile up cycles."""
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    probe = (
        "import gc, sys\n"
        "import pinbox.commands.check as check\n"
        "real = check.run\n"
        "def spy(*a, **k):\n"
        "    print('collector on while running:', gc.isenabled())\n"
        "    return real(*a, **k)\n"
        "check.run = spy\n"
        "from pinbox.entry import main\n"
        "sys.argv = ['pinbox', 'check', '-q', '--exit-zero', sys.argv[1]]\n"
        "code = main()\n"
        "print('frozen at exit:', gc.get_freeze_count() > 0, code)\n"
    )
    done = _probe(probe, tmp_path / "Dockerfile")
    said = [line for line in done.stdout.splitlines() if line.startswith(("collector", "frozen"))]
    assert said == ["collector on while running: True", "frozen at exit: True 0"]
