"""The command a generated image runs: `--cmd`, else the existing Dockerfile's ENTRYPOINT/CMD,
else what the project's files say (a FastAPI or Flask app, a Streamlit app, a script, a
`[project.scripts]` entry, notebooks). Ports come from the program (pinbox.programs)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from pinbox import programs
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.generate.existing import Existing
from pinbox.record import dataclass
from pinbox.structured import load_toml

_FASTAPI = re.compile(r"^(\w+)\s*=\s*FastAPI\(", re.M)
_FLASK = re.compile(r"^(\w+)\s*=\s*Flask\(", re.M)
_STREAMLIT = re.compile(r"^\s*(?:import streamlit\b|from streamlit\b)", re.M)
STREAMLIT_FILES = ("streamlit_app.py", "app.py", "main.py", "Home.py", "dashboard.py")
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Entry:
    argv: tuple[str, ...]  # CMD (after the ENTRYPOINT, when there is one)
    source: str  # what decided it, for messages
    port: int | None = None
    entrypoint: tuple[str, ...] = ()

    @property
    def runs(self) -> tuple[str, ...]:
        """The whole command line the container starts with."""
        return (*self.entrypoint, *self.argv)


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
        return Entry(argv, f"FastAPI app in {path.name}", DEFAULT_PORT)
    flask = _FLASK.search(text)
    if flask:
        argv = ("gunicorn", "--bind", f"0.0.0.0:{DEFAULT_PORT}", f"{module}:{flask.group(1)}")
        return Entry(argv, f"Flask app in {path.name}", DEFAULT_PORT)
    return None


def _streamlit(project: Path) -> Entry | None:
    for name in STREAMLIT_FILES:
        if _STREAMLIT.search(_read(project / name)):
            argv = ("streamlit", "run", name, "--server.address=0.0.0.0")
            return Entry(argv, f"Streamlit app in {name}", programs.port(argv))
    return None


def _notebooks(project: Path) -> Entry | None:
    if not any(project.glob("*.ipynb")):
        return None
    argv = ("jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser")
    return Entry(argv, "notebooks (*.ipynb) and no script", programs.port(argv))


def _kept(existing: Existing) -> Entry | None:
    if existing.argv is None:
        return None
    cmd, entrypoint = existing.cmd or (), existing.entrypoint or ()
    port = programs.port(existing.argv)
    return Entry(cmd, f"{existing.path.name}'s {'ENTRYPOINT' if entrypoint else 'CMD'}", port, entrypoint)


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


def find_entry(project: Path, cmd: str | None, existing: Existing | None = None) -> Entry:
    """--cmd, else the existing Dockerfile's, else a web app (FastAPI/Flask), a Streamlit app,
    train.py, app.py, main.py, a project script, notebooks."""
    if cmd:
        try:
            argv = tuple(shlex.split(cmd))
        except ValueError as exc:
            raise PinboxError(f"--cmd: {exc}") from None
        return Entry(argv, "--cmd", programs.port(argv))
    kept = _kept(existing) if existing else None
    if kept:
        return kept
    for name in ("app.py", "main.py", "api.py", "serve.py"):
        web = _web_app(project / name)
        if web:
            return web
    found = _streamlit(project)
    if found:
        return found
    for name in ("train.py", "app.py", "main.py"):
        if (project / name).is_file():
            return Entry(("python", name), name)
    found = _project_script(project) or _notebooks(project)
    if found:
        return found
    raise PinboxError(
        f"cannot tell what the image should run in {project}",
        hint='pass --cmd "python your_script.py" (no CMD in a Dockerfile, no train.py, app.py, main.py, '
        "Streamlit or web app, [project.scripts] or notebook found)",
    )
