"""What a generated image runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.generate.entry import find_entry


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "argv", "port"),
    [
        ({"train.py": "print(1)\n"}, ("python", "train.py"), None),
        ({"main.py": "print(1)\n"}, ("python", "main.py"), None),
        (
            {"app.py": "from fastapi import FastAPI\napi = FastAPI()\n"},
            ("uvicorn", "app:api", "--host", "0.0.0.0", "--port", "8000"),
            8000,
        ),
        (
            {"main.py": "from flask import Flask\napp = Flask(__name__)\n", "train.py": ""},
            ("gunicorn", "--bind", "0.0.0.0:8000", "main:app"),
            8000,
        ),
    ],
)
def test_detection(tmp_path: Path, files: dict[str, str], argv: tuple[str, ...], port: int | None) -> None:
    entry = find_entry(project(tmp_path, files), None)
    assert (entry.argv, entry.port) == (argv, port)


def test_project_script(tmp_path: Path) -> None:
    entry = find_entry(
        project(tmp_path, {"pyproject.toml": '[project.scripts]\nserve = "demo.cli:run"\n'}), None
    )
    assert entry.argv[:2] == ("python", "-c") and "from demo.cli import run" in entry.argv[2]


def test_cmd_wins_and_is_split_like_a_shell(tmp_path: Path) -> None:
    entry = find_entry(project(tmp_path, {"train.py": ""}), 'python serve.py --name "a b"')
    assert entry.argv == ("python", "serve.py", "--name", "a b") and entry.source == "--cmd"


def test_nothing_to_run_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(PinboxError) as caught:
        find_entry(tmp_path, None)
    assert "--cmd" in str(caught.value.hint)


@pytest.mark.parametrize(
    ("files", "argv", "port"),
    [
        (
            {"demo.py": "x = 1\n", "app.py": "import streamlit as st\nst.write(1)\n"},
            ("streamlit", "run", "app.py", "--server.address=0.0.0.0"),
            8501,
        ),
        (
            {"analysis.ipynb": "{}", "helpers.txt": ""},
            ("jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser"),
            8888,
        ),
    ],
    ids=["streamlit", "notebooks"],
)
def test_streamlit_and_notebooks(
    tmp_path: Path, files: dict[str, str], argv: tuple[str, ...], port: int
) -> None:
    entry = find_entry(project(tmp_path, files), None)
    assert (entry.argv, entry.port) == (argv, port)


def test_the_existing_dockerfile_s_command_wins_over_detection(tmp_path: Path) -> None:
    from pinbox.generate.existing import read_existing

    root = project(
        tmp_path,
        {
            "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "Dockerfile": 'FROM python:3.11\nENTRYPOINT ["gunicorn"]\n'
            'CMD ["-b", "0.0.0.0:9000", "app:app"]\n',
        },
    )
    entry = find_entry(root, None, read_existing(root / "Dockerfile"))
    assert entry.entrypoint == ("gunicorn",) and entry.argv == ("-b", "0.0.0.0:9000", "app:app")
    assert entry.port == 9000 and entry.source == "Dockerfile's ENTRYPOINT"
    assert find_entry(root, "python other.py", read_existing(root / "Dockerfile")).argv[1] == "other.py"
