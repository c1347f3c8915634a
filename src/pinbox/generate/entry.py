"""The command a generated image runs: `--cmd`, else what the project's files say."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.structured import load_toml

_FASTAPI = re.compile(r"^(\w+)\s*=\s*FastAPI\(", re.M)
_FLASK = re.compile(r"^(\w+)\s*=\s*Flask\(", re.M)
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Entry:
    argv: tuple[str, ...]
    source: str  # what decided it, for messages
    port: int | None = None
    needs: tuple[str, ...] = ()  # distributions the command runs (must be in the lock)


def _read(path: Path) -> str:
    """A project file's text, or "" when it is missing or cannot be read (the path policy holds)."""
    try:
        return read_text(path, what="file")
    except PinboxError:
        return ""


def _web_app(path: Path) -> Entry | None:
    text = _read(path)
    module = path.stem
    fastapi = _FASTAPI.search(text)
    if fastapi:
        argv: tuple[str, ...] = (
            "uvicorn",
            f"{module}:{fastapi.group(1)}",
            "--host",
            "0.0.0.0",
            "--port",
            str(DEFAULT_PORT),
        )
        return Entry(argv, f"FastAPI app in {path.name}", DEFAULT_PORT, ("uvicorn",))
    flask = _FLASK.search(text)
    if flask:
        argv = ("gunicorn", "--bind", f"0.0.0.0:{DEFAULT_PORT}", f"{module}:{flask.group(1)}")
        return Entry(argv, f"Flask app in {path.name}", DEFAULT_PORT, ("gunicorn",))
    return None


def _project_script(project: Path) -> Entry | None:
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        project_table = load_toml(_read(pyproject), pyproject).get("project", {})
    except PinboxError:
        return None
    scripts = project_table.get("scripts", {}) if isinstance(project_table, dict) else None
    if not isinstance(scripts, dict) or not scripts:
        return None
    name, target = next(iter(scripts.items()))
    module, _, func = str(target).partition(":")
    code = f"import sys; from {module} import {func or 'main'} as main; sys.exit(main())"
    return Entry(("python", "-c", code), f"[project.scripts] {name} in pyproject.toml")


def find_entry(project: Path, cmd: str | None) -> Entry:
    """--cmd, else a web app (FastAPI/Flask), else train.py, app.py, main.py, a project script."""
    if cmd:
        try:
            return Entry(tuple(shlex.split(cmd)), "--cmd")
        except ValueError as exc:
            raise PinboxError(f"--cmd: {exc}") from None
    for name in ("app.py", "main.py", "api.py", "serve.py"):
        web = _web_app(project / name)
        if web:
            return web
    for name in ("train.py", "app.py", "main.py"):
        if (project / name).is_file():
            return Entry(("python", name), name)
    script = _project_script(project)
    if script:
        return script
    raise PinboxError(
        f"cannot tell what the image should run in {project}",
        hint='pass --cmd "python your_script.py" (no train.py, app.py, main.py or [project.scripts] found)',
    )
