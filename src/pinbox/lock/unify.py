"""Same versions on every platform of a lock: the image's and the team's machines.

uv resolves each platform on its own, so a platform may get another version of a package (the
newest has no wheel there, or a marker pulls something else in). A package gets one version
everywhere whenever a version has files for every platform:
1. each divergent package is held at the version the image got (or, for a package the image does
   not install, the newest any platform got), and the other platforms resolve again with it;
2. where that fails, the oldest version any platform got is tried on every platform, the image
   included (the image's version changes only then, and pinbox says so);
3. what still differs is a divergence: kept, printed, and recorded in the lock with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from packaging.version import InvalidVersion, Version

from pinbox.errors import PinboxError
from pinbox.lock import uv
from pinbox.names import normalize
from pinbox.platforms import Platform
from pinbox.record import Record


class Divergence(Record):
    """A package with another version on some platforms, because no version fits them all."""

    name: str
    versions: tuple[tuple[str, str], ...]  # (platform name, version), in the lock's platform order
    reason: str

    def said(self) -> str:
        spread = ", ".join(f"{version} on {platform}" for platform, version in self.versions)
        return f"{self.name}: {spread} ({self.reason})"


def versions_of(resolution: uv.Resolution) -> dict[str, str]:
    return {str(normalize(p["name"])): str(p["version"]) for p in resolution.packages if "version" in p}


def divergent(resolutions: Sequence[uv.Resolution]) -> dict[str, dict[Platform, str]]:
    """Packages that have more than one version across the platforms that install them."""
    seen: dict[str, dict[Platform, str]] = {}
    for resolution in resolutions:
        for name, version in versions_of(resolution).items():
            seen.setdefault(name, {})[resolution.platform] = version
    return {name: by for name, by in seen.items() if len(set(by.values())) > 1}


def _key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def unify(
    request: uv.Request,
    resolutions: list[uv.Resolution],
    image: Sequence[Platform],
    folder: Path,
) -> tuple[list[uv.Resolution], list[Divergence], list[str]]:
    """(resolutions with one version per package wherever one fits, the divergences left, what
    changed on the image to make versions agree)."""
    results, chosen, failed = resolutions, dict[str, str](), dict[Platform, str]()
    for attempt in range(3):  # holding versions can move others apart: hold those too
        spread = divergent(results)
        if not spread or failed:
            break
        chosen |= {name: _first(by, image) for name, by in spread.items()}
        results, failed = _again(request, results, chosen, folder / f"same-{attempt}.txt")
    moved: list[str] = []
    if failed:
        spread = divergent(results)
        oldest = {name: min(spread[name].values(), key=_key) for name in _stuck(failed, chosen, results)}
        retried, still = _again(request, results, chosen | oldest, folder / "same-oldest.txt")
        if not still:
            before = {r.platform: versions_of(r) for r in results}
            after = {r.platform: versions_of(r) for r in retried}
            blocking = ", ".join(p.name for p in failed)
            moved = [
                f"{name} {before[p][name]} -> {after[p].get(name, '(no longer needed)')} on {p.name}, so "
                f"that every platform has the same version ({blocking} cannot install {before[p][name]}; "
                f"without {blocking} among the team's machines the image keeps it)"
                for p in image
                for name in sorted(oldest)
                if name in before.get(p, {}) and before[p][name] != after[p].get(name)
            ]
            results, failed = retried, {}
    final = [(r.platform.name, versions_of(r)) for r in results]
    divergences = [
        Divergence(name, tuple((p, v[name]) for p, v in final if name in v), _reason(name, failed))
        for name in sorted(divergent(results))
    ]
    return results, divergences, moved


def _first(by: dict[Platform, str], image: Sequence[Platform]) -> str:
    """The version to hold: the image's, else the newest any platform got."""
    return next((by[p] for p in image if p in by), max(by.values(), key=_key))


def _stuck(
    failed: dict[Platform, str], chosen: dict[str, str], resolutions: Sequence[uv.Resolution]
) -> list[str]:
    """The held packages a failed platform had at another version."""
    mine = {r.platform: versions_of(r) for r in resolutions}
    return sorted(
        {name for p in failed for name, version in chosen.items() if mine[p].get(name, version) != version}
    )


def _reason(name: str, failed: dict[Platform, str]) -> str:
    for why in failed.values():
        if name in why.lower():
            return f"no common version: {why}"
    return (
        f"no common version (held at one version, {', '.join(p.name for p in failed)} cannot resolve)"
        if failed
        else "another dependency of that platform needs it"
    )


def _again(
    request: uv.Request, resolutions: list[uv.Resolution], chosen: dict[str, str], path: Path
) -> tuple[list[uv.Resolution], dict[Platform, str]]:
    """Resolve again, with `chosen` held, each platform that got another version of one of them;
    a platform that cannot keeps its resolution and says why."""
    path.write_text("".join(f"{name}=={version}\n" for name, version in sorted(chosen.items())))
    held = replace(request, same_versions=path)
    redo = [
        r.platform
        for r in resolutions
        if any(versions_of(r).get(name, version) != version for name, version in chosen.items())
    ]
    found: dict[Platform, uv.Resolution] = {}
    failed: dict[Platform, str] = {}
    try:
        found = {r.platform: r for r in uv.resolve(held, redo, fetched=True)}
    except PinboxError:  # at least one cannot: find which, one platform at a time
        for platform in redo:
            try:
                found[platform] = uv.resolve(held, [platform], fetched=True)[0]
            except PinboxError as exc:
                failed[platform] = " ".join(line.strip() for line in exc.message.splitlines()[:2])
    return [found.get(r.platform, r) for r in resolutions], failed
