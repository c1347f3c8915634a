"""Target detection: image references, Dockerfile FROM lines, --python / --platform flags."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.markers import Marker

from pinbox.datafiles import data_table
from pinbox.dockerfile import parse_dockerfile
from pinbox.errors import PinboxError
from pinbox.target import (
    Platform,
    Target,
    facts_of_image,
    find_dockerfile,
    parse_platforms,
    parse_python,
    target_from_dockerfile,
    target_from_flags,
)

DIGEST = "sha256:" + "0123abcd" * 8


@pytest.fixture(autouse=True)
def _host_is_x86_64(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.machine", lambda: "x86_64")


# --- image references -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "python", "libc", "glibc"),
    [
        ("python:3.9-slim", "3.9", "glibc", (2, 28)),
        ("python:3.11-slim-bookworm", "3.11", "glibc", (2, 36)),
        ("python:3.10-bullseye", "3.10", "glibc", (2, 31)),
        ("python:3.13-slim-trixie", "3.13", "glibc", (2, 41)),
        ("python:3.12-alpine", "3.12", "musl", (2, 28)),
        ("python:3.12-alpine3.19", "3.12", "musl", (2, 28)),
        ("python:3.11.7", "3.11", "glibc", (2, 28)),
        ("python:3.10.13-slim-bookworm", "3.10", "glibc", (2, 36)),
        ("ubuntu:22.04", None, "glibc", (2, 28)),
        ("ubuntu:jammy", None, "glibc", (2, 35)),
        ("python", None, "glibc", (2, 28)),
        ("python:latest", None, "glibc", (2, 28)),
        ("localhost:5000/python:3.10-slim", "3.10", "glibc", (2, 28)),
        ("localhost:5000/python", None, "glibc", (2, 28)),
        ("docker.io/library/python:3.12-slim", "3.12", "glibc", (2, 28)),
        (f"python:3.11-slim@{DIGEST}", "3.11", "glibc", (2, 28)),
        (f"python@{DIGEST}", None, "glibc", (2, 28)),
        ("foo/bar:python3.10-slim", "3.10", "glibc", (2, 28)),
        ("ghcr.io/org/img:python-3.8-bookworm", "3.8", "glibc", (2, 36)),
        ("ghcr.io/org/img:py311-cuda", "3.11", "glibc", (2, 28)),
        ("foo/bar:1.0", None, "glibc", (2, 28)),
    ],
)
def test_facts_of_image(ref: str, python: str | None, libc: str, glibc: tuple[int, int]) -> None:
    facts = facts_of_image(ref)
    assert (facts.python, facts.libc) == (python, libc)
    if libc == "glibc":
        assert facts.glibc == glibc


# --- Platform values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "uv", "tag", "docker"),
    [
        (Platform("x86_64"), "x86_64-manylinux_2_28", "manylinux_2_28_x86_64", "linux/amd64"),
        (
            Platform("aarch64", glibc=(2, 36)),
            "aarch64-manylinux_2_36",
            "manylinux_2_36_aarch64",
            "linux/arm64",
        ),
        (Platform("x86_64", glibc=(2, 41)), "x86_64-manylinux_2_40", "manylinux_2_40_x86_64", "linux/amd64"),
        (
            Platform("aarch64", "musl"),
            "aarch64-unknown-linux-musl",
            "musllinux_1_2_aarch64",
            "linux/arm64",
        ),
    ],
)
def test_platform_values(platform: Platform, uv: str, tag: str, docker: str) -> None:
    assert (platform.uv, platform.tag, platform.docker) == (uv, tag, docker)


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_platform_marker_selects_only_its_own_env(arch: str) -> None:
    mine, other = Platform(arch), Platform("aarch64" if arch == "x86_64" else "x86_64")
    marker = Marker(mine.marker)
    assert marker.evaluate(mine.marker_env("3.11"))
    assert not marker.evaluate(other.marker_env("3.11"))


def test_marker_env_has_python_version() -> None:
    env = Platform("x86_64").marker_env("3.12")
    assert Marker("python_version >= '3.12' and sys_platform == 'linux'").evaluate(env)
    assert not Marker("python_version < '3.12'").evaluate(env)


def test_target_key_and_describe() -> None:
    target = Target("3.11", (Platform("x86_64", glibc=(2, 36)), Platform("aarch64", "musl")), "x")
    assert target.key() == "cpython-3.11 x86_64-manylinux_2_36,aarch64-unknown-linux-musl"
    assert target.describe() == (
        "CPython 3.11 on linux/amd64 (manylinux_2_36_x86_64), linux/arm64 (musllinux_1_2_aarch64)"
    )


# --- parse_platforms / parse_python ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "archs"),
    [
        ("linux/amd64", ["x86_64"]),
        ("linux/amd64,linux/arm64", ["x86_64", "aarch64"]),
        (" linux/arm64 , linux/amd64 ,", ["aarch64", "x86_64"]),
        ("linux/amd64,linux/x86_64", ["x86_64"]),
        ("linux/arm64/v8", ["aarch64"]),
        ("LINUX/AMD64", ["x86_64"]),
    ],
)
def test_parse_platforms(value: str, archs: list[str]) -> None:
    assert [p.arch for p in parse_platforms(value)] == archs


def test_parse_platforms_passes_glibc_through() -> None:
    (plat,) = parse_platforms("linux/arm64", glibc=(2, 36))
    assert plat.uv == "aarch64-manylinux_2_36"


@pytest.mark.parametrize(
    "value", ["windows/amd64", "darwin/arm64", "linux", "amd64", "linux/arm/v7", "linux/386", "linux/amd64,x"]
)
def test_parse_platforms_rejects_unsupported(value: str) -> None:
    with pytest.raises(PinboxError) as info:
        parse_platforms(value)
    assert "unsupported platform" in info.value.message
    assert info.value.hint is not None
    assert "linux/amd64" in info.value.hint


@pytest.mark.parametrize("value", ["", " ", ",", " , "])
def test_parse_platforms_rejects_empty(value: str) -> None:
    with pytest.raises(PinboxError, match="no platform given"):
        parse_platforms(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.11", "3.11"),
        ("3.11.7", "3.11"),
        ("3.9", "3.9"),
        (" 3.13 ", "3.13"),
        ("cp311", "3.11"),
        ("cp39", "3.9"),
        ("python3.10", "3.10"),
        ("Python3.12", "3.12"),
        ("cpython-3.12", "3.12"),
    ],
)
def test_parse_python(value: str, expected: str) -> None:
    assert parse_python(value) == expected


@pytest.mark.parametrize(
    "value", ["", "3", "2.7", "4.0", "3.x", "3.11-slim", "3.11.7.1", "cp27", "cp3", "py311", "latest"]
)
def test_parse_python_rejects(value: str) -> None:
    with pytest.raises(PinboxError) as info:
        parse_python(value, source="[tool.pinbox] python")
    assert info.value.message.startswith("[tool.pinbox] python: ")
    assert repr(value) in info.value.message


# --- target_from_dockerfile ------------------------------------------------------------------


def target_of(text: str, **flags: str) -> Target:
    return target_from_dockerfile(parse_dockerfile(text, Path("app/Dockerfile")), **flags)


@pytest.mark.parametrize(
    ("text", "python", "uv"),
    [
        ("FROM python:3.11-slim-bookworm\n", "3.11", "x86_64-manylinux_2_36"),
        ("FROM python:3.12-alpine\n", "3.12", "x86_64-unknown-linux-musl"),
        ("ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\n", "3.11", "x86_64-manylinux_2_28"),
        ("FROM --platform=linux/arm64 python:3.10-slim\n", "3.10", "aarch64-manylinux_2_28"),
        ("FROM --platform=$BUILDPLATFORM python:3.10\n", "3.10", "x86_64-manylinux_2_28"),
        (
            "FROM python:3.12-slim-bookworm AS builder\nRUN x\nFROM builder\n",
            "3.12",
            "x86_64-manylinux_2_36",
        ),
        (
            "FROM python:3.9 AS base\nFROM base AS builder\nFROM builder AS final\n",
            "3.9",
            "x86_64-manylinux_2_28",
        ),
        ("FROM ubuntu:22.04 AS build\nFROM python:3.13-slim-trixie\n", "3.13", "x86_64-manylinux_2_40"),
    ],
)
def test_target_from_dockerfile(text: str, python: str, uv: str) -> None:
    target = target_of(text)
    assert target.python == python
    assert [p.uv for p in target.platforms] == [uv]


def test_target_source_names_the_root_from_line() -> None:
    target = target_of("FROM python:3.12-slim AS builder\nRUN x\nFROM builder\n")
    assert target.source == "Dockerfile:1 (FROM python:3.12-slim)"


def test_final_stage_inherits_platform_of_the_stage_it_builds_on() -> None:
    target = target_of("FROM --platform=linux/arm64 python:3.11-slim AS builder\nFROM builder\n")
    assert [p.arch for p in target.platforms] == ["aarch64"]


def test_host_platform_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    assert [p.docker for p in target_of("FROM python:3.11\n").platforms] == ["linux/arm64"]


def test_flags_override_the_dockerfile() -> None:
    target = target_of(
        "FROM --platform=linux/arm64 python:3.9-slim-bookworm\n",
        python="3.12",
        platforms="linux/amd64,linux/arm64",
    )
    assert target.python == "3.12"
    assert [p.uv for p in target.platforms] == ["x86_64-manylinux_2_36", "aarch64-manylinux_2_36"]


def test_platform_flag_keeps_musl_from_an_alpine_image() -> None:
    target = target_of("FROM python:3.12-alpine\n", platforms="linux/arm64")
    assert [p.uv for p in target.platforms] == ["aarch64-unknown-linux-musl"]


@pytest.mark.parametrize(
    "text",
    ["FROM ubuntu:22.04\n", "FROM python:3.11 AS b\nFROM ubuntu:22.04\n", "ARG V\nFROM python:${V}-slim\n"],
)
def test_image_without_python_needs_the_flag(text: str) -> None:
    with pytest.raises(PinboxError) as info:
        target_of(text)
    err = info.value
    assert err.path == Path("app/Dockerfile")
    assert err.line == text.count("\n")
    assert err.hint is not None
    assert "--python" in err.hint


def test_image_without_python_works_with_the_flag() -> None:
    target = target_of("FROM ubuntu:22.04\n", python="python3.10")
    assert target.python == "3.10"
    assert [p.uv for p in target.platforms] == ["x86_64-manylinux_2_28"]


def test_bad_python_flag_is_an_error() -> None:
    with pytest.raises(PinboxError, match="is not a Python version"):
        target_of("FROM python:3.11\n", python="eleven")


def test_dockerfile_without_from_is_an_error() -> None:
    with pytest.raises(PinboxError, match="no FROM"):
        target_of("ARG X=1\n")


# --- flags and files ------------------------------------------------------------------------


def test_target_from_flags_defaults_to_this_interpreter_and_host() -> None:
    target = target_from_flags(None, None, "flags")
    assert target.python == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert target.platforms == (Platform("x86_64"),)
    assert target.source == "flags"


def test_target_from_flags_parses_values() -> None:
    target = target_from_flags("cp310", "linux/arm64", "config")
    assert (target.python, [p.arch for p in target.platforms]) == ("3.10", ["aarch64"])


def test_find_dockerfile(tmp_path: Path) -> None:
    assert find_dockerfile(tmp_path) is None
    (tmp_path / "Dockerfile").mkdir()
    assert find_dockerfile(tmp_path) is None
    (tmp_path / "Dockerfile").rmdir()
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\n", encoding="utf-8")
    assert find_dockerfile(tmp_path) == tmp_path / "Dockerfile"


@pytest.mark.parametrize(
    ("text", "said", "example"),
    [
        ("FROM python:latest\n", "is CPython, but its tag names no version", "python:{}-slim"),
        ("FROM python\n", "without a tag it means `latest`, which names no version", "python:{}-slim"),
        ("FROM python:slim-bookworm\n", "its tag names no version", "python:{}-slim-bookworm"),
        ("FROM python:3-slim\n", "its tag names only the major version", "python:{}-slim"),
        ("FROM python:3\n", "its tag names only the major version", "python:{}-slim"),
        ("FROM ubuntu:22.04\n", "does not say which Python it runs", None),
    ],
)
def test_a_floating_python_tag_is_named_as_such(text: str, said: str, example: str | None) -> None:
    with pytest.raises(PinboxError) as caught:
        target_of(text)
    assert said in caught.value.message
    hint = str(caught.value.hint)
    newest = max(data_table("eol")["python"], key=lambda v: tuple(map(int, v.split("."))))  # the newest known
    assert (f"(`{example.format(newest)}`)" in hint) if example else ("[tool.pinbox] python" in hint)


@pytest.mark.parametrize(
    ("text", "python"),
    [
        (
            "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN apt-get install -y python3-pip\n",
            "3.10",
        ),
        ("FROM ubuntu:24.04\nRUN apt install -y --no-install-recommends python3 python3-venv\n", "3.12"),
        ("FROM debian:bookworm-slim\nRUN apt-get install -y python3=3.11.2-1+b1\n", "3.11"),
        ("FROM ubuntu:20.04 AS base\nRUN apt-get install -y python3-dev\nFROM base\nRUN true\n", "3.8"),
    ],
)
def test_python_installed_from_the_distribution(text: str, python: str) -> None:
    target = target_of(text)
    assert target.python == python and "apt installs python3" in target.source


@pytest.mark.parametrize(
    "text",
    [
        "FROM ubuntu:22.04\nRUN apt-get install -y curl\n",  # no python3 installed
        "FROM alpine:3.20\nRUN apk add python3\n",  # not a distribution in the table
        # installed in another stage than the final one
        "FROM ubuntu:22.04 AS build\nRUN apt-get install -y python3\nFROM ubuntu:22.04\nRUN true\n",
    ],
)
def test_no_distribution_python_to_infer(text: str) -> None:
    with pytest.raises(PinboxError) as caught:
        target_of(text)
    assert "does not say which Python it runs" in caught.value.message


def test_a_team_target_key_reads_back() -> None:
    from pinbox.platforms import parse_dev_platforms
    from pinbox.target import target_from_key

    team = parse_dev_platforms(["linux/amd64,macos/arm64@14.0,windows/amd64"])
    target = Target("3.11", (Platform("x86_64", glibc=(2, 36)),), "x", dev_platforms=team)
    assert [p.name for p in target.all_platforms] == ["linux/amd64", "macos/arm64", "windows/amd64"]
    key = target.key()  # the Linux laptop shares the image's lines: it is not named again
    assert key == "cpython-3.11 x86_64-manylinux_2_36 dev=aarch64-apple-darwin@14.0,x86_64-pc-windows-msvc"
    back = target_from_key(key)
    assert back.all_platforms == target.all_platforms and back.key() == key
    assert "team machines: macos/arm64, windows/amd64" in target.describe()


@pytest.mark.parametrize(
    "key", ["cpython-3.11 aarch64-apple-darwin", "cpython-3.11 x86_64-manylinux_2_28 dev=bogus"]
)
def test_a_damaged_team_key_is_an_error(key: str) -> None:
    from pinbox.target import target_from_key

    with pytest.raises(PinboxError, match="cannot read the target"):
        target_from_key(key)
