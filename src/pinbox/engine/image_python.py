"""The Python a local image runs, read by running it: for bases whose tag does not say
(`pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime`, `continuumio/miniconda3`: conda's Python).

Only an image the engine already has is run (never pulled), with no network, and the answer is
remembered by image ID; without an engine or the image, there is no answer and the caller asks for
`--python`.
"""

from __future__ import annotations

import re
import subprocess

from pinbox.errors import PinboxError
from pinbox.inventory import cache

_SECONDS = 60
_VERSION = re.compile(r"3\.\d{1,2}\.\d{1,3}")
_PROBE = (
    'for p in python3 python; do command -v "$p" >/dev/null && '
    'exec "$p" -c "import platform; print(platform.python_version())"; done'
)


def python_of_local_image(ref: str) -> str | None:
    """`3.10.14` for a local image whose `python3` (or `python`) is CPython 3.10.14; else None."""
    from pinbox.engine.docker import find_docker
    from pinbox.engine.images import facts

    try:
        client = find_docker()
        image_id = facts(client, ref).ids.get(ref, "").removeprefix("sha256:")
    except (PinboxError, OSError):
        return None
    if not cache.SHA256.fullmatch(image_id):
        return None
    remembered = cache.load_json(cache.image_pythons_dir(), image_id)
    if remembered and isinstance(remembered.get("python"), str):
        return str(remembered["python"])
    try:
        ran = subprocess.run(
            client.command("run", "--rm", "--network", "none", "--entrypoint", "sh", image_id, "-c", _PROBE),
            env=client.environ(),
            capture_output=True,
            text=True,
            timeout=_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = ran.stdout.strip()
    if ran.returncode != 0 or not _VERSION.fullmatch(version):
        return None
    cache.store_json(cache.image_pythons_dir(), image_id, {"image": ref, "python": version})
    return version
