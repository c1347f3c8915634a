"""The wheel users install holds every file pinbox reads at run time (package-data globs)."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from uv import find_uv_bin

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pinbox"


def test_wheel_holds_every_data_file_and_template(tmp_path: Path) -> None:
    subprocess.run(
        [find_uv_bin(), "build", "--wheel", "--out-dir", str(tmp_path), "--no-progress", str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("pinbox-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        f"pinbox/{p.relative_to(PACKAGE).as_posix()}"
        for folder in ("data", "generate/templates")
        for p in (PACKAGE / folder).iterdir()
        if p.is_file()
    }
    assert wanted and wanted <= inside, sorted(wanted - inside)
