"""Turn per-platform resolutions into one `Lock`: artifacts, platforms and roots per pin."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.requirements import Requirement

from pinbox.errors import PinboxError
from pinbox.lock.model import Artifact, Header, Lock, Pin
from pinbox.lock.uv import Resolution
from pinbox.names import normalize
from pinbox.target import Platform, Target


def _artifact(table: dict[str, Any], name: str) -> Artifact:
    url = table.get("url")
    filename = table.get("name") or (unquote(urlsplit(url).path.rsplit("/", 1)[-1]) if url else None)
    if not filename:
        filename = str(table.get("path", "")).rsplit("/", 1)[-1]
    sha = (table.get("hashes") or {}).get("sha256")
    if not sha:
        raise PinboxError(f"the resolver gave no sha256 for {filename or name}")
    upload = table.get("upload-time")
    return Artifact(
        filename=filename,
        url=url,
        sha256=sha,
        size=table.get("size"),
        upload_time=upload.isoformat().replace("+00:00", "Z") if upload is not None else None,
    )


def _artifacts(package: dict[str, Any]) -> tuple[Artifact, ...]:
    name = str(package.get("name"))
    for unsupported in ("directory", "vcs", "archive"):
        if unsupported in package:
            raise PinboxError(
                f"{name} comes from a {unsupported}, which cannot be installed with hashes in an image",
                hint=f"publish {name} to an index, or install it from the copied source after the lock",
            )
    files = [_artifact(w, name) for w in package.get("wheels", [])]
    if "sdist" in package:
        files.append(_artifact(package["sdist"], name))
    return tuple(files)


def _roots(parents: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """For each package, the direct requirements whose closure contains it."""
    memo: dict[str, frozenset[str]] = {}

    def walk(name: str, stack: frozenset[str]) -> frozenset[str]:
        if name in memo:
            return memo[name]
        found: set[str] = set()
        for parent in parents.get(name, ()):
            if parent == "":
                found.add(name)
            elif parent not in stack:
                found |= walk(parent, stack | {name})
        result = frozenset(found)
        if not stack:
            memo[name] = result
        return result

    return {name: walk(name, frozenset()) for name in parents}


def assemble(
    target: Target,
    header: Header,
    resolutions: Sequence[Resolution],
    requirements: Sequence[str],
    index_options: Sequence[str] = (),
    scripts: dict[str, tuple[str, ...] | None] | None = None,
    dev_only: Callable[[tuple[str, ...]], bool] | None = None,
    differs: dict[str, str] | None = None,
) -> Lock:
    """Merge platforms: one pin per (name, version), with the platforms it applies to; `dev_only`
    tells from its roots whether a pin belongs to the dev group, `differs` why a package has other
    versions on other platforms."""
    written: dict[str, str] = {}
    for text in requirements:
        try:
            written.setdefault(str(normalize(Requirement(text).name)), text)
        except ValueError:
            continue
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for res in resolutions:
        roots = _roots(res.parents)
        for package in res.packages:
            name = str(normalize(str(package["name"])))
            if "version" not in package:  # `-e .` or a path: no release to pin and hash
                raise PinboxError(
                    f"`{name}` is a local project (`-e .` or a path in the requirements), which a hashed "
                    "lock cannot hold",
                    hint="take the line out of the requirements and install the project in the image after "
                    "the lock (`COPY . .` then `pip install --no-deps .`); list its dependencies instead",
                )
            key = (name, str(package["version"]))
            slot = grouped.setdefault(key, {"platforms": [], "artifacts": {}, "roots": set()})
            slot["platforms"].append(res.platform)
            for artifact in _artifacts(package):
                slot["artifacts"].setdefault(artifact.sha256, artifact)
            slot["roots"] |= {written.get(r, r) for r in roots.get(name, frozenset())}
            slot["direct"] = slot.get("direct", False) or "" in res.parents.get(name, ())
            slot["index"] = package.get("index")
    pins = []
    known = scripts or {}
    every = target.all_platforms
    for (name, version), slot in sorted(grouped.items()):
        platforms: list[Platform] = slot["platforms"]
        wheels = [
            a.sha256 for a in slot["artifacts"].values() if a.is_wheel and known.get(a.sha256) is not None
        ]
        pins.append(
            Pin(
                name=name,
                version=version,
                artifacts=tuple(sorted(slot["artifacts"].values(), key=lambda a: a.filename)),
                platforms=tuple(platforms) if len(platforms) < len(every) else every,
                roots=tuple(sorted(slot["roots"])),
                direct=bool(slot["direct"]),
                index=slot["index"],
                scripts=known[wheels[0]] if wheels else None,
                group="dev" if dev_only is not None and dev_only(tuple(sorted(slot["roots"]))) else "",
                differs=(differs or {}).get(name, ""),
            )
        )
    return Lock(header=header, target=target, pins=tuple(pins), index_options=tuple(index_options))
