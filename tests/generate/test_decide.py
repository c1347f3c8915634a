"""init's choices: installer by Python, the program the image runs must be in it, ports, compose
GPU reservations, and packages the old Dockerfile installed by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.generate import decide
from pinbox.generate.entry import Entry
from pinbox.generate.existing import Extra, read_existing
from pinbox.lock.read import LockedBlock
from pinbox.target import Platform, Target

LOCK = Path("requirements.lock")
INPUT = Path("requirements.txt")


def target(python: str) -> Target:
    return Target(python, (Platform("x86_64"),), "flags")


@pytest.mark.parametrize(
    ("choice", "python", "chosen", "said"),
    [
        (None, "3.11", "uv", False),
        (None, "3.7", "pip", True),
        (None, "3.6", "pip", True),
        ("pip", "3.12", "pip", False),
    ],
)
def test_installer(choice: str | None, python: str, chosen: str, said: bool) -> None:
    installer, why = decide.installer(choice, target(python))
    assert installer == chosen and (why is not None) == said
    if why:
        assert f"the image's Python is {python}" in why


def test_uv_asked_for_an_old_python_is_an_error() -> None:
    with pytest.raises(PinboxError) as caught:
        decide.installer("uv", target("3.6"))
    assert "3.8" in caught.value.message and "--installer pip" in str(caught.value.hint)


def block(name: str, scripts: tuple[str, ...] = ()) -> LockedBlock:
    return LockedBlock(name, "1.0", f"{name}==1.0\n", None, (), scripts)


def test_a_program_no_locked_package_provides_stops_init_with_the_line_to_add() -> None:
    entry = Entry(("streamlit", "run", "x.py"), "Dockerfile's CMD")
    with pytest.raises(PinboxError) as caught:
        decide.require_program(entry, [block("pandas")], True, "python:3.11-slim", LOCK, INPUT)
    assert "`streamlit` (Dockerfile's CMD)" in caught.value.message
    assert str(caught.value.hint).endswith(
        "add this line to requirements.txt and run `pinbox init` again:\n    streamlit"
    )


@pytest.mark.parametrize(
    ("argv", "blocks"),
    [
        (("jupyter", "lab"), [block("jupyter-core", ("jupyter", "jupyter-migrate"))]),  # a console script
        (("uvicorn", "app:app"), [block("uvicorn")]),  # the distribution of that name
        (("bash", "-lc", "x"), []),  # the base image's
        (("python", "train.py"), []),
        (("./entrypoint.sh",), []),
    ],
)
def test_programs_the_image_has(argv: tuple[str, ...], blocks: list[LockedBlock]) -> None:
    assert decide.require_program(Entry(argv, "x"), blocks, True, "python:3.11-slim", LOCK, INPUT) is None


def test_a_lock_without_recorded_scripts_warns_instead() -> None:
    said = decide.require_program(Entry(("uvicorn",), "x"), [], False, "python:3.11-slim", LOCK, INPUT)
    assert said is not None and "does not record console scripts" in said


def test_ports_keep_the_old_ones_and_add_the_entry_s(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\nEXPOSE 8080\n")
    existing = read_existing(tmp_path / "Dockerfile")
    assert decide.ports(existing, Entry(("x",), "x", 8501)) == [8080, 8501]
    assert decide.ports(existing, Entry(("x",), "x", 8080)) == [8080]
    assert decide.ports(None, Entry(("x",), "x")) == []


def test_compose_gpu(tmp_path: Path) -> None:
    assert decide.compose_gpu(tmp_path) is None
    (tmp_path / "docker-compose.yml").write_text("services:\n  train:\n    build: .\n    gpus: all\n")
    assert decide.compose_gpu(tmp_path) == "docker-compose.yml's service `train` reserves a GPU"
    (tmp_path / "docker-compose.yml").write_text("services: [\n")  # unreadable: not a reason
    assert decide.compose_gpu(tmp_path) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_extras_go_into_the_input_in_its_line_endings(newline: str, final: bool) -> None:
    text = f"flask==3.0.3{newline}# a comment{newline if final else ''}"
    extras = [Extra("scikit-learn", "scikit-learn", 5), Extra("pandas<2", "pandas", 5)]
    new = decide.with_extras(text, extras, "Dockerfile")
    assert new.startswith(f"flask==3.0.3{newline}# a comment{newline}")
    assert new.endswith(f"{newline}scikit-learn{newline}pandas<2{newline}")
    assert "\n" not in new.replace("\r\n", "") if newline == "\r\n" else "\r" not in new
    assert decide.missing_extras(None, ()) == []
