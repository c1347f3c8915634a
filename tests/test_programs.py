"""Which program a command line runs, what a base provides, and the port a known program uses."""

from __future__ import annotations

import pytest

from pinbox import programs


@pytest.mark.parametrize(
    ("argv", "program"),
    [
        (("uvicorn", "app:app"), "uvicorn"),
        (("/bin/sh", "-c", "streamlit run demo.py"), "streamlit"),
        (("/bin/sh", "-c", "PORT=1 exec gunicorn app:app"), "gunicorn"),
        (("/bin/sh", "-c", "cd src && uvicorn app:app"), None),  # only a shell can say
        (("python", "train.py"), None),
        (("python3.11", "-m", "serve"), None),
        (("./run.sh",), None),
        (("$APP",), None),
        ((), None),
    ],
)
def test_program(argv: tuple[str, ...], program: str | None) -> None:
    assert programs.program(argv) == program


@pytest.mark.parametrize(
    ("argv", "port"),
    [
        (("streamlit", "run", "x.py"), 8501),
        (("streamlit", "run", "x.py", "--server.port=8080"), 8080),
        (("streamlit", "run", "x.py", "--server.port", "8081"), 8081),
        (("gunicorn", "-b", "0.0.0.0:9000", "app:app"), 9000),
        (("gunicorn", "--bind=0.0.0.0:9001", "app:app"), 9001),
        (("uvicorn", "app:app", "--port", "99999"), None),
        (("jupyter", "lab", "--port=8889"), 8889),
        (("celery", "-A", "tasks", "worker"), None),
        (("python", "serve.py", "--port", "7000"), None),  # a script's options are its own
    ],
)
def test_port(argv: tuple[str, ...], port: int | None) -> None:
    assert programs.port(argv) == port


def test_base_provides() -> None:
    assert programs.base_provides("python:3.11-slim", "python3.11")
    assert programs.base_provides("python:3.11-slim", "bash")
    assert not programs.base_provides("python:3.11-slim", "uvicorn")
    assert not programs.base_provides("my/own-image:1", "bash")  # not in the table: not judged


def test_every_known_program_names_a_distribution() -> None:
    from pinbox.datafiles import data_table

    for row in data_table("entry_programs")["program"]:
        found = programs.known(row["name"])
        assert found is not None and found.distribution and found.name == row["name"]
