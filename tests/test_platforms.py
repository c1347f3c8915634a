"""Platforms of a team lock: names, uv's and wheel tags' names, markers, and the header's keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker

from pinbox.errors import PinboxError
from pinbox.platforms import (
    DEV_PLATFORMS,
    Platform,
    marker_for,
    parse_dev_platforms,
    parse_platforms,
    platform_from_key,
)

MAC_ARM = Platform("aarch64", os="macos")
MAC_X86 = Platform("x86_64", os="macos", macos=(12, 0))
WIN = Platform("x86_64", os="windows")
LINUX = Platform("x86_64", glibc=(2, 36))
LINUX_ARM = Platform("aarch64")
MUSL = Platform("x86_64", "musl")
ALL = (LINUX, LINUX_ARM, MAC_ARM, MAC_X86, WIN)


@pytest.mark.parametrize(
    ("platform", "name", "uv", "key", "tag", "env"),
    [
        (
            MAC_ARM,
            "macos/arm64",
            "aarch64-apple-darwin",
            "aarch64-apple-darwin@13.0",
            "macosx_13_0_arm64",
            "13.0",
        ),
        (
            MAC_X86,
            "macos/amd64",
            "x86_64-apple-darwin",
            "x86_64-apple-darwin@12.0",
            "macosx_12_0_x86_64",
            "12.0",
        ),
        (WIN, "windows/amd64", "x86_64-pc-windows-msvc", "x86_64-pc-windows-msvc", "win_amd64", None),
        (
            LINUX,
            "linux/amd64",
            "x86_64-manylinux_2_36",
            "x86_64-manylinux_2_36",
            "manylinux_2_36_x86_64",
            None,
        ),
        (
            MUSL,
            "linux/amd64/musl",
            "x86_64-unknown-linux-musl",
            "x86_64-unknown-linux-musl",
            "musllinux_1_2_x86_64",
            None,
        ),
    ],
)
def test_platform_names(platform: Platform, name: str, uv: str, key: str, tag: str, env: str | None) -> None:
    assert (platform.name, platform.uv, platform.key, platform.tag) == (name, uv, key, tag)
    assert platform.uv_env == ({"MACOSX_DEPLOYMENT_TARGET": env} if env else {})
    assert platform_from_key(platform.key) == platform


@pytest.mark.parametrize(
    ("platform", "values"),
    [
        (MAC_ARM, {"sys_platform": "darwin", "platform_machine": "arm64", "platform_system": "Darwin"}),
        (MAC_X86, {"sys_platform": "darwin", "platform_machine": "x86_64", "os_name": "posix"}),
        (
            WIN,
            {
                "sys_platform": "win32",
                "platform_machine": "AMD64",
                "platform_system": "Windows",
                "os_name": "nt",
            },
        ),
        (LINUX_ARM, {"sys_platform": "linux", "platform_machine": "aarch64", "platform_system": "Linux"}),
    ],
)
def test_marker_env_is_what_each_system_reports(platform: Platform, values: dict[str, str]) -> None:
    env = platform.marker_env("3.11")
    assert {k: env[k] for k in values} == values
    assert env["python_full_version"] == "3.11.0"


def test_marker_env_of_macos_has_its_darwin_release() -> None:
    assert Marker("platform_release >= '22'").evaluate(MAC_ARM.marker_env("3.11"))  # Darwin 22: macOS 13
    assert not Marker("platform_release >= '22'").evaluate(MAC_X86.marker_env("3.11"))  # macOS 12


@given(st.lists(st.sampled_from(ALL), min_size=1, unique=True), st.data())
def test_marker_for_selects_exactly_the_chosen_platforms(among: list[Platform], data: st.DataObject) -> None:
    chosen = data.draw(st.lists(st.sampled_from(among), min_size=1, unique=True))
    marker = marker_for(chosen, among)
    if set(chosen) == set(among):
        assert marker is None
        return
    assert marker is not None
    for platform in among:
        assert Marker(marker).evaluate(platform.marker_env("3.11")) == (platform in chosen), (
            marker,
            platform,
        )


def test_marker_for_names_a_whole_system_by_sys_platform() -> None:
    assert marker_for((WIN,), ALL) == "sys_platform == 'win32'"
    assert marker_for((MAC_ARM, MAC_X86), ALL) == "sys_platform == 'darwin'"
    assert marker_for((MAC_ARM,), ALL) == "sys_platform == 'darwin' and platform_machine == 'arm64'"
    assert marker_for((LINUX, WIN), ALL) == (
        "(sys_platform == 'linux' and platform_machine == 'x86_64') or sys_platform == 'win32'"
    )


def test_marker_for_an_image_only_lock_is_the_architecture_as_before() -> None:
    assert marker_for((LINUX_ARM,), (LINUX, LINUX_ARM)) == "platform_machine == 'aarch64'"


def test_parse_dev_platforms_takes_the_names_and_a_macos_minimum() -> None:
    found = parse_dev_platforms(["macos/arm64@14.0,windows/amd64", "linux/arm64/musl", "macos/amd64"])
    assert [p.name for p in found] == ["macos/arm64", "windows/amd64", "linux/arm64/musl", "macos/amd64"]
    assert found[0].macos == (14, 0) and found[3].macos == (13, 0)
    assert parse_dev_platforms(["macos/arm64", "macos/arm64@12"]) == (MAC_ARM,)  # one per machine
    assert {p.name for p in parse_dev_platforms(list(DEV_PLATFORMS))} == set(DEV_PLATFORMS)


@pytest.mark.parametrize(
    "value", ["darwin/arm64", "macos/arm", "windows/arm64", "linux/amd64@13.0", "macos/arm64@x"]
)
def test_parse_dev_platforms_refuses_other_names(value: str) -> None:
    with pytest.raises(PinboxError) as info:
        parse_dev_platforms([value])
    assert value.split("@")[0] in info.value.message or "macOS version" in info.value.message
    assert info.value.hint is None or "macos/arm64" in info.value.hint


def test_image_platforms_stay_linux_and_point_to_dev_platforms() -> None:
    with pytest.raises(PinboxError) as info:
        parse_platforms("macos/arm64")
    assert info.value.hint is not None and "--dev-platform" in info.value.hint


def test_a_machine_no_lock_can_name_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from pinbox.platforms import this_machine

    monkeypatch.setattr("platform.machine", lambda: "armv7l")
    with pytest.raises(PinboxError, match=r"architecture \(armv7l\) is not one a lock can name"):
        this_machine()
