"""Same versions on every platform (pinbox.lock.unify), with a resolver whose answers the test sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.lock import unify, uv
from pinbox.lock.assemble import assemble
from pinbox.lock.model import Header
from pinbox.lock.render import render_requirements
from pinbox.platforms import Platform
from pinbox.target import Target

LINUX, MAC, WIN = Platform("x86_64"), Platform("x86_64", os="macos"), Platform("x86_64", os="windows")


class Index:
    """Versions each platform has files for; a resolver that takes the newest, or the held one."""

    def __init__(self, versions: dict[Platform, list[str]]) -> None:
        self.versions = versions
        self.calls: list[tuple[str, ...]] = []

    def resolve(self, req: uv.Request, platforms: list[Platform], **_: object) -> list[uv.Resolution]:
        self.calls.append(tuple(p.name for p in platforms))
        held = (
            dict(line.split("==") for line in req.same_versions.read_text().split())
            if req.same_versions
            else {}
        )
        out = []
        for platform in platforms:
            have = self.versions[platform]
            version = held.get("pkg", have[-1])
            if version not in have:
                raise uv.Unresolvable(
                    f"the requirements cannot be resolved for {platform.name}:\n  no pkg=={version}"
                )
            package = {"name": "pkg", "version": version, "wheels": [_wheel(platform, version)]}
            out.append(uv.Resolution(platform, (package,), {"pkg": ("",)}))
        return out


def _wheel(platform: Platform, version: str) -> dict[str, object]:
    sha = f"{abs(hash((platform.name, version))):064d}"[-64:]
    return {"name": f"pkg-{version}-py3-none-{platform.tag}.whl", "hashes": {"sha256": sha}}


def _unify(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, index: Index) -> tuple[list[uv.Resolution], ...]:
    monkeypatch.setattr(uv, "resolve", index.resolve)
    req = uv.Request(project=tmp_path, input=tmp_path / "requirements.in", python="3.11")
    first = index.resolve(req, [LINUX, MAC, WIN])
    return unify.unify(req, first, (LINUX,), tmp_path)  # type: ignore[return-value]


def _versions(resolutions: list[uv.Resolution]) -> dict[str, str]:
    return {r.platform.name: unify.versions_of(r)["pkg"] for r in resolutions}


def test_the_image_version_is_held_everywhere_it_fits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    index = Index({LINUX: ["1.0", "2.0"], MAC: ["1.0", "2.0", "3.0"], WIN: ["2.0"]})
    results, divergences, moved = _unify(monkeypatch, tmp_path, index)
    assert _versions(results) == {"linux/amd64": "2.0", "macos/amd64": "2.0", "windows/amd64": "2.0"}
    assert divergences == [] and moved == []
    assert index.calls[1] == ("macos/amd64",)  # only the platform that differed resolved again


def test_the_image_moves_only_when_it_must(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    index = Index({LINUX: ["1.0", "1.5", "2.0"], MAC: ["1.0", "1.5"], WIN: ["1.5", "2.0"]})
    results, divergences, moved = _unify(monkeypatch, tmp_path, index)
    assert set(_versions(results).values()) == {"1.5"} and divergences == []
    assert moved == [
        "pkg 2.0 -> 1.5 on linux/amd64, so that every platform has the same version (macos/amd64 cannot "
        "install 2.0; without macos/amd64 among the team's machines the image keeps it)"
    ]


def test_without_a_common_version_the_divergence_is_kept_and_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    index = Index({LINUX: ["2.0"], MAC: ["1.0"], WIN: ["1.0", "2.0"]})
    results, divergences, moved = _unify(monkeypatch, tmp_path, index)
    assert _versions(results) == {"linux/amd64": "2.0", "macos/amd64": "1.0", "windows/amd64": "2.0"}
    assert moved == []
    [divergence] = divergences
    assert divergence.versions == (("linux/amd64", "2.0"), ("macos/amd64", "1.0"), ("windows/amd64", "2.0"))
    assert divergence.reason.startswith(
        "no common version: the requirements cannot be resolved for macos/amd64"
    )
    target = Target("3.11", (LINUX,), "test", dev_platforms=(MAC, WIN))
    header = Header("0", target.key(), ("requirements.in",), "sha256:0", "pinbox lock")
    lock = assemble(target, header, results, ["pkg"], differs={d.name: d.said() for d in divergences})
    text = render_requirements(lock)
    assert "pkg==1.0 ; sys_platform == 'darwin' \\\n" in text
    assert "pkg==2.0 ; sys_platform == 'linux' or sys_platform == 'win32' \\\n" in text
    assert text.count("; differs: pkg: 2.0 on linux/amd64, 1.0 on macos/amd64, 2.0 on windows/amd64") == 2
