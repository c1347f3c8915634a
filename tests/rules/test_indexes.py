"""Index and credential rules (PB207, PB208): one-line cases in, findings out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinbox.rules import indexes
from pinbox.rules.registry import select
from tests.rules.helpers import check
from tests.rules.test_installs_rules import FROM, LOCK

# --- PB207 extra-index-url-confusion ----------------------------------------------------------

EXTRA = "https://pkgs.example.com/simple"


@pytest.mark.parametrize(
    ("text", "files"),
    [
        (f"{FROM}RUN pip install --extra-index-url {EXTRA} -r requirements.txt\n", {}),
        (
            f"{FROM}RUN pip install -r requirements.txt\n",
            {"requirements_txt": f"--extra-index-url {EXTRA}\nx\n"},
        ),
        (f"{FROM}ENV PIP_EXTRA_INDEX_URL={EXTRA}\nRUN pip install mylib==1.0\n", {}),
        (f"{FROM}RUN uv pip install --index-strategy unsafe-best-match --extra-index-url {EXTRA} x==1\n", {}),
    ],
)
def test_extra_index_confusion(tmp_path: Path, text: str, files: dict[str, str]) -> None:
    files.setdefault("requirements_txt", "mylib\n")
    [finding] = check(tmp_path, indexes.CONFUSION, text, **files)
    assert EXTRA in finding.message and finding.line == text.count("\n")


@pytest.mark.parametrize(
    "run",
    [
        f"pip install --extra-index-url {EXTRA} -r requirements.lock",  # hash-pinned
        f"pip install --require-hashes --extra-index-url {EXTRA} -r requirements.txt",
        "pip install --extra-index-url https://pypi.org/simple -r requirements.txt",
        f"pip install --index-url {EXTRA} -r requirements.txt",
        f"uv pip install --extra-index-url {EXTRA} -r requirements.txt",  # uv: first index wins
    ],
)
def test_extra_index_not_reported(tmp_path: Path, run: str) -> None:
    found = check(
        tmp_path, indexes.CONFUSION, f"{FROM}RUN {run}\n", requirements_txt="x\n", requirements_lock=LOCK
    )
    assert found == []


# --- PB208 secret-in-build --------------------------------------------------------------------

SECRETS = ["s3cr3t-pa55", "ghp_0123456789abcdefghijABCDEFGHIJ", "wJalrXUtnFEMI-K7MDENG", "hunter2hunter2"]


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (
            f"ENV PIP_INDEX_URL=https://ci:{SECRETS[0]}@pkgs.example.com/simple",
            "https://****@pkgs.example.com/simple",
        ),
        (
            f"ARG PIP_EXTRA_INDEX_URL=https://{SECRETS[1]}@pkgs.example.com/simple",
            "https://****@pkgs.example.com/simple",
        ),
        (
            f"RUN pip install --extra-index-url https://u:{SECRETS[3]}@x.example.com/simple y==1",
            "https://****@x.example.com/simple",
        ),
        (f"ENV AWS_SECRET_ACCESS_KEY={SECRETS[2]}", "AWS_SECRET_ACCESS_KEY"),
        (f"ARG GITHUB_TOKEN={SECRETS[1]}", "GITHUB_TOKEN"),
        (f"ENV DB_PASSWORD {SECRETS[0]}", "DB_PASSWORD"),
        (f"RUN HF_TOKEN={SECRETS[1]} python download.py", "HF_TOKEN"),
    ],
)
def test_secret_in_build(tmp_path: Path, line: str, shown: str) -> None:
    [finding] = check(tmp_path, indexes.SECRET, f"{FROM}{line}\n")
    assert finding.line == 2 and shown in finding.message


@pytest.mark.parametrize(
    "line",
    [
        "ARG GITHUB_TOKEN",
        "ENV GITHUB_TOKEN=$GITHUB_TOKEN",
        'ENV API_KEY=""',
        "ENV PIP_INDEX_URL=https://${PIP_USER}:${PIP_PASSWORD}@pkgs.example.com/simple",
        "ENV PIP_INDEX_URL=https://user@pkgs.example.com/simple",
        "RUN --mount=type=secret,id=pip pip install --no-cache-dir x==1",
        "ENV PASSWORD_FILE=/run/secrets/db",
    ],
)
def test_secret_not_reported(tmp_path: Path, line: str) -> None:
    assert check(tmp_path, indexes.SECRET, f"{FROM}{line}\n") == []


def test_secret_reported_at_its_own_name(tmp_path: Path) -> None:
    text = f"{FROM}ENV MY_API_KEY=$K A=$API_KEY \\\n    API_KEY={SECRETS[0]}\n"
    [finding] = check(tmp_path, indexes.SECRET, text)
    assert (finding.line, finding.col) == (3, 5)


@given(
    st.text(alphabet="AB_$= \n.", max_size=40),
    st.sets(st.text(alphabet="AB_.", min_size=1, max_size=3), max_size=4),
)
def test_names_found_in_one_scan_where_a_search_per_name_finds_them(text: str, names: set[str]) -> None:
    one_by_one = {
        name: found.start()
        for name in names
        if (found := re.search(rf"(?<![\w$]){re.escape(name)}(?=[=\s])", text))
    }
    assert indexes._names_at(text, names) == one_by_one


def test_no_finding_echoes_a_secret(tmp_path: Path) -> None:
    text = (
        f"{FROM}ENV PIP_INDEX_URL=https://ci:{SECRETS[0]}@pkgs.example.com/simple\n"
        f"ARG GITHUB_TOKEN={SECRETS[1]}\nENV AWS_SECRET_ACCESS_KEY={SECRETS[2]}\n"
        f"RUN pip install --extra-index-url https://bob:{SECRETS[3]}@x.example.com/simple mylib\n"
    )
    findings = [
        f
        for rule in select(["PB2"])  # every install rule, not only these two
        for f in check(
            tmp_path,
            rule,
            text,
            requirements_txt=f"--extra-index-url https://{SECRETS[1]}@y.example.com/simple\nx\n",
        )
    ]
    assert {f.code for f in findings} >= {"PB207", "PB208"}
    for finding in findings:
        for secret in SECRETS:
            assert secret not in repr(finding), finding
