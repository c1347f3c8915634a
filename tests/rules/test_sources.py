"""Where code comes from at build time: mutable URLs (PB110), unhashed find-links (PB209),
unverified remote scripts (PB210)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.rules import sources
from tests.rules.helpers import check, run_rule

FROM = "FROM python:3.11-slim\n"
SHA = "4f8c2a1b9d0e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("mylib @ git+https://github.com/org/mylib.git", "names no commit"),
        ("mylib @ git+https://github.com/org/mylib.git@main", "`@main` is a branch or tag"),
        ("git+https://github.com/org/mylib.git@v1.2#egg=mylib", "`@v1.2` is a branch or tag"),
        ("x @ https://example.com/x-latest.tar.gz", "can be replaced"),
        ("-e git+https://github.com/org/mylib.git#egg=mylib", "names no commit"),
    ],
)
def test_mutable_url_in_a_requirements_file(tmp_path: Path, line: str, why: str) -> None:
    [finding] = run_rule(tmp_path, sources.MUTABLE_URL, {"requirements.txt": f"flask==3.0.3\n{line}\n"})
    assert finding.line == 2 and why in finding.message


@pytest.mark.parametrize(
    "line",
    [
        f"mylib @ git+https://github.com/org/mylib.git@{SHA}",
        "x @ https://example.com/x-1.0.tar.gz#sha256=" + "a" * 64,
        "x @ https://files.pythonhosted.org/packages/ab/cd/x-1.0-py3-none-any.whl",
        "x @ https://example.com/x-1.0.tar.gz --hash=sha256:" + "a" * 64,
        "flask==3.0.3",
    ],
)
def test_fixed_urls_are_not_reported(tmp_path: Path, line: str) -> None:
    assert run_rule(tmp_path, sources.MUTABLE_URL, {"requirements.txt": f"{line}\n"}) == []


def test_mutable_url_in_a_run_line_points_at_the_word(tmp_path: Path) -> None:
    text = f"{FROM}RUN pip install --no-cache-dir \\\n    git+https://github.com/org/lib.git@main\n"
    [finding] = check(tmp_path, sources.MUTABLE_URL, text)
    assert (finding.line, finding.col) == (3, 5)


def test_credentials_in_a_mutable_url_are_not_echoed(tmp_path: Path) -> None:
    line = "lib @ git+https://ghp_0123456789abcdefABCDEF@github.com/org/lib.git@main"
    [finding] = run_rule(tmp_path, sources.MUTABLE_URL, {"requirements.txt": f"{line}\n"})
    assert "ghp_0123456789abcdefABCDEF" not in finding.message and "****@github.com" in finding.message


def test_unhashed_find_links(tmp_path: Path) -> None:
    url = "https://download.pytorch.org/whl/torch_stable.html"
    found = check(tmp_path, sources.UNHASHED_FIND_LINKS, f"{FROM}RUN pip install -f {url} torch==2.1.0\n")
    assert [f.col for f in found] == [20]
    hashed = f"{FROM}RUN pip install --require-hashes -f {url} -r requirements.lock\n"
    assert check(tmp_path, sources.UNHASHED_FIND_LINKS, hashed) == []
    local = f"{FROM}RUN pip install --no-index -f /wheels torch==2.1.0\n"
    assert check(tmp_path, sources.UNHASHED_FIND_LINKS, local) == []


def test_unhashed_find_links_in_a_requirements_file(tmp_path: Path) -> None:
    files = {"requirements.txt": "--find-links https://example.com/wheels/\ntorch==2.1.0\n"}
    assert [f.line for f in run_rule(tmp_path, sources.UNHASHED_FIND_LINKS, files)] == [1]


@pytest.mark.parametrize(
    "text",
    [
        f"{FROM}RUN curl -sSL https://install.python-poetry.org | python3 -\n",
        f"{FROM}RUN wget -qO- https://x.example.com/get.sh | bash -s -- --yes\n",
        f"{FROM}RUN curl -fsSL -o /tmp/i.sh https://x.example.com/i.sh && sh /tmp/i.sh\n",
        f"{FROM}ADD https://x.example.com/install.sh /tmp/\nRUN bash /tmp/install.sh\n",
        f"{FROM}ADD https://x.example.com/install.sh /install.sh\nRUN chmod +x /install.sh && /install.sh\n",
    ],
)
def test_unverified_remote_script(tmp_path: Path, text: str) -> None:
    found = check(tmp_path, sources.REMOTE_SCRIPT, text)
    assert len(found) == 1 and found[0].line == 2


@pytest.mark.parametrize(
    "text",
    [
        f"{FROM}RUN curl -o /tmp/i.sh https://x.example.com/i.sh && sha256sum -c i.sha && sh /tmp/i.sh\n",
        f"{FROM}ADD --checksum=sha256:{'a' * 64} https://x.example.com/i.sh /i.sh\nRUN sh /i.sh\n",
        f"{FROM}ADD https://x.example.com/data.csv /data/\nRUN python train.py\n",
        f"{FROM}RUN curl -fsSL https://x.example.com/data.json -o /data.json\n",
    ],
)
def test_checked_or_unrun_downloads_are_not_reported(tmp_path: Path, text: str) -> None:
    assert check(tmp_path, sources.REMOTE_SCRIPT, text) == []
