"""Platforms a lock is made for: the image's Linux platforms and the team's machines (macOS,
Windows, Linux), with what uv, wheel tags and PEP 508 markers call each."""

from __future__ import annotations

import platform as _platform
import re
import sys
from collections.abc import Sequence

from pinbox.errors import PinboxError
from pinbox.record import Record

DEFAULT_GLIBC = (2, 28)  # a tag without a Debian codename floats; glibc 2.28 is a floor all meet
MAX_UV_GLIBC = (2, 40)  # the newest manylinux tag uv's --python-platform knows
DEFAULT_MACOS = (13, 0)  # uv's default minimum macOS when it resolves for macOS
ARCH_OF_DOCKER = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
DOCKER_OF_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
# platform_machine as each OS reports it
MACHINE = {
    "linux": {"x86_64": "x86_64", "aarch64": "aarch64"},
    "macos": {"x86_64": "x86_64", "aarch64": "arm64"},
    "windows": {"x86_64": "AMD64", "aarch64": "ARM64"},
}
SYS_PLATFORM = {"linux": "linux", "macos": "darwin", "windows": "win32"}
PLATFORM_SYSTEM = {"linux": "Linux", "macos": "Darwin", "windows": "Windows"}
DEV_PLATFORMS = (
    "linux/amd64",
    "linux/arm64",
    "linux/amd64/musl",
    "linux/arm64/musl",
    "macos/arm64",
    "macos/amd64",
    "windows/amd64",
)


class Platform(Record):
    """One OS/architecture (and libc, or minimum macOS) combination: linux/amd64 with glibc 2.36,
    macos/arm64 from macOS 13."""

    arch: str  # x86_64 | aarch64
    libc: str = "glibc"  # glibc | musl (Linux)
    glibc: tuple[int, int] = DEFAULT_GLIBC
    os: str = "linux"  # linux | macos | windows
    macos: tuple[int, int] = DEFAULT_MACOS  # the oldest macOS the lock installs on (macOS)

    @property
    def name(self) -> str:
        """`linux/amd64`, `linux/arm64/musl`, `macos/arm64`, `windows/amd64`."""
        musl = "/musl" if self.os == "linux" and self.libc == "musl" else ""
        return f"{self.os}/{DOCKER_OF_ARCH[self.arch]}{musl}"

    @property
    def docker(self) -> str:
        """Docker's name of a Linux platform: linux/amd64."""
        return f"linux/{DOCKER_OF_ARCH[self.arch]}" if self.os == "linux" else self.name

    @property
    def uv(self) -> str:
        """uv's `--python-platform` value."""
        if self.os == "macos":
            return f"{self.arch}-apple-darwin"
        if self.os == "windows":
            return f"{self.arch}-pc-windows-msvc"
        if self.libc == "musl":
            return f"{self.arch}-unknown-linux-musl"
        major, minor = min(self.glibc, MAX_UV_GLIBC)
        return f"{self.arch}-manylinux_{major}_{minor}"

    @property
    def key(self) -> str:
        """How a lock's header names it: uv's name, with the minimum version on macOS."""
        return f"{self.uv}@{self.macos[0]}.{self.macos[1]}" if self.os == "macos" else self.uv

    @property
    def uv_env(self) -> dict[str, str]:
        """Environment uv needs besides its flags (the minimum macOS it resolves for)."""
        return {"MACOSX_DEPLOYMENT_TARGET": f"{self.macos[0]}.{self.macos[1]}"} if self.os == "macos" else {}

    @property
    def tag(self) -> str:
        """The wheel platform tag family, for messages: manylinux_2_28_x86_64, macosx_13_0_arm64."""
        if self.os == "macos":
            return f"macosx_{self.macos[0]}_{self.macos[1]}_{MACHINE['macos'][self.arch]}"
        if self.os == "windows":
            return "win_amd64" if self.arch == "x86_64" else "win_arm64"
        if self.libc == "musl":
            return f"musllinux_1_2_{self.arch}"
        major, minor = min(self.glibc, MAX_UV_GLIBC)
        return f"manylinux_{major}_{minor}_{self.arch}"

    def same_machine(self, other: Platform) -> bool:
        """The same OS, architecture and libc: one set of lines in a lock serves both."""
        return (self.os, self.arch, self.libc if self.os == "linux" else "") == (
            other.os,
            other.arch,
            other.libc if other.os == "linux" else "",
        )

    def marker_env(self, python: str) -> dict[str, str]:
        """PEP 508 marker variables of this platform with CPython `python` (for evaluate())."""
        full = python if python.count(".") == 2 else f"{python}.0"
        release = f"{self.macos[0] + 9}.0.0" if self.os == "macos" else ""  # Darwin 22 is macOS 13
        return {
            "platform_machine": MACHINE[self.os][self.arch],
            "sys_platform": SYS_PLATFORM[self.os],
            "platform_system": PLATFORM_SYSTEM[self.os],
            "os_name": "nt" if self.os == "windows" else "posix",
            "python_version": ".".join(python.split(".")[:2]),
            "python_full_version": full,
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "platform_release": release,
            "platform_version": "",
            "implementation_version": full,
        }

    @property
    def marker(self) -> str:
        """A PEP 508 marker selecting this platform among Linux platforms (an image's)."""
        return f"platform_machine == '{MACHINE['linux'][self.arch]}'"


def marker_for(chosen: Sequence[Platform], among: Sequence[Platform]) -> str | None:
    """A PEP 508 marker true on the `chosen` platforms and false on the rest of `among` (None when
    `chosen` is all of them). Among Linux platforms only it is the architecture, as locks have always
    said; with other systems, `sys_platform` names each system wholly chosen, with the architecture
    only where a system is chosen in part."""
    if all(any(p.same_machine(c) for c in chosen) for p in among):
        return None
    systems = list(dict.fromkeys(p.os for p in among))
    if systems == ["linux"]:
        return " or ".join(dict.fromkeys(p.marker for p in chosen))
    parts = []
    for system in dict.fromkeys(p.os for p in chosen):
        mine = [p for p in chosen if p.os == system]
        all_of_system = [p for p in among if p.os == system]
        sys_marker = f"sys_platform == '{SYS_PLATFORM[system]}'"
        if all(any(p.same_machine(c) for c in mine) for p in all_of_system):
            parts.append(sys_marker)
            continue
        machines = dict.fromkeys(MACHINE[system][p.arch] for p in mine)
        parts += [f"{sys_marker} and platform_machine == '{m}'" for m in machines]
    return " or ".join(f"({p})" if " and " in p and len(parts) > 1 else p for p in parts)


def parse_platforms(value: str, *, glibc: tuple[int, int] = DEFAULT_GLIBC) -> tuple[Platform, ...]:
    """'linux/amd64,linux/arm64' -> platforms; only Linux targets are images."""
    out: list[Platform] = []
    for item in (v.strip() for v in value.split(",") if v.strip()):
        os_name, _, rest = item.lower().partition("/")
        arch = ARCH_OF_DOCKER.get(rest.split("/")[0]) if os_name == "linux" else None
        if arch is None:
            raise PinboxError(
                f"unsupported platform {item!r}",
                hint="use linux/amd64 and/or linux/arm64, comma-separated"
                + (" (macOS and Windows are team machines: --dev-platform)" if os_name in _OTHER_OS else ""),
            )
        libc = "musl" if "musl" in rest else "glibc"
        platform = Platform(arch=arch, libc=libc, glibc=glibc)
        if platform not in out:
            out.append(platform)
    if not out:
        raise PinboxError("--platform: no platform given", hint="e.g. --platform linux/amd64")
    return tuple(out)


_OTHER_OS = ("macos", "darwin", "windows", "win32")


def parse_dev_platforms(values: Sequence[str], source: str = "--dev-platform") -> tuple[Platform, ...]:
    """The team's machines: `macos/arm64`, `macos/amd64@12.0` (the oldest macOS to support),
    `windows/amd64`, `linux/amd64`, `linux/arm64` (and `/musl`)."""
    out: list[Platform] = []
    for item in (v.strip() for value in values for v in value.split(",") if v.strip()):
        name, _, minimum = item.partition("@")
        if name not in DEV_PLATFORMS or (minimum and not name.startswith("macos/")):
            raise PinboxError(
                f"{source}: unknown platform {item!r}",
                hint="one of "
                + ", ".join(DEV_PLATFORMS)
                + " (macOS may name its oldest version: macos/arm64@12.0)",
            )
        os_name, arch_name, *rest = name.split("/")
        macos = DEFAULT_MACOS
        if minimum:
            found = re.fullmatch(r"(1\d|[2-9]\d)(?:\.(\d{1,2}))?", minimum)
            if found is None:
                raise PinboxError(f"{source}: {item!r}: the macOS version must be like 13.0")
            macos = (int(found.group(1)), int(found.group(2) or 0))
        platform = Platform(
            ARCH_OF_DOCKER[arch_name], "musl" if rest else "glibc", DEFAULT_GLIBC, os_name, macos
        )
        if not any(platform.same_machine(p) for p in out):
            out.append(platform)
    return tuple(out)


def platform_from_key(item: str) -> Platform:
    """Platform.key read back (`x86_64-manylinux_2_36`, `aarch64-apple-darwin@13.0`)."""
    arch, _, rest = item.partition("-")
    if arch not in ("x86_64", "aarch64"):
        raise ValueError(arch)
    if rest.startswith("apple-darwin"):
        version = rest.partition("@")[2] or "13.0"
        major, _, minor = version.partition(".")
        return Platform(arch, os="macos", macos=(int(major), int(minor or 0)))
    if rest == "pc-windows-msvc":
        return Platform(arch, os="windows")
    if rest.endswith("musl"):
        return Platform(arch, "musl")
    major, minor = rest.removeprefix("manylinux_").split("_")[:2]
    return Platform(arch, "glibc", (int(major), int(minor)))


def host_platform() -> Platform:
    """This machine's platform (for an image target: its architecture on Linux)."""
    machine = _platform.machine().lower()
    return Platform(arch=ARCH_OF_DOCKER.get(machine, "x86_64"))


def this_machine() -> Platform:
    """The platform pinbox runs on, as a lock names it (its OS, architecture and libc)."""
    machine = _platform.machine()
    arch = ARCH_OF_DOCKER.get(machine.lower())
    if arch is None:
        raise PinboxError(
            f"this machine's architecture ({machine or 'unknown'}) is not one a lock can name",
            hint="locks cover " + ", ".join(DEV_PLATFORMS),
        )
    if sys.platform == "darwin":
        return Platform(arch, os="macos")
    if sys.platform == "win32":
        return Platform(arch, os="windows")
    libc = "musl" if _platform.libc_ver()[0] != "glibc" and _is_musl() else "glibc"
    return Platform(arch, libc)


def _is_musl() -> bool:
    import sysconfig

    return "musl" in (sysconfig.get_config_var("HOST_GNU_TYPE") or "")
