"""What COPY and ADD put into an image: WORKDIR, the build state before an instruction, and the
context file behind an in-image path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinbox.dockerfile import Instruction, parse_dockerfile
from pinbox.dockerfile.copies import before, context_copies_before, copied_sources, host_path, workdir_at
from pinbox.rules import context

FROM = "FROM python:3.11-slim\n"


def behind(tmp_path: Path, text: str, name: str, files: tuple[str, ...] = ()) -> str | None:
    """The context file (relative to tmp_path) behind `name` as the last instruction reads it."""
    for file in files:
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text("x\n")
    model = parse_dockerfile(text)
    found = host_path(model, tmp_path, model.instructions[-1], name)
    return None if found is None else found.relative_to(tmp_path).as_posix()


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        (
            f"{FROM}COPY requirements/base.txt /tmp/base.txt\nRUN x\n",
            "/tmp/base.txt",
            "requirements/base.txt",
        ),
        (
            f"{FROM}COPY deps/requirements.txt /tmp/\nRUN x\n",
            "/tmp/requirements.txt",
            "deps/requirements.txt",
        ),
        (f"{FROM}WORKDIR /app\nCOPY requirements.txt .\nRUN x\n", "requirements.txt", "requirements.txt"),
        (f"{FROM}WORKDIR /app\nCOPY . .\nRUN x\n", "/app/sub/r.txt", "sub/r.txt"),
        (f"{FROM}COPY deps/ /deps/\nRUN x\n", "/deps/requirements.txt", "deps/requirements.txt"),
        (f"{FROM}COPY /requirements.txt /r/\nRUN x\n", "/r/requirements.txt", "requirements.txt"),
        (f"{FROM}RUN x\n", "requirements.txt", "requirements.txt"),  # not copied: the context's file
        (f"{FROM}RUN x\n", "./requirements.txt", "requirements.txt"),
    ],
)
def test_host_path_follows_the_copy(tmp_path: Path, text: str, name: str, expected: str) -> None:
    files = ("deps/requirements.txt", "requirements/base.txt", "requirements.txt")
    assert behind(tmp_path, text, name, files) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (f"{FROM}RUN x\n", "/tmp/base.txt"),  # an image path no COPY explains
        (f"{FROM}RUN x\n", "/etc/passwd"),
        (f"{FROM}WORKDIR /srv/app\nRUN x\n", "../requirements.txt"),  # leaves the context
        (f"{FROM}COPY --from=build /r.txt /tmp/r.txt\nRUN x\n", "/tmp/r.txt"),  # another stage's file
        (f"{FROM}RUN x\n", "$REQS"),
        (f"{FROM}COPY ../outside.txt /tmp/r.txt\nRUN x\n", "/tmp/r.txt"),
    ],
)
def test_host_path_never_leaves_the_context(tmp_path: Path, text: str, name: str) -> None:
    assert behind(tmp_path, text, name) is None


def test_workdir_and_state_follow_the_stages_a_stage_is_built_from() -> None:
    text = "FROM python:3.11 AS base\nWORKDIR /app\nWORKDIR src\nFROM base\nRUN x\nFROM python:3.11\nRUN y\n"
    model = parse_dockerfile(text)
    run_x, run_y = (i for i in model.instructions if i.cmd == "RUN")
    assert workdir_at(model, run_x) == "/app/src" and workdir_at(model, run_y) == "/"
    assert [i.cmd for i in before(model, run_x)] == ["FROM", "WORKDIR", "WORKDIR", "FROM"]
    model = parse_dockerfile(f"{FROM}WORKDIR $APP\nRUN x\n")
    assert workdir_at(model, model.instructions[-1]) is None


@pytest.mark.parametrize(
    ("lines", "workdir"),
    [
        ("WORKDIR ${Z:-/app}", "/app"),  # Docker's default for an unset variable
        ("ENV Z=/srv\nWORKDIR ${Z:-/app}", "/srv"),
        ("ARG Z=/srv\nWORKDIR $Z/x", "/srv/x"),
        ("WORKDIR /a\nWORKDIR ${Z:+/b}c", "/a/c"),
        ("WORKDIR $Z", None),
        ("WORKDIR ${Z}/x", None),
        ("WORKDIR ${Z:-$W}", None),  # a variable inside a default is not read
    ],
)
def test_workdir_expands_variables_as_docker_does(lines: str, workdir: str | None) -> None:
    model = parse_dockerfile(f"{FROM}{lines}\nRUN x\n")
    assert workdir_at(model, model.instructions[-1]) == workdir


def test_copied_sources() -> None:
    text = f"{FROM}COPY data/ /app/data\nCOPY ./models/best.pt /app/\nCOPY --from=b /x /x\n"
    text += "ADD /a.txt .\nCOPY . .\n"
    assert copied_sources(parse_dockerfile(text)) == {"data", "models/best.pt", "a.txt"}


PAIRS = 300
PAIRED = "WORKDIR /app\n" + "".join(f"COPY r{i}.txt .\nRUN pip install -r r{i}.txt\n" for i in range(PAIRS))


def test_the_copies_before_an_instruction_are_not_searched_for_again_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = parse_dockerfile(f"FROM python:3.11 AS base\nCOPY a .\n{PAIRED}FROM base\nCOPY b .\nRUN x\n")
    hashed = 0
    real = Instruction.__hash__

    def counted(ins: Instruction) -> int:
        nonlocal hashed
        hashed += 1
        return real(ins)

    monkeypatch.setattr(Instruction, "__hash__", counted)
    runs = [i for i in model.instructions if i.cmd == "RUN"]
    found = [context_copies_before(model, run) for run in runs]
    assert [len(f) for f in found] == [*range(2, PAIRS + 2), PAIRS + 2]
    assert [c.value[0] for c in found[-1][-2:]] == [f"r{PAIRS - 1}.txt", "b"]
    assert found[-1][0].value[0] == "a"
    assert hashed < 30 * PAIRS  # looking at every earlier copy again for each RUN: PAIRS * PAIRS


def test_the_files_an_install_reads_are_found_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    looked = 0
    real = context.host_path

    def counted(*args: Any) -> Path | None:
        nonlocal looked
        looked += 1
        return real(*args)

    monkeypatch.setattr(context, "host_path", counted)
    doc = context.DockerfileDoc.read(tmp_path / "Dockerfile", parse_dockerfile(FROM + PAIRED))
    for _ in range(3):
        files = [doc.requirement_files(install) for install in doc.installs]
    assert files[-1] == [(f"r{PAIRS - 1}.txt", tmp_path / f"r{PAIRS - 1}.txt")]
    assert looked == PAIRS
