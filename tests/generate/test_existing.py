"""What init keeps of an existing Dockerfile: ENTRYPOINT/CMD, EXPOSE, WORKDIR, ENV, base, GPU
hints, and packages installed by name; each thing it cannot keep is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.generate.existing import read_existing

STREAMLIT = """\
FROM python:3.10-slim AS base
WORKDIR /srv/app
ENV MODEL_NAME=small PORT_HINT="8501 tcp"
ENV HF_TOKEN=hf_abcdefghijklmnop
ARG BUILD_ID=1
ENV BUILD=$BUILD_ID
FROM base
COPY . .
RUN pip install -r requirements.txt && pip install -U pip scikit-learn 'pandas<2' ./local-pkg
RUN conda install -y pytorch
EXPOSE 8501 9000/udp $PORT
CMD streamlit run demo.py
"""


def test_the_final_stage_and_what_it_inherits(tmp_path: Path) -> None:
    found = read_existing(_write(tmp_path, STREAMLIT))
    assert found is not None
    assert found.base == "python:3.10-slim"  # the stage it is built on, followed to its root
    assert found.cmd == ("/bin/sh", "-c", "streamlit run demo.py") and found.entrypoint is None
    assert found.workdir == "/srv/app" and found.ports == (8501,)
    assert found.env == (("MODEL_NAME", "small"), ("PORT_HINT", '"8501 tcp"'))
    assert [e.requirement for e in found.extras] == ["scikit-learn", "pandas<2"]  # not pip, not paths
    assert found.conda == ("pytorch",)
    notes = "\n".join(found.notes)
    assert "HF_TOKEN (ENV on line 4) is not kept: a secret" in notes and "hf_abc" not in notes
    assert "BUILD (ENV on line 6) is not kept: it uses the build argument $BUILD_ID" in notes
    assert "EXPOSE 9000/udp (line 11) is not kept" in notes and "EXPOSE $PORT" in notes


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_bytes(text.encode())
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_exec_form_entrypoint_and_cmd_with_crlf(tmp_path: Path, newline: str) -> None:
    text = 'FROM python:3.11\nENTRYPOINT ["python", "-m", "serve"]\nCMD ["--port", "9000"]\n'
    found = read_existing(_write(tmp_path, text.replace("\n", newline)))
    assert found is not None
    assert found.entrypoint == ("python", "-m", "serve") and found.cmd == ("--port", "9000")
    assert found.argv == ("python", "-m", "serve", "--port", "9000")


def test_old_style_env_with_spaces_is_quoted(tmp_path: Path) -> None:
    found = read_existing(_write(tmp_path, "FROM python:3.11\nENV GREETING hello world\n"))
    assert found is not None and found.env == (("GREETING", '"hello world"'),)


def test_a_relative_workdir_is_named(tmp_path: Path) -> None:
    found = read_existing(_write(tmp_path, "FROM python:3.11\nWORKDIR $HOME/app\n"))
    assert found is not None and found.workdir is None
    assert any("WORKDIR $HOME/app is not kept" in n for n in found.notes)


def test_gpu_hint_from_the_base(tmp_path: Path) -> None:
    found = read_existing(_write(tmp_path, "FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nCMD python3 x.py\n"))
    assert found is not None and found.gpu_hint is not None and "nvidia/cuda" in found.gpu_hint


@pytest.mark.parametrize("text", [None, "", "FROM\n", "# only a comment\n"])
def test_nothing_to_keep(tmp_path: Path, text: str | None) -> None:
    path = tmp_path / "Dockerfile"
    if text is not None:
        path.write_text(text)
    assert read_existing(path) is None


def test_installer_settings_stay_out_of_the_new_image(tmp_path: Path) -> None:
    """An index URL with credentials in ENV PIP_INDEX_URL is an install-time setting: not kept."""
    text = "FROM python:3.11\nENV PIP_INDEX_URL=https://u:p4ss@pypi.example/simple UV_LINK_MODE=copy APP=1\n"
    found = read_existing(_write(tmp_path, text))
    assert found is not None and found.env == (("APP", "1"),)
