"""The dev group: what laptops and CI need besides the image's packages (pytest, jupyterlab,
linters), locked together with the main set so that shared packages have one version.

Its input is `requirements-dev.in` (or `-dev.txt`) beside a requirements input, usually starting
with `-r requirements.in`, or `[dependency-groups] dev` of a pyproject.toml input. A pin belongs to
the group when only dev requirements pulled it in; the main lock holds the rest, and the image
installs the main lock alone. Requirements-format locks put the group in `requirements-dev.lock`,
which starts with `-r requirements.lock`; a pylock.toml marks its packages
`'dev' in dependency_groups`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.names import normalize, package_name
from pinbox.structured import load_toml

if TYPE_CHECKING:
    from pinbox.lock.inputs import Inputs

GROUP = "dev"


def find_dev(project: Path, main: Inputs) -> Inputs | None:
    """The dev group's inputs for this main input, or None when the project has none."""
    from pinbox.lock.inputs import read_inputs

    if main.kind == "pyproject":
        return _pyproject_group(project, main.path)
    folder = main.path.parent
    stem, suffix = main.path.stem, main.path.suffix
    for name in (f"{stem}-dev{suffix}", "requirements-dev.in", "requirements-dev.txt"):
        candidate = folder / name
        if candidate.is_file() and candidate.resolve() != main.path.resolve():
            return read_inputs(project, candidate)
    return None


def _pyproject_group(project: Path, path: Path) -> Inputs | None:
    data = load_toml(read_text(path, what="pyproject.toml"), path)
    groups = data.get("dependency-groups")
    if not isinstance(groups, dict) or GROUP not in groups:
        return None
    requirements = _group(groups, GROUP, path, ())
    canonical = json.dumps({"dependency-groups": {GROUP: requirements}}, sort_keys=True)
    from pinbox.lock.inputs import Inputs

    return Inputs(project, path, "pyproject", (path,), tuple(requirements), (), canonical)


def _group(groups: dict[str, Any], name: str, path: Path, seen: tuple[str, ...]) -> list[str]:
    """A group's requirement strings, `{include-group = "..."}` followed (PEP 735)."""
    if name in seen:
        raise PinboxError(f"[dependency-groups] {name} includes itself", path=path)
    items = groups.get(name)
    if not isinstance(items, list):
        raise PinboxError(f"[dependency-groups] {name} must be an array", path=path)
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out += _group(groups, item["include-group"], path, (*seen, name))
        else:
            raise PinboxError(
                f"[dependency-groups] {name}: {item!r} is neither a requirement nor an include-group",
                path=path,
            )
    return out


def dev_only(main: Inputs, dev: Inputs) -> Callable[[tuple[str, ...]], bool]:
    """Whether a pin that these requirements (as written) pulled in belongs to the dev group alone
    (the names of both groups are read once, not once a pin)."""
    main_names = {str(normalize(n)) for n in map(package_name, main.requirements) if n}
    dev_names = {str(normalize(n)) for n in map(package_name, dev.requirements) if n} - main_names

    def only_dev(roots: tuple[str, ...]) -> bool:
        names = {n for n in map(package_name, roots) if n}
        return bool(names) and names <= dev_names

    return only_dev


def dev_lock_path(output: Path) -> Path:
    """`requirements.lock` -> `requirements-dev.lock`, beside it."""
    return output.with_name(f"{output.stem}-{GROUP}{output.suffix}")


def main_lock_of(path: Path) -> Path | None:
    """`requirements-dev.lock` -> `requirements.lock` when that one exists beside it, else None."""
    suffix = f"-{GROUP}"
    if not path.stem.endswith(suffix):
        return None
    main = path.with_name(f"{path.stem.removesuffix(suffix)}{path.suffix}")
    return main if main.is_file() else None
