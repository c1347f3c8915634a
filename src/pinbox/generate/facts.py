"""What `pinbox init` learns from a project: base image, system libraries, ignores (GPU need is
pinbox.gpu's; what the existing Dockerfile says is generate.existing's)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from pinbox import wildcard
from pinbox.datafiles import data_table
from pinbox.lock.read import LockedBlock
from pinbox.record import dataclass
from pinbox.reference import image_matches
from pinbox.target import Target

# (pattern, why), always; then data and model entries for what the project holds
ALWAYS_IGNORED = (
    (".git", "version control history"),
    (".venv", "virtualenvs: the image builds its own"),
    ("venv", ""),
    ("**/__pycache__", "bytecode caches"),
    ("**/*.py[cod]", ""),
    ("**/.ipynb_checkpoints", "notebook checkpoints"),
    (".mypy_cache", "tool caches"),
    (".pytest_cache", ""),
    (".ruff_cache", ""),
    (".env", "local secrets"),
)
DATA_DIRS = ("data", "datasets", "models", "checkpoints", "mlruns", "wandb", "outputs", "out", "runs")
MODEL_PATTERNS = ("*.ckpt", "*.pt", "*.pth", "*.safetensors", "*.onnx", "*.h5", "*.parquet")


@dataclass(frozen=True)
class SystemLibs:
    apt: tuple[str, ...]
    apk: tuple[str, ...]
    why: str


def system_libs(blocks: list[LockedBlock]) -> SystemLibs:
    """Run-time libraries the locked wheels need and do not bundle (data/system_libs.toml)."""
    names = {b.name for b in blocks}
    apt: list[str] = []
    apk: list[str] = []
    whys: list[str] = []
    for row in data_table("system_libs")["lib"]:
        hits = sorted(n for n in names if any(wildcard.matches(n, p) for p in row["packages"]))
        if hits:
            apt += [p for p in row["apt"] if p not in apt]
            apk += [p for p in row["apk"] if p not in apk]
            whys.append(f"{', '.join(hits)}: {row['why']}")
    return SystemLibs(tuple(apt), tuple(apk), "; ".join(whys))


def base_image(target: Target, current: str | None) -> tuple[str, str | None]:
    """(the base, why the current one is replaced): the project's own Python image when it has one,
    else the official slim (or alpine) image for the target (data/init_bases.toml says why)."""
    if current and current.split("/")[-1].startswith("python:"):
        return current, None
    flavour = "alpine" if target.platforms[0].libc == "musl" else "slim"
    base = f"python:{target.python}-{flavour}"
    if not current:
        return base, None
    table = data_table("init_bases")
    row = next((r for r in table["swap"] if image_matches(current, r["patterns"])), table["default"])
    return base, f"{base} instead of {current}: {row['why']}; keep a base with --base"


def _files(project: Path, limit: int = 20_000) -> list[str]:
    """File names in the project, skipping hidden folders and virtualenvs (bounded)."""
    names: list[str] = []
    for _folder, dirs, files in os.walk(project):
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and d not in ("venv", "node_modules", "__pycache__")
        ]
        names += files
        if len(names) > limit:
            break
    return names


def dockerignore_entries(project: Path) -> list[tuple[str, str]]:
    entries = list(ALWAYS_IGNORED)
    present = [d for d in DATA_DIRS if (project / d).is_dir()]
    if present:
        entries += [(f"{present[0]}/", "data, models and run outputs: mount them instead (compose.yaml)")]
        entries += [(f"{d}/", "") for d in present[1:]]
    files = _files(project)
    models = [p for p in MODEL_PATTERNS if any(fnmatch.fnmatchcase(f, p) for f in files)]
    if models:
        entries += [(f"**/{models[0]}", "model weights and checkpoints")]
        entries += [(f"**/{p}", "") for p in models[1:]]
    return entries
