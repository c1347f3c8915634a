"""End of life of base images and lock targets (PB307), measured against a fixed date."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pinbox.rules import lifecycle
from pinbox.rules.model import Severity
from tests.rules.helpers import check, run_rule


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "today", lambda: datetime.date(2026, 12, 2))


@pytest.mark.parametrize(
    ("image", "said"),
    [
        ("python:3.8-slim", ["Python 3.8 is past its end of life on 2024-10-07"]),
        ("python:3.7", ["Python 3.7 is past"]),
        ("python:3.10-slim-bullseye", ["Python 3.10 is past", "Debian bullseye is past"]),
        ("python:3.11-slim-buster", ["Debian buster is past its end of life on 2024-06-30"]),
        ("debian:9", ["Debian stretch is past"]),
        ("nvidia/cuda:11.8.0-runtime-ubuntu20.04", ["Ubuntu focal is past"]),
        ("ubuntu:18.04", ["Ubuntu bionic is past"]),
    ],
)
def test_eol_base_images(tmp_path: Path, image: str, said: list[str]) -> None:
    [finding] = check(tmp_path, lifecycle.EOL_BASE_IMAGE, f"FROM {image}\n")
    assert all(s in finding.message for s in said) and finding.severity is Severity.WARNING
    assert finding.col == 6


@pytest.mark.parametrize(
    "image", ["python:3.12-slim", "python:3.11-slim-bookworm", "ubuntu:24.04", "debian:12", "scratch"]
)
def test_supported_images_pass(tmp_path: Path, image: str) -> None:
    assert check(tmp_path, lifecycle.EOL_BASE_IMAGE, f"FROM {image}\n") == []


def test_finding_spans_the_from_instruction(tmp_path: Path) -> None:
    [finding] = check(
        tmp_path, lifecycle.EOL_BASE_IMAGE, "FROM --platform=linux/amd64 \\\n  python:3.8-slim\n"
    )
    assert (finding.first_line, finding.end_line) == (1, 2)


def test_soon_is_info(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "today", lambda: datetime.date(2027, 6, 1))
    [finding] = check(tmp_path, lifecycle.EOL_BASE_IMAGE, "FROM python:3.11-slim\n")
    assert finding.severity is Severity.INFO and "at its end of life on 2027-10-31" in finding.message


def test_lock_target_past_end_of_life(tmp_path: Path) -> None:
    lock = "# target: cpython-3.9 x86_64-manylinux_2_28\n# inputs-digest: sha256:x\nsix==1.16.0\n"
    [finding] = run_rule(tmp_path, lifecycle.EOL_BASE_IMAGE, {"requirements.lock": lock})
    assert (
        finding.line == 1
        and "locked for Python 3.9" in finding.message
        and "3.11 or newer" in finding.message
    )
