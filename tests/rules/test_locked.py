"""What a lock pins, read from requirements-format locks and pylock.toml."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pinbox.rules.locked import Locked, locked
from tests.rules.helpers import project


def test_locked_reads_requirements_and_pylock(tmp_path: Path) -> None:
    pylock = (
        '[[packages]]\nname = "Nvidia_CuDNN_cu12"\nversion = "9.1.0.70"\n'
        'wheels = [{ url = "https://x/nvidia_cudnn_cu12-9.1.0.70-py3-none-manylinux2014_x86_64.whl", '
        f'size = 664800000, hashes = {{ sha256 = "{"c" * 64}" }} }}]\n'
    )
    lock = f"Torch==2.5.1 --hash=sha256:{'d' * 64} --hash=md5:00\nfoo>=1\n"
    proj = project(tmp_path, {"pylock.toml": pylock, "sub/requirements.lock": lock})
    (pylock_doc,) = proj.pylocks
    cudnn = Locked("nvidia-cudnn-cu12", "9.1.0.70", 2, 664800000, hashes=("c" * 64,))
    assert locked(pylock_doc) == (cudnn,)
    (req_doc,) = proj.requirements
    assert locked(req_doc) == (Locked("torch", "2.5.1", 1, hashes=("d" * 64,)), Locked("foo", "", 2))
    assert [d.path.name for d in proj.locks_in(tmp_path / "sub")] == ["requirements.lock"]
    assert {d.path.name for d in proj.locks_in(tmp_path / "other")} == {"requirements.lock", "pylock.toml"}


def test_locked_reads_each_document_once(tmp_path: Path) -> None:
    proj = project(
        tmp_path, {"requirements.lock": "six==1.16.0\n", "pylock.toml": '[[packages]]\nname = "six"\n'}
    )
    for doc in proj.locks:
        assert locked(doc) is locked(doc)
    (req_doc,) = proj.requirements
    copy = dataclasses.replace(req_doc)  # an equal document is another object: read again
    assert locked(copy) == locked(req_doc) and locked(copy) is not locked(req_doc)
