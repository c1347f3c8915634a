"""The image name a project gets by default: one for `pinbox build`'s tag and `pinbox init`'s
compose file, always a valid reference."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pinbox import __version__
from pinbox.commands import build, init
from pinbox.lock.header import render_header
from pinbox.lock.model import Header
from pinbox.lock.plan import LockOptions, make_plan
from pinbox.reference import check_reference, project_name
from pinbox.ui import UI


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("iris-app", "iris-app"),
        ("my.app", "my.app"),
        ("My App", "my-app"),
        ("_svc_", "svc"),
        ("a..b", "a-b"),
        ("a___b", "a-b"),
        ("x__y", "x__y"),
        ("Ünïcode", "n-code"),
        ("...", "app"),
    ],
)
def test_the_folder_name_made_a_valid_reference(tmp_path: Path, folder: str, name: str) -> None:
    assert project_name(tmp_path / folder) == name
    check_reference(f"{name}:latest", "tag")


def test_a_long_folder_name_is_cut_to_a_valid_one(tmp_path: Path) -> None:
    name = project_name(tmp_path / ("a" * 250 + "-_" + "b" * 10))
    assert len(name) <= 255 and check_reference(name, "tag") == name


def test_build_and_init_name_images_alike() -> None:
    assert build.project_name is init.project_name is project_name


@pytest.mark.parametrize(("folder", "image"), [("my.app", "my.app"), ("_svc_", "svc")])
def test_init_writes_the_default_name_into_compose(tmp_path: Path, folder: str, image: str) -> None:
    project = tmp_path / folder
    project.mkdir()
    (project / "requirements.in").write_text("six==1.16.0\n")
    (project / "main.py").write_text("print('hi')\n")
    plan = make_plan(LockOptions(project=project))
    header = Header(__version__, plan.target.key(), ("requirements.in",), plan.digest, "pinbox lock")
    lock = render_header(header) + "six==1.16.0 --hash=sha256:" + "a" * 64 + "\n"
    files, _ = init.generate(init.InitOptions(project=project, installer="pip"), plan, UI(), lock)
    compose = yaml.safe_load(files["compose.yaml"])
    assert {name: s["image"] for name, s in compose["services"].items()} == {image: image}
